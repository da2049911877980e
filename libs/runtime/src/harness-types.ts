import type { AgentRegistry, ConfiguredSandbox } from '@agent-harness/agents';
import type {
  FleetService,
  GcService,
  GitHubIntake,
  HarnessJobs,
  Operations,
  PlansService,
  ReviewService,
  RulesService,
  SkillsService,
  UsageService,
} from '@agent-harness/app';
import type { HarnessConfig } from '@agent-harness/core';
import type { EventStore, TelemetryEmitter } from '@agent-harness/observe';
import type { Database } from '@agent-harness/persistence';
import type { ProjectAdmin, RecoveryReport, TaskEngine } from '@agent-harness/pipeline';
import type { ProjectCatalog, TaskRepository } from '@agent-harness/queue';

/** Where a Harness writes what it does; the server passes Nest's logger, the CLI its own. @public */
export interface HarnessLogger {
  log(message: string): void;
  error(message: string): void;
}

/** @public */
export interface CreateHarnessOptions {
  /** The environment agents, git and validation derive theirs from (each gets only what it needs). */
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly logger?: HarnessLogger | undefined;
  /** How often the engine looks at the queue besides every submit and finish. Default 1 s. */
  readonly tickMs?: number | undefined;
  readonly now?: (() => Date) | undefined;
  /** Home directory of `~/.harness/rules`. Default the OS user's. */
  readonly homeDir?: string | undefined;
  /**
   * The id this process's engine leases tasks under. Default: the server's, kept in
   * `data_dir/server-id`. A one-shot CLI command running its own task passes a fresh one, so a
   * server (re)starting meanwhile never takes that task back as its own.
   */
  readonly serverId?: string | undefined;
}

/**
 * One Harness: everything a resolved configuration describes, built once. The server, the CLI and
 * tests all start from here.
 *
 * What the surfaces use is `operations` (REST, JSON-RPC, MCP and the CLI client adapt them),
 * `jobs` (the server's schedulers), and `start`, `drain` and `close`. The other members are the
 * parts those are made of: the adapters that are no operation (the SSE task stream, the webhook,
 * the CLI's in-process commands) and tests reach them.
 * @public
 */
export interface Harness {
  readonly config: HarnessConfig;
  /** The use cases every surface adapts (`@agent-harness/app`), bound to this Harness's ports. */
  readonly operations: Operations;
  /** The background jobs (health, GC, self-evolution, retention, review, intake) the server's schedulers run. */
  readonly jobs: HarnessJobs;
  readonly database: Database;
  readonly tasks: TaskRepository;
  readonly projects: ProjectCatalog;
  readonly agents: AgentRegistry;
  /** The OS sandbox every agent run and project command starts in (`[agents] sandbox_mode`, `[sandbox]`). */
  readonly sandbox: ConfiguredSandbox;
  readonly engine: TaskEngine;
  readonly projectAdmin: ProjectAdmin;
  /** Telemetry events (tasks, validation, reviews, edits, scans): read by health and GC. */
  readonly events: EventStore;
  /** Where the pipeline's telemetry is buffered before it is written to `events`. */
  readonly telemetry: TelemetryEmitter;
  /** Rules, guard scans and the health report. */
  readonly rules: RulesService;
  /** Skills: discovery, task prompts, create/delete, governance. */
  readonly skills: SkillsService;
  /** GC: signals, remediation drafts, adopt/reject, learning rules and skills. */
  readonly gc: GcService;
  /** Exec plans: made from specs, updated, and linked to tasks (a milestone is completed when its task ends done). */
  readonly plans: PlansService;
  /** The periodic whole-repo review: runs now, and the stored reviews with their findings. */
  readonly reviews: ReviewService;
  /** Tasks from GitHub: `POST /webhook` deliveries, the issue poller, and the replies they owe. */
  readonly github: GitHubIntake;
  /** The servers sharing this database (fleet mode on PostgreSQL; on SQLite, this one). */
  readonly fleet: FleetService;
  /** Spend: tokens and dollars by day, project, agent and model, and today against `[limits]`. */
  readonly usage: UsageService;
  /**
   * Graceful drain: claims no new task, lets running ones finish for up to `deadlineMs`, then
   * hands the rest back to the queue (for another server of the fleet). `close` follows it.
   */
  drain(deadlineMs: number): Promise<void>;
  /** Puts the config file's projects in the catalog (done by `start`; one-shot commands call it alone). */
  syncProjects(): Promise<void>;
  /**
   * Puts the config file's projects in the catalog, then starts the engine (recovery first).
   * Background jobs are the server's schedulers' (`jobs`): nothing runs by itself.
   */
  start(): Promise<RecoveryReport>;
  /**
   * Stops the engine (running tasks go back to the queue), waits for a running background job,
   * writes the telemetry still buffered, then closes the database.
   */
  close(): Promise<void>;
}

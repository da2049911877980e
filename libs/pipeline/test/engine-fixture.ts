import { mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { AgentRegistry, ConfiguredSandbox, ShellCommandRunner } from '@agent-harness/agents';
import {
  commandEnv,
  DEFAULT_PRICES,
  resolveConfig,
  SecretRedactor,
  secretValues,
  type SandboxMode,
} from '@agent-harness/core';
import type { GitHubClient } from '@agent-harness/github';
import type { TelemetrySink } from '@agent-harness/observe';
import {
  openDatabase,
  TypeOrmProjectCatalog,
  TypeOrmTaskRepository,
  TypeOrmUsageLedger,
  type Database,
} from '@agent-harness/persistence';
import type { Task } from '@agent-harness/queue';
import {
  FAKE_AGENT_BIN_DIR,
  createTempDataDir,
  createTempGitRepo,
  type FakeAgentScenario,
  type TempDir,
  type TempGitRepo,
} from '@agent-harness/testing';
import { BubblewrapSandbox } from '@agent-harness/sandbox';
import { GitWorktreeManager } from '@agent-harness/workspace';
import type { SpendLimits } from '../src/spend-meter.js';
import { TaskEngine } from '../src/task-engine.js';
import type { ReviewSettings, TaskSkills } from '../src/run-context.js';

/** Options of one engine under test. */
export interface EngineOptions {
  /** `[agents] sandbox_mode`; default the configuration's (`workspace-write`). */
  readonly sandboxMode?: SandboxMode;
  /** A machine without bubblewrap: the sandbox cannot start. */
  readonly withoutBubblewrap?: boolean;
  readonly maxConcurrent?: number;
  readonly maxQueue?: number;
  readonly projectMax?: number;
  readonly preCommit?: string[];
  /** More of the server's environment (e.g. canary secrets). */
  readonly env?: Readonly<Record<string, string>>;
  /** More TOML after the scripted claude's section. */
  readonly toml?: string;
  readonly github?: GitHubClient;
  readonly repo?: string;
  /** Where the `claude` binary is; default the scripted one. */
  readonly claudePath?: string;
  /** `[agents] default_agent`. */
  readonly defaultAgent?: string;
  /** This engine's server id (lease owner). */
  readonly serverId?: string;
  /** Skills for implementers' prompts. */
  readonly skills?: TaskSkills;
  /** `[validation] pre_push`. */
  readonly prePush?: string[];
  /** `[validation] timeout_secs`, in milliseconds. Default 30 s. */
  readonly validationTimeoutMs?: number;
  /** `[agents.review]`; default disabled. */
  readonly review?: ReviewSettings;
  /** Where telemetry goes. */
  readonly telemetry?: TelemetrySink;
  /** How long a stopped run may take to end by itself (the engine's default when absent). */
  readonly stopGraceMs?: number;
  /** Spend limits (metered into the SQL ledger, priced with the shipped prices); default none. */
  readonly spend?: Partial<SpendLimits>;
  /**
   * `[workspace]`: setup commands (the environment only they get), the original's
   * `before_remove_hook`, and finished worktrees kept for reuse (with `node_modules`).
   */
  readonly workspace?: {
    readonly setup?: readonly string[];
    readonly env?: Readonly<Record<string, string>>;
    readonly beforeRemove?: string;
    readonly idle?: number;
  };
}

/**
 * A task engine on real SQLite and a real git repository with a bare origin, wired the way the
 * server wires it (allow-listed validation environment, secret redactor), with the scripted
 * `claude` as its only agent.
 */
export class EngineFixture {
  engine: TaskEngine | undefined;
  private constructor(
    readonly data: TempDir,
    readonly repo: TempGitRepo,
    readonly database: Database,
  ) {}

  static async create(): Promise<EngineFixture> {
    const data = await createTempDataDir();
    const repo = await createTempGitRepo({ withOrigin: true });
    const database = await openDatabase({ file: join(data.path, 'harness.db') });
    return new EngineFixture(data, repo, database);
  }

  /**
   * A file the test shares with the agents and commands of its tasks: in a directory outside the
   * worktrees, made writable in their sandbox by `[sandbox] allow_write` (all else there is hidden).
   */
  shared(name: string): string {
    return join(this.data.path, 'shared', name);
  }

  /** Where the scripted agent logs its runs. */
  get agentLog(): string {
    return this.shared('agent-log.jsonl');
  }

  tasks(): TypeOrmTaskRepository {
    return new TypeOrmTaskRepository(this.database.dataSource);
  }

  async start(scenario: FakeAgentScenario, options: EngineOptions = {}): Promise<TaskEngine> {
    const agentEnv = `[agents.claude.env]\nFAKE_AGENT_SCENARIO = ${JSON.stringify(JSON.stringify(scenario))}\nFAKE_AGENT_LOG = ${JSON.stringify(this.agentLog)}\n`;
    const agentsKeys = [
      ...(options.defaultAgent === undefined ? [] : [`default_agent = "${options.defaultAgent}"`]),
      ...(options.sandboxMode === undefined ? [] : [`sandbox_mode = "${options.sandboxMode}"`]),
    ];
    const agents = agentsKeys.length === 0 ? '' : `[agents]\n${agentsKeys.join('\n')}\n`;
    mkdirSync(dirname(this.agentLog), { recursive: true });
    const sandboxToml = `[sandbox]\nallow_write = [${JSON.stringify(dirname(this.agentLog))}]\n`;
    const toml = `${agents}[agents.claude]\ncli_path = "${options.claudePath ?? `${FAKE_AGENT_BIN_DIR}/claude`}"\n${options.toml ?? ''}\n${agentEnv}${sandboxToml}`;
    const env = { PATH: process.env['PATH'], HOME: this.data.path, ...this.repo.gitEnv, ...options.env };
    const config = resolveConfig({ file: { path: '/c/h.toml', text: toml }, env, homeDir: '/h', cwd: '/' });
    if (!config.ok) throw config.error;
    // The sandbox the server puts agents and validation in, as configured (workspace-write by default).
    const sandbox = ConfiguredSandbox.fromConfig(
      { ...config.value, server: { ...config.value.server, data_dir: this.data.path } },
      this.data.path,
      options.withoutBubblewrap === true ? new BubblewrapSandbox({ PATH: '/nonexistent' }) : undefined,
    );
    const projects = new TypeOrmProjectCatalog(this.database.dataSource);
    await projects.syncFromConfig([
      {
        name: 'app',
        root: this.repo.path,
        isDefault: true,
        origin: 'config',
        active: true,
        maxConcurrent: options.projectMax,
        repo: options.repo,
      },
    ]);
    this.engine = new TaskEngine({
      tasks: this.tasks(),
      projects,
      worktrees: new GitWorktreeManager({
        worktreesDir: join(this.data.path, 'worktrees'),
        env,
        reuse: () => ({ idle: options.workspace?.idle ?? 0, keep: ['node_modules'] }),
      }),
      agents: AgentRegistry.fromConfig(config.value, env, '/', sandbox),
      limits: { maxConcurrentTasks: options.maxConcurrent ?? 4, maxQueueSize: options.maxQueue ?? 32 },
      validation: {
        preCommit: options.preCommit ?? [],
        prePush: options.prePush ?? [],
        timeoutMs: options.validationTimeoutMs ?? 30_000,
        maxRetries: 2,
      },
      commands: new ShellCommandRunner(commandEnv(env), (command) => sandbox.wrapCommand(command, 'workspace-write')),
      sandboxRefusal: () => sandbox.refusal(),
      sandboxWarning: sandbox.warning,
      workspace: {
        forProject: () => ({
          commands: (options.workspace?.setup ?? []).map((command) => ({ command, timeoutMs: 30_000 })),
          env: options.workspace?.env ?? {},
          missingEnv: [],
          beforeRemove:
            options.workspace?.beforeRemove === undefined
              ? undefined
              : { command: options.workspace.beforeRemove, timeoutMs: 30_000 },
        }),
        runner: new ShellCommandRunner(commandEnv(env), (command) =>
          sandbox.wrapCommand(command, 'workspace-write', 'allowed_domains'),
        ),
      },
      redactor: new SecretRedactor(
        secretValues(env, [config.value.github.token, ...Object.values(options.workspace?.env ?? {})]),
      ),
      github: options.github,
      review: options.review ?? { enabled: false, reviewerAgent: 'codex', maxRounds: 1 },
      tickMs: 50,
      serverId: options.serverId,
      skills: options.skills,
      telemetry: options.telemetry,
      stopGraceMs: options.stopGraceMs,
      spend:
        options.spend === undefined
          ? undefined
          : {
              ledger: new TypeOrmUsageLedger(this.database.dataSource),
              limits: { day: { startsAt: '00:00', timeZone: 'UTC' }, prices: DEFAULT_PRICES, ...options.spend },
            },
    });
    await this.engine.start();
    return this.engine;
  }

  /** Waits (bounded) for a task to end. */
  async finished(id: string): Promise<Task> {
    for (let i = 0; i < 400; i++) {
      const task = await this.tasks().get(id);
      if (task !== undefined && ['done', 'failed', 'cancelled'].includes(task.status)) return task;
      await new Promise((r) => setTimeout(r, 25));
    }
    throw new Error(`task ${id} did not finish`);
  }

  async cleanup(): Promise<void> {
    await this.engine?.stop();
    this.engine = undefined;
    await this.database.close();
    await this.data.cleanup();
    await this.repo.cleanup();
  }
}

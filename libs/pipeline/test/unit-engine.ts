import { AgentRegistry } from '@agent-harness/agents';
import { AppError } from '@agent-harness/core';
import type { Project } from '@agent-harness/queue';
import { InMemoryProjectCatalog, InMemoryTaskRepository, ScriptedAgentRunner } from '@agent-harness/testing';
import { CommandRunner, type CommandOutcome } from '@agent-harness/validation';
import { GitWorktreeManager, type Worktree } from '@agent-harness/workspace';
import { TaskEngine, type TaskEngineDeps } from '../src/task-engine.js';
import type { TelemetrySink } from '@agent-harness/observe';

/** What needs git is for the integration tier (task-engine.spec.ts): here it fails loudly. */
function needsGit(method: string): Promise<never> {
  return Promise.reject(
    new AppError('UNSUPPORTED', `unit tier: GitWorktreeManager.${method} needs git; test this in the integration tier`),
  );
}

/**
 * The worktree manager of the unit tier: no git and no files. A worktree is a path and a branch
 * name; removals are recorded. `holdPreparing()` keeps started tasks in `preparing` (holding their
 * slot) until `letPrepare()`, so dispatch decisions can be observed without running anything.
 */
export class NoGitWorktrees extends GitWorktreeManager {
  readonly created: string[] = [];
  readonly removed: { repoRoot: string; path: string }[] = [];
  readonly deletedBranches: string[] = [];
  private gate: { promise: Promise<void>; open: () => void } | undefined;

  constructor() {
    super({ worktreesDir: '/nonexistent/harness-unit/worktrees', env: {} });
  }

  holdPreparing(): void {
    let open = (): void => undefined;
    const promise = new Promise<void>((resolve) => (open = resolve));
    this.gate = { promise, open };
  }

  letPrepare(): void {
    this.gate?.open();
    this.gate = undefined;
  }

  override guardSharedState(): Promise<void> {
    return this.gate?.promise ?? Promise.resolve();
  }
  override restoreSharedState(): Promise<string[]> {
    return Promise.resolve([]);
  }
  override releaseSharedState(): Promise<string[]> {
    return Promise.resolve([]);
  }
  override recoverSharedState(): Promise<string[]> {
    return Promise.resolve([]);
  }
  override originUrl(): Promise<string | undefined> {
    return Promise.resolve(undefined);
  }
  override create(_repoRoot: string, taskId: string): Promise<Worktree> {
    this.created.push(taskId);
    return Promise.resolve({ path: this.pathFor(taskId), branch: `harness/${taskId.slice(0, 8)}`, base: 'main' });
  }
  override remove(repoRoot: string, path: string): Promise<void> {
    this.removed.push({ repoRoot, path });
    return Promise.resolve();
  }
  override deleteBranch(_repoRoot: string, branch: string): Promise<void> {
    this.deletedBranches.push(branch);
    return Promise.resolve();
  }
  override sweepOrphans(): Promise<string[]> {
    return Promise.resolve([]);
  }
  override checkoutRemoteBranch(): Promise<Worktree> {
    return needsGit('checkoutRemoteBranch');
  }
  override commitAll(): Promise<string | undefined> {
    return needsGit('commitAll');
  }
  override push(): Promise<void> {
    return needsGit('push');
  }
  override head(): Promise<string> {
    return needsGit('head');
  }
  override diff(): Promise<string> {
    return needsGit('diff');
  }
  override defaultBranch(): Promise<string> {
    return needsGit('defaultBranch');
  }
  override prune(): Promise<void> {
    return needsGit('prune');
  }
  override removeStaleWorktrees(): Promise<string[]> {
    return needsGit('removeStaleWorktrees');
  }
}

/** Validation commands have no place in the unit tier. */
class NoCommands extends CommandRunner {
  override run(command: string): Promise<CommandOutcome> {
    return Promise.reject(new AppError('UNSUPPORTED', `unit tier: no command runs here (asked: ${command})`));
  }
}

/** Options of an engine on in-memory ports. */
export interface UnitEngineOptions {
  /** `[limits] task_output_mb` in bytes; default the engine's. */
  readonly outputLimitBytes?: number;
  /** Default: one `claude` whose every run fails at once (FAILS). */
  readonly agents?: readonly ScriptedAgentRunner[];
  /** Names of the agents reported installed; default all of them. */
  readonly available?: readonly string[];
  readonly defaultAgent?: string;
  readonly maxConcurrent?: number;
  readonly maxQueue?: number;
  readonly projects?: readonly Project[];
  readonly serverId?: string;
  readonly leaseMs?: number;
  readonly tickMs?: number;
  /** Default: a new InMemoryTaskRepository (pass a subclass to make a write fail). */
  readonly tasks?: InMemoryTaskRepository;
  /** Where telemetry goes; default none. */
  readonly telemetry?: TelemetrySink;
  /** How the engine learns that storage is back after a full disk; default none (it never pauses). */
  readonly storage?: TaskEngineDeps['storage'];
  /** The spend ledger and limits; default none (nothing metered). */
  readonly spend?: TaskEngineDeps['spend'];
}

/** An engine and the fakes behind it. */
export interface UnitEngine {
  readonly engine: TaskEngine;
  readonly tasks: InMemoryTaskRepository;
  readonly projects: InMemoryProjectCatalog;
  readonly worktrees: NoGitWorktrees;
  readonly agents: AgentRegistry;
  /** How often the registry was asked which agents are installed. */
  readonly availabilityChecks: { count: number };
  readonly logs: string[];
  /** Tasks whose processes the engine ended, with the worktree it named. */
  readonly endedProcesses: { taskId: string; worktree: string | undefined }[];
}

/** The default project of the unit tier. */
export const APP: Project = { name: 'app', root: '/repos/app', isDefault: true, origin: 'config', active: true };

/**
 * A task engine on the in-memory ports of @agent-harness/testing: scripted agents, no database, no
 * git, no child process, no process table. Its clock is `Date`, so `vi.useFakeTimers()` drives its ticks, heartbeat,
 * leases and back-offs.
 */
export function unitEngine(options: UnitEngineOptions = {}): UnitEngine {
  // By default every run fails at once: a run that succeeds would go on to validation and git.
  const runners = options.agents ?? [new ScriptedAgentRunner('claude', () => FAILS)];
  const available = new Set(options.available ?? runners.map((r) => r.name));
  const availabilityChecks = { count: 0 };
  const agents = new AgentRegistry(
    runners,
    (runner) => {
      availabilityChecks.count += 1;
      return { name: runner.name, available: available.has(runner.name), detail: 'scripted' };
    },
    { default_agent: options.defaultAgent ?? runners[0]?.name ?? 'claude', complexity_preferred_agents: [] },
  );
  const tasks = options.tasks ?? new InMemoryTaskRepository();
  const projects = new InMemoryProjectCatalog(options.projects ?? [APP]);
  const worktrees = new NoGitWorktrees();
  const logs: string[] = [];
  const endedProcesses: UnitEngine['endedProcesses'] = [];
  let ids = 0;
  const engine = new TaskEngine({
    // Ordered ids: tasks submitted at the same (fake) instant keep their order, as in FIFO by id.
    newId: () => `${String(++ids).padStart(8, '0')}-0000-4000-8000-000000000000`,
    tasks,
    projects,
    worktrees,
    agents,
    limits: { maxConcurrentTasks: options.maxConcurrent ?? 4, maxQueueSize: options.maxQueue ?? 32 },
    validation: { preCommit: [], prePush: [], timeoutMs: 1000, maxRetries: 0 },
    commands: new NoCommands(),
    tickMs: options.tickMs ?? 1000,
    serverId: options.serverId ?? 'server-a',
    leaseMs: options.leaseMs,
    logger: { log: (line) => logs.push(line), error: (line) => logs.push(`error: ${line}`) },
    // No process table in the unit tier: what the engine would end is recorded.
    processes: { end: (taskId, worktree) => Promise.resolve(void endedProcesses.push({ taskId, worktree })) },
    telemetry: options.telemetry,
    storage: options.storage,
    outputLimitBytes: options.outputLimitBytes,
    spend: options.spend,
  });
  return { engine, tasks, projects, worktrees, agents, availabilityChecks, logs, endedProcesses };
}

/** A scripted run that ends failed at once: the run is over without validation or git. */
export const FAILS = { outcome: { ok: false, reason: 'failed', message: 'scripted failure' } } as const;

/** Makes engines for a spec file and stops every one of them after each test (call `stopAll` in afterEach). */
export function unitEngines(): {
  readonly make: (options?: UnitEngineOptions) => UnitEngine;
  readonly stopAll: () => Promise<void>;
} {
  const made: UnitEngine[] = [];
  return {
    make: (options) => {
      const unit = unitEngine(options);
      made.push(unit);
      return unit;
    },
    stopAll: async () => {
      for (const unit of made.splice(0)) {
        unit.worktrees.letPrepare();
        await unit.engine.stop();
      }
    },
  };
}

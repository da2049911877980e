import { randomUUID } from 'node:crypto';
import { killTaskProcesses, TASK_MARKER_ENV, type AgentRegistry } from '@agent-harness/agents';
import type { GitHubClient } from '@agent-harness/github';
import { AppError, SecretRedactor, failureClassOfError, toAppError } from '@agent-harness/core';
import {
  ACTIVE_STATUSES,
  isTerminal,
  pickTasksToStart,
  type NewTaskEvent,
  type Project,
  type ProjectCatalog,
  type StoredTaskEvent,
  type Task,
  type TaskChanges,
  type TaskRepository,
  type TaskRequest,
} from '@agent-harness/queue';
import type { CommandRunner } from '@agent-harness/validation';
import type { GitWorktreeManager } from '@agent-harness/workspace';
import type { Observable } from 'rxjs';
import { AdmissionCheck } from './admission-check.js';
import { outcomeChanges, statusEvent } from './task-outcome.js';
import { TaskRecorder } from './task-recorder.js';
import { recoverTasks, type RecoveryReport } from './task-recovery.js';
import type { TaskEventBus } from './task-event-bus.js';
import { TaskEventsHub } from './task-events-hub.js';
import { TaskRun, type RunOutcome } from './task-run.js';
import { taskTitle } from './task-title.js';

/** @public */
export interface TaskEngineDeps {
  readonly tasks: TaskRepository;
  readonly projects: ProjectCatalog;
  readonly worktrees: GitWorktreeManager;
  readonly agents: AgentRegistry;
  readonly limits: { readonly maxConcurrentTasks: number; readonly maxQueueSize: number };
  /** `[validation]`: commands (empty pre_commit: language-detected), per-command timeout, fix attempts. */
  readonly validation: {
    readonly preCommit: readonly string[];
    readonly prePush: readonly string[];
    readonly timeoutMs: number;
    readonly maxRetries: number;
  };
  /** GitHub, when a token is configured: issue and PR tasks, pull requests, review comments. */
  readonly github?: GitHubClient | undefined;
  /** `[agents.review]`; without it there is no independent review. */
  readonly review?:
    { readonly enabled: boolean; readonly reviewerAgent: string; readonly maxRounds: number } | undefined;
  /** Runs validation commands in worktrees. */
  readonly commands: CommandRunner;
  readonly now?: () => Date;
  readonly newId?: () => string;
  readonly logger?: { log(message: string): void; error(message: string): void };
  /** How often queued tasks are looked at besides every submit and finish. Default 1 s. */
  readonly tickMs?: number;
  /**
   * Secret values never stored, streamed or prompted (events, errors, validation output). The
   * last line of defence: no process running project code gets them in the first place.
   */
  readonly redactor?: SecretRedactor | undefined;
  /** This server's id, the owner of the leases it takes (keep it across restarts). Default: random. */
  readonly serverId?: string | undefined;
  /** How long a lease holds without a heartbeat. Default 60 s; renewed every third of it. */
  readonly leaseMs?: number | undefined;
  /** Where live events go after they are stored. Default: in-process (`TaskEventsHub`). */
  readonly events?: TaskEventBus | undefined;
}

/** A task to submit; `project` is a name or a root path, default the default project. @public */
export interface SubmitTaskInput extends TaskRequest {
  readonly project?: string | undefined;
}

interface RunningTask {
  readonly controller: AbortController;
  /** Why the run is being stopped from outside, if it is. */
  stopReason?: 'cancel' | 'shutdown';
  done: Promise<void>;
}

/**
 * The task engine: admits tasks into the durable queue (never waiting for a slot), starts them
 * FIFO while the global and per-project limits allow, runs each through its phases in its own
 * worktree, streams and stores every event, and recovers what a crash left behind.
 * @public
 */
export class TaskEngine {
  /** Live events of every task, after they are stored. */
  readonly events: TaskEventBus;
  readonly serverId: string;
  private readonly leaseMs: number;
  private heartbeat: NodeJS.Timeout | undefined;
  private readonly running = new Map<string, RunningTask>();
  private readonly now: () => Date;
  private readonly newId: () => string;
  private readonly redactor: SecretRedactor;
  private readonly admission: AdmissionCheck;
  private readonly recorder: TaskRecorder;
  private timer: NodeJS.Timeout | undefined;
  private ticking = false;
  private tickRequested = false;
  private stopped = false;

  constructor(private readonly deps: TaskEngineDeps) {
    this.now = deps.now ?? (() => new Date());
    this.newId = deps.newId ?? randomUUID;
    this.redactor = deps.redactor ?? new SecretRedactor([]);
    this.events = deps.events ?? new TaskEventsHub();
    this.serverId = deps.serverId ?? randomUUID();
    this.leaseMs = deps.leaseMs ?? 60_000;
    this.recorder = new TaskRecorder({
      tasks: deps.tasks,
      events: this.events,
      redactor: this.redactor,
      now: this.now,
      logger: deps.logger,
    });
    this.admission = new AdmissionCheck({
      agents: deps.agents,
      github: deps.github,
      worktrees: deps.worktrees,
      now: this.now,
    });
  }

  private iso(): string {
    return this.now().toISOString();
  }

  /** Recovers what a previous run left, then starts dispatching. */
  async start(): Promise<RecoveryReport> {
    const report = await this.recover();
    this.timer = setInterval(() => {
      this.requestTick();
    }, this.deps.tickMs ?? 1000);
    this.heartbeat = setInterval(
      () => {
        void this.renewLeases();
      },
      Math.max(1000, this.leaseMs / 3),
    );
    this.requestTick();
    return report;
  }

  /** Stops dispatching; running tasks are stopped and requeued (same attempt) for the next start. */
  async stop(): Promise<void> {
    this.stopped = true;
    clearInterval(this.timer);
    clearInterval(this.heartbeat);
    for (const entry of this.running.values()) {
      entry.stopReason ??= 'shutdown';
      entry.controller.abort();
    }
    await Promise.all([...this.running.values()].map((entry) => entry.done));
    this.events.closeAll();
  }

  private leaseUntil(): string {
    return new Date(this.now().getTime() + this.leaseMs).toISOString();
  }

  /** The heartbeat: extends the leases of the tasks this server runs. Never throws. */
  private async renewLeases(): Promise<void> {
    try {
      await this.deps.tasks.renewLeases(this.serverId, [...this.running.keys()], this.leaseUntil());
    } catch (error) {
      this.deps.logger?.error(`could not renew task leases: ${error instanceof Error ? error.message : String(error)}`);
    }
  }

  /** Live events of a task (after they are stored). */
  watch(taskId: string): Observable<StoredTaskEvent> {
    return this.events.watch(taskId);
  }

  async resolveProject(nameOrRoot: string | undefined): Promise<Project> {
    const projects = (await this.deps.projects.list()).filter((p) => p.active);
    if (nameOrRoot === undefined) {
      const chosen = projects.find((p) => p.isDefault) ?? projects[0];
      if (chosen === undefined)
        throw new AppError(
          'INVALID_ARGUMENT',
          'project: no project is configured; name one or register it with POST /api/projects',
        );
      return chosen;
    }
    const trimmed = nameOrRoot.replace(/\/+$/, '');
    const found = projects.find((p) => p.name === nameOrRoot || p.root === trimmed);
    if (found === undefined) {
      throw new AppError(
        'INVALID_ARGUMENT',
        `project: unknown project "${nameOrRoot}" (known: ${projects.map((p) => p.name).join(', ') || 'none'})`,
      );
    }
    return found;
  }

  /** Admits a task into the queue and answers at once; a full queue is refused. */
  async submit(input: SubmitTaskInput): Promise<Task> {
    const project = await this.resolveProject(input.project);
    await this.admission.check(input, project);
    const queued = await this.deps.tasks.countWithStatus(['queued']);
    if (queued >= this.deps.limits.maxQueueSize) {
      throw new AppError(
        'QUEUE_FULL',
        `the queue is full: ${String(queued)} tasks are queued ([concurrency] max_queue_size = ${String(this.deps.limits.maxQueueSize)}); retry later`,
      );
    }
    const now = this.iso();
    const task: Task = {
      id: this.newId(),
      project: project.name,
      kind: input.kind,
      prompt: input.prompt,
      issue: input.issue,
      pr: input.pr,
      description: input.description,
      agent: input.agent,
      model: input.model,
      status: 'queued',
      attempt: 1,
      inputTokens: 0,
      outputTokens: 0,
      validationRetries: 0,
      reviewRounds: 0,
      createdAt: now,
      updatedAt: now,
      version: 1,
    };
    await this.deps.tasks.create(task, statusEvent(undefined, 'queued', 1, 'submitted'));
    this.requestTick();
    return task;
  }

  /** Cancels a queued or running task: its agent's process group is ended and its worktree removed. */
  async cancel(id: string): Promise<Task> {
    for (let tries = 0; tries < 5; tries++) {
      const task = await this.deps.tasks.get(id);
      if (task === undefined) throw new AppError('NOT_FOUND', `no task ${id}`);
      if (isTerminal(task.status)) throw new AppError('CONFLICT', `task ${id} already finished (${task.status})`);
      const entry = this.running.get(id);
      if (entry !== undefined) {
        entry.stopReason = 'cancel';
        entry.controller.abort();
        await entry.done;
      } else if (task.status === 'queued') {
        try {
          await this.finish(task, { kind: 'cancelled' });
        } catch (error) {
          // Started meanwhile: try again through its run.
          if (error instanceof AppError && error.code === 'CONFLICT') continue;
          throw error;
        }
      } else {
        throw new AppError('CONFLICT', `task ${id} is ${task.status} in another server process`);
      }
      const after = await this.deps.tasks.get(id);
      if (after !== undefined && isTerminal(after.status)) return after;
    }
    throw new AppError('CONFLICT', `task ${id} changed while being cancelled; try again`);
  }

  private requestTick(): void {
    if (this.stopped) return;
    this.tickRequested = true;
    if (this.ticking) return;
    this.ticking = true;
    void (async () => {
      try {
        while (this.tickRequested && !this.stopped) {
          this.tickRequested = false;
          await this.dispatch();
        }
      } catch (error) {
        this.deps.logger?.error(`dispatch failed: ${error instanceof Error ? error.message : String(error)}`);
      } finally {
        this.ticking = false;
      }
    })();
  }

  /** Starts queued tasks FIFO while the global and per-project limits allow. */
  private async dispatch(): Promise<void> {
    const active = await this.deps.tasks.withStatus(ACTIVE_STATUSES, true);
    // Every slot taken: no need to read the queue.
    if (active.length >= this.deps.limits.maxConcurrentTasks) return;
    const [queued, projects] = await Promise.all([
      this.deps.tasks.withStatus(['queued'], true, DISPATCH_SCAN),
      this.deps.projects.list(),
    ]);
    const byProject = new Map<string, number>();
    for (const task of active) byProject.set(task.project, (byProject.get(task.project) ?? 0) + 1);
    const perProject = new Map(
      projects.flatMap((p) => (p.maxConcurrent === undefined ? [] : [[p.name, p.maxConcurrent] as const])),
    );
    const toStart = pickTasksToStart(
      queued,
      { total: active.length, byProject },
      { global: this.deps.limits.maxConcurrentTasks, perProject },
      this.iso(),
    );
    for (const task of toStart) {
      if (this.stopped || this.running.has(task.id)) continue;
      const entry: RunningTask = { controller: new AbortController(), done: Promise.resolve() };
      this.running.set(task.id, entry);
      // Claim the slot before the next look at the queue, so one task never starts twice.
      try {
        const claim = { leaseOwner: this.serverId, leaseExpiresAt: this.leaseUntil() };
        const started = await this.update(
          task,
          { status: 'preparing', startedAt: this.iso(), notBefore: undefined, error: undefined, ...claim },
          statusEvent('queued', 'preparing', task.attempt),
        );
        entry.done = this.execute(started, entry)
          .catch((error: unknown) => {
            this.deps.logger?.error(`task ${task.id}: ${error instanceof Error ? error.message : String(error)}`);
          })
          .finally(() => {
            this.running.delete(task.id);
            this.requestTick();
          });
      } catch (error) {
        this.running.delete(task.id);
        if (!(error instanceof AppError && error.code === 'CONFLICT')) throw error;
      }
    }
  }

  private update(task: Task, changes: TaskChanges, event?: NewTaskEvent): Promise<Task> {
    return this.recorder.update(task, changes, event);
  }

  private log(taskId: string, kind: NewTaskEvent['kind'], data: unknown): Promise<void> {
    return this.recorder.log(taskId, kind, data);
  }

  /** Runs one started task to its outcome, cleans up its worktree, then records the outcome. */
  private async execute(started: Task, entry: RunningTask): Promise<void> {
    const redact = (text: string): string => this.redactor.text(text);
    const run = new TaskRun(
      started,
      {
        ...this.deps,
        now: this.now,
        redact,
        review: this.deps.review ?? { enabled: false, reviewerAgent: '', maxRounds: 1 },
      },
      entry.controller.signal,
      {
        update: (task, changes, event) => this.update(task, changes, event),
        log: (taskId, kind, data) => this.log(taskId, kind, data),
      },
    );
    let outcome: RunOutcome;
    try {
      outcome = await run.run(taskTitle(started), commitMessage);
    } catch (error) {
      const failure = toAppError(error);
      outcome =
        entry.stopReason === 'cancel'
          ? { kind: 'cancelled' }
          : { kind: 'failed', error: failure.message, failureClass: failureClassOfError(failure.code) };
    }
    if (entry.stopReason === 'cancel' && outcome.kind !== 'done') outcome = { kind: 'cancelled' };
    if (entry.stopReason === 'shutdown' && outcome.kind !== 'done')
      outcome = { kind: 'requeue', attempt: run.current.attempt, reason: 'the server shut down' };
    const cleanup = run.cleanup;
    // Whatever the task's agents and checks left running, also what escaped with setsid.
    await this.endTaskProcesses(started.id, cleanup?.path);
    const guarded = run.guardedRepository;
    if (guarded !== undefined) {
      const changed = await this.deps.worktrees.releaseSharedState(guarded).catch((error: unknown) => {
        this.deps.logger?.error(
          `task ${started.id}: could not restore the shared git state of ${guarded}: ${String(error)}`,
        );
        return [];
      });
      if (changed.length > 0)
        await this.log(started.id, 'log', {
          message: `warning: the repository's shared ${changed.join(', ')} had changed; restored as it was before the task`,
        });
    }
    if (cleanup !== undefined) {
      await this.deps.worktrees.remove(cleanup.repoRoot, cleanup.path).catch((error: unknown) => {
        this.deps.logger?.error(`task ${started.id}: could not remove ${cleanup.path}: ${String(error)}`);
      });
      // A task that ends before its first commit leaves no branch behind in the user's repository.
      const last = run.current;
      if (
        outcome.kind !== 'done' &&
        outcome.kind !== 'requeue' &&
        last.kind !== 'pr' &&
        last.commit === undefined &&
        last.branch !== undefined
      ) {
        await this.deps.worktrees.deleteBranch(cleanup.repoRoot, last.branch).catch(() => undefined);
      }
    }
    await this.finish((await this.deps.tasks.get(started.id)) ?? run.current, outcome);
  }

  /** Ends every process of a task, by its marker (HARNESS_TASK_ID) and by its worktree; never throws. */
  private async endTaskProcesses(taskId: string, worktree: string | undefined): Promise<void> {
    try {
      await killTaskProcesses({ marker: { name: TASK_MARKER_ENV, value: taskId }, dir: worktree });
    } catch (error) {
      this.deps.logger?.error(
        `task ${taskId}: could not end its processes: ${error instanceof Error ? error.message : String(error)}`,
      );
    }
  }

  /** Records the outcome: a terminal status with its final `end` event, or back to the queue. */
  private async finish(task: Task, outcome: RunOutcome): Promise<void> {
    const { changes, event } = outcomeChanges(task, outcome, this.iso());
    const finished = await this.update(task, changes, event);
    if (outcome.kind === 'requeue') return;
    const { status, error, failureClass, commit, branch, prUrl, grade, reviewOutcome } = finished;
    await this.log(task.id, 'end', {
      status,
      error,
      failure_class: failureClass,
      commit,
      branch,
      pr: prUrl,
      grade,
      review: reviewOutcome,
    });
    this.events.close(task.id);
  }

  /** After a crash: takes back this server's tasks and expired leases (see recoverTasks). */
  recover(): Promise<RecoveryReport> {
    return recoverTasks({
      tasks: this.deps.tasks,
      projects: this.deps.projects,
      worktrees: this.deps.worktrees,
      serverId: this.serverId,
      now: this.now,
      logger: this.deps.logger,
      endTaskProcesses: (taskId, worktree) => this.endTaskProcesses(taskId, worktree),
      finish: (task, outcome) => this.finish(task, outcome),
    });
  }
}

/** Queued tasks looked at per dispatch, oldest first (more than any sane max_queue_size). */
const DISPATCH_SCAN = 10_000;

function commitMessage(task: Task): string {
  return `${taskTitle(task)}\n\nHarness task ${task.id}${task.agentUsed === undefined ? '' : ` (agent: ${task.agentUsed})`}`;
}

import { randomUUID } from 'node:crypto';
import type { AgentRegistry } from '@agent-harness/agents';
import { AppError, SecretRedactor } from '@agent-harness/core';
import type { GitHubClient } from '@agent-harness/github';
import type { TaskTracer, TelemetrySink } from '@agent-harness/observe';
import {
  ACTIVE_STATUSES,
  INITIAL_STATUS,
  isTerminal,
  MAX_ATTEMPTS,
  WAITING_STATUSES,
  type Project,
  type ProjectCatalog,
  type StoredTaskEvent,
  type TaskCreation,
  describeWork,
  taskWork,
  type Task,
  type TaskRepository,
  type TaskRequest,
  type UsageLedger,
} from '@agent-harness/queue';
import type { CommandRunner } from '@agent-harness/validation';
import type { GitWorktreeManager } from '@agent-harness/workspace';
import type { Observable } from 'rxjs';
import { AdmissionCheck } from './admission-check.js';
import { followTask, type FollowFrom, type FollowTaskOptions } from './follow-task.js';
import { StorageGate, type StorageGateDeps } from './storage-gate.js';
import { PullRequestLoop, type PullRequestLoopSettings } from './pull-request-loop.js';
import type { PullRequestSettings, ReviewSettings, TaskSkills, ValidationSettings } from './run-context.js';
import { SpendMeter, type BudgetHold, type SpendLimits, type TodaySpend } from './spend-meter.js';
import { TaskDispatcher } from './task-dispatcher.js';
import type { TaskEventBus } from './task-event-bus.js';
import { TaskEventsHub } from './task-events-hub.js';
import { TaskExecution } from './task-execution.js';
import { statusEvent } from './task-outcome.js';
import { systemTaskProcesses, type TaskProcesses } from './task-processes.js';
import { TaskRecorder } from './task-recorder.js';
import { recoverTasks, type RecoveryReport } from './task-recovery.js';
import { TaskTelemetry } from './task-telemetry.js';
import { TaskTracing } from './task-tracing.js';
import type { WorkspaceSettings } from './workspace-setup.js';

/** @public */
export interface TaskEngineDeps {
  readonly tasks: TaskRepository;
  readonly projects: ProjectCatalog;
  readonly worktrees: GitWorktreeManager;
  readonly agents: AgentRegistry;
  readonly limits: { readonly maxConcurrentTasks: number; readonly maxQueueSize: number };
  readonly validation: ValidationSettings;
  /** GitHub, when a token is configured: issue and PR tasks, pull requests, review comments. */
  readonly github?: GitHubClient | undefined;
  /** `[agents.review]`; without it there is no independent review. */
  readonly review?: ReviewSettings | undefined;
  /** Runs validation commands in worktrees. */
  readonly commands: CommandRunner;
  /**
   * Why the configured OS sandbox cannot start here, with the fix: tasks are then refused at
   * admission (`ConfiguredSandbox.refusal`).
   */
  readonly sandboxRefusal?: (() => Promise<string | undefined>) | undefined;
  /** Said in every task's log when its agents and commands run without the OS sandbox (`danger-full-access`). */
  readonly sandboxWarning?: string | undefined;
  /** `[workspace]`: setup commands run in each new worktree before the agent; none when absent. */
  readonly workspace?: WorkspaceSettings | undefined;
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
  /** How long a lease holds without a heartbeat. Default 60 s. */
  readonly leaseMs?: number | undefined;
  /**
   * How often leases are renewed, cancel requests from other servers looked for and expired
   * leases of other servers taken back. Default 2 s (at most a third of `leaseMs`).
   */
  readonly heartbeatMs?: number | undefined;
  /** Where live events go after they are stored. Default: in-process (`TaskEventsHub`). */
  readonly events?: TaskEventBus | undefined;
  /** Ends what a finished task left running. Default: the system's process table. */
  readonly processes?: TaskProcesses | undefined;
  /** Where telemetry events go (the event store's emitter); none when absent. */
  readonly telemetry?: TelemetrySink | undefined;
  /** Skills injected into implementers' prompts (and their use recorded); none when absent. */
  readonly skills?: TaskSkills | undefined;
  /** Where task runs, their phases and agent runs are traced (OpenTelemetry); none when absent. */
  readonly tracer?: TaskTracer | undefined;
  /**
   * How long a stopped (cancelled) run may take to end by itself before its cleanup goes ahead
   * without it. Every phase stops at once on its own; this bounds one that does not. Default 10 s.
   */
  readonly stopGraceMs?: number | undefined;
  /**
   * How to tell that storage is back after a write failed for a full disk or a read-only database
   * (dispatch pauses meanwhile). Without it, dispatch never pauses.
   */
  readonly storage?: Pick<StorageGateDeps, 'probe' | 'where'> | undefined;
  /** `[limits] task_output_mb` in bytes: the agents' output one task stores. Default 10 MiB. */
  readonly outputLimitBytes?: number | undefined;
  /** The spend ledger and limits (`[limits]`, `[pricing]`); without it nothing is metered or held. */
  readonly spend?: { readonly ledger: UsageLedger; readonly limits: SpendLimits } | undefined;
  /** `[github]` and `[approvals]`: pull request shape, CI watching and approvals; absent: none of them. */
  readonly pullRequests?: (PullRequestSettings & { readonly loop: PullRequestLoopSettings }) | undefined;
}

/** Without `[github]` loop settings: nothing is merged, no round runs, a held task waits 72 h. */
const NO_LOOP: PullRequestLoopSettings = {
  autoMerge: 'off',
  maxCiFixRounds: 0,
  maxFeedbackRounds: 0,
  noCiGraceMs: 120_000,
  noCi: 'done',
  ciTimeoutMs: 3 * 3_600_000,
  approvalsBefore: () => [],
  approvalTimeoutMs: 72 * 3_600_000,
  onApprovalTimeout: 'reject',
  pollMs: 60_000,
  actorAllowed: () => Promise.resolve(false),
  deleteMergedBranches: false,
};

/** How long a submit waits for the look that may start its task before it answers. */
const LOOK_WAIT_MS = 2000;

/** `[limits] task_output_mb`'s default, for an engine built without a config. */
const DEFAULT_OUTPUT_LIMIT_BYTES = 10 * 1024 * 1024;

/** How long a cancel waits for another server to end the task it runs. */
const REMOTE_CANCEL_WAIT_MS = 15_000;

/** A task to submit; `project` is a name or a root path, default the default project. @public */
export interface SubmitTaskInput extends TaskRequest {
  readonly project?: string | undefined;
}

/**
 * What `admit` did: queued a new task, or found the unfinished task already doing the same work
 * (the same issue or pull request of the project), which is then the answer and nothing is queued.
 * @public
 */
export interface Admission {
  readonly task: Task;
  readonly existing: boolean;
}

/**
 * The task engine: admits tasks into the durable queue (never waiting for a slot), has the
 * dispatcher start them FIFO while the limits allow, runs each through its phases in its own
 * worktree (TaskExecution), and recovers what a crash left behind. Every write goes through the
 * recorder: state table, SQL guard, redaction, then live events.
 * @public
 */
export class TaskEngine {
  /** Live events of every task, after they are stored. */
  readonly events: TaskEventBus;
  readonly serverId: string;
  private readonly now: () => Date;
  private readonly newId: () => string;
  private readonly admission: AdmissionCheck;
  private readonly recorder: TaskRecorder;
  private readonly execution: TaskExecution;
  private readonly dispatcher: TaskDispatcher;
  /** Closed while writes fail for a full disk or a read-only database. */
  readonly storage: StorageGate | undefined;
  private readonly pendingStorageWork: (() => Promise<void>)[] = [];
  /** Spend and its limits, when the engine has a ledger. */
  readonly spend: SpendMeter | undefined;
  /** The last budget hold logged (the queue waiting, or released), so each change is said once. */
  private heldUntil: string | undefined;
  /** The loop after a pull request opens: CI fix rounds, review feedback, follow-ups, approvals, merges. */
  readonly pullRequests: PullRequestLoop;
  private pollTimer: NodeJS.Timeout | undefined;
  private polling: Promise<void> | undefined;

  constructor(private readonly deps: TaskEngineDeps) {
    this.now = deps.now ?? (() => new Date());
    this.spend = deps.spend === undefined ? undefined : new SpendMeter({ ...deps.spend, now: this.now });
    this.newId = deps.newId ?? randomUUID;
    const redactor = deps.redactor ?? new SecretRedactor([]);
    this.events = deps.events ?? new TaskEventsHub();
    this.serverId = deps.serverId ?? randomUUID();
    const tracing =
      deps.tracer === undefined ? undefined : new TaskTracing(deps.tracer, (text) => redactor.text(text), deps.logger);
    this.recorder = new TaskRecorder({
      tasks: deps.tasks,
      events: this.events,
      redactor,
      now: this.now,
      logger: deps.logger,
      telemetry: deps.telemetry === undefined ? undefined : new TaskTelemetry(deps.telemetry, deps.logger),
      tracing,
    });
    this.admission = new AdmissionCheck({
      agents: deps.agents,
      github: deps.github,
      worktrees: deps.worktrees,
      now: this.now,
      sandboxRefusal: deps.sandboxRefusal,
    });
    this.storage = deps.storage === undefined ? undefined : new StorageGate({ ...deps.storage, logger: deps.logger });
    this.execution = new TaskExecution({
      storage: this.storage,
      onWait: (taskId) => {
        void this.pullRequests.look(taskId);
      },
      run: {
        ...deps,
        tracing,
        spend: this.spend,
        now: this.now,
        review: deps.review ?? { enabled: false, reviewerAgent: '', maxRounds: 1 },
        outputLimitBytes: deps.outputLimitBytes ?? DEFAULT_OUTPUT_LIMIT_BYTES,
      },
      tasks: deps.tasks,
      worktrees: deps.worktrees,
      recorder: this.recorder,
      events: this.events,
      redactor,
      processes: deps.processes ?? systemTaskProcesses,
      now: this.now,
      logger: deps.logger,
      stopGraceMs: deps.stopGraceMs ?? 10_000,
    });
    this.pullRequests = new PullRequestLoop({
      tasks: deps.tasks,
      projects: deps.projects,
      worktrees: deps.worktrees,
      github: deps.github,
      settings: deps.pullRequests?.loop ?? NO_LOOP,
      recorder: this.recorder,
      serverId: this.serverId,
      finish: (task, outcome) => this.execution.finish(task, outcome),
      wake: () => {
        void this.dispatcher.requestTick();
      },
      redact: (text) => redactor.text(text),
      now: this.now,
      logger: deps.logger,
    });
    this.dispatcher = new TaskDispatcher({
      storage: this.storage,
      onStorageBack: () => this.storageBack(),
      tasks: deps.tasks,
      projects: deps.projects,
      recorder: this.recorder,
      limits: deps.limits,
      serverId: this.serverId,
      leaseMs: deps.leaseMs ?? 60_000,
      heartbeatMs: Math.max(100, Math.min(deps.heartbeatMs ?? 2000, (deps.leaseMs ?? 60_000) / 3)),
      tickMs: deps.tickMs ?? 1000,
      onHeartbeat: async () => {
        await this.reclaimExpired();
      },
      budgetHolds: this.spend?.hasDailyLimits === true ? () => this.budgetHolds() : undefined,
      now: this.now,
      logger: deps.logger,
      execute: (started, entry) => this.execution.execute(started, entry),
    });
  }

  /**
   * Recovers what a previous run left, then starts dispatching. On a full disk (or a read-only
   * database) dispatch starts paused and the recovery runs once writes work again.
   */
  async start(): Promise<RecoveryReport> {
    let report: RecoveryReport = { requeued: [], failed: [], leasedElsewhere: [], removedWorktrees: [] };
    try {
      report = await this.recover();
    } catch (error) {
      if (this.storage?.failed(error) !== true) throw error;
      this.afterStorageBack(async () => {
        await this.recover();
      });
    }
    this.dispatcher.start();
    this.startPolling();
    return report;
  }

  /** Looks at the tasks waiting on a pull request or a person at start, then now and then (webhooks look sooner). */
  private startPolling(): void {
    if (this.pollTimer !== undefined || this.deps.pullRequests === undefined) return;
    const poll = (atStart = false): void => {
      if (this.polling !== undefined) return;
      this.polling = this.pullRequests
        .poll({ atStart })
        .catch((error: unknown) => {
          this.deps.logger?.error(`pull request poll: ${error instanceof Error ? error.message : String(error)}`);
        })
        .finally(() => {
          this.polling = undefined;
        });
    };
    this.pollTimer = setInterval(poll, this.deps.pullRequests.loop.pollMs);
    this.pollTimer.unref();
    // What waited before a restart is looked at now, every task, not a poll interval later.
    poll(true);
  }

  /**
   * Work a full disk stopped (a start-up write): run once storage is back, before dispatch resumes.
   * Work that fails for storage again stays for the next time.
   */
  afterStorageBack(work: () => Promise<void>): void {
    this.pendingStorageWork.push(work);
  }

  /**
   * Starts only the given queued tasks, without recovering anything: how a one-shot CLI command
   * (`harness gc adopt`) runs its own task beside a server that may share the database. Whoever
   * claims a task first runs it (the claim is guarded by the task's version).
   */
  startOnly(taskIds: readonly string[]): void {
    this.dispatcher.start(new Set(taskIds));
  }

  /**
   * Graceful drain (SIGTERM on a fleet server): stops claiming, lets running tasks finish for up
   * to `deadlineMs`, then stops the rest, which go back to the queue for another server.
   */
  async drain(deadlineMs: number): Promise<void> {
    this.dispatcher.drain();
    const idle = await this.dispatcher.idle(deadlineMs);
    if (!idle) this.deps.logger?.log(`drain: handing back ${String(this.dispatcher.runningCount)} running task(s)`);
    await this.stop();
  }

  /** How many tasks this server runs now. */
  get runningCount(): number {
    return this.dispatcher.runningCount;
  }

  /** Stops dispatching; running tasks are stopped and requeued (same attempt) for the next start. */
  async stop(): Promise<void> {
    clearInterval(this.pollTimer);
    this.pollTimer = undefined;
    // A look under way finishes before the store closes (GitHub calls end within their timeouts).
    await this.polling;
    await this.dispatcher.stop();
    this.events.closeAll();
  }

  /** What today has cost against the limits; undefined without a spend ledger. */
  async spendToday(): Promise<TodaySpend | undefined> {
    return this.spend?.today();
  }

  /**
   * Why a queued task waits, when a daily spend limit holds it (never failed for that): the
   * limit, what was spent, and when the day turns.
   */
  async waiting(task: Task): Promise<BudgetHold | undefined> {
    if (task.status !== 'queued' || this.spend?.hasDailyLimits !== true) return undefined;
    return this.spend.holdOf(await this.spend.today(), task.project);
  }

  /** The projects the daily limits hold now (all of them under the global one). */
  private async budgetHolds(): Promise<{ all: boolean; projects: ReadonlySet<string> }> {
    const spend = this.spend;
    if (spend === undefined) return { all: false, projects: new Set() };
    const today = await spend.today();
    const global = spend.holdOf(today, '');
    const projects = new Set(
      [...(spend.limits.projectDailyUsd?.keys() ?? [])].filter((name) => spend.holdOf(today, name) !== undefined),
    );
    const until = global !== undefined || projects.size > 0 ? today.day.end.toISOString() : undefined;
    if (until !== this.heldUntil) {
      this.heldUntil = until;
      const which = global !== undefined ? 'all projects' : [...projects].join(', ');
      this.deps.logger?.log(
        until === undefined
          ? 'spend: no daily limit holds the queue any more'
          : `spend: the daily limit of ${which} is spent; their queued tasks wait until ${until}`,
      );
    }
    return { all: global !== undefined, projects };
  }

  /** Live events of a task (after they are stored). */
  watch(taskId: string): Observable<StoredTaskEvent> {
    return this.events.watch(taskId);
  }

  /**
   * One task's events for one follower: stored after `from`, then live, ending right after its
   * `end` (see `followTask`). Every stream of a task's events is this.
   */
  follow(taskId: string, from: FollowFrom, options?: FollowTaskOptions): Observable<StoredTaskEvent> {
    return followTask({ watch: (id) => this.events.watch(id), tasks: this.deps.tasks }, taskId, from, options);
  }

  /** Live events of every task (after they are stored), the first `queued` of each new task included. */
  watchAll(): Observable<StoredTaskEvent> {
    return this.events.watchAll();
  }

  async resolveProject(nameOrRoot: string | undefined): Promise<Project> {
    const every = await this.deps.projects.list();
    const projects = every.filter((p) => p.active);
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
    const inactive = every.find((p) => !p.active && (p.name === nameOrRoot || p.root === trimmed));
    if (found === undefined && inactive !== undefined) {
      throw new AppError(
        'INVALID_ARGUMENT',
        `project: "${inactive.name}" is inactive and takes no new tasks (PATCH /api/projects/${inactive.name} {"active": true} turns it on)`,
      );
    }
    if (found === undefined) {
      throw new AppError(
        'INVALID_ARGUMENT',
        `project: unknown project "${nameOrRoot}" (known: ${projects.map((p) => p.name).join(', ') || 'none'})`,
      );
    }
    return found;
  }

  /** Admits a task into the queue (see `admit`): the new task, or the one already doing its work. */
  async submit(input: SubmitTaskInput): Promise<Task> {
    return (await this.admit(input)).task;
  }

  /**
   * Admits a task into the queue; a full queue is refused. The answer follows one look at the queue
   * (`afterLook`, at most 2 s), so it tells whether the task started at once; `look: false` answers
   * the queued task without it (a caller that must do more before the task may start). One task per piece
   * of work: while a task of the same issue or pull request of the project is unfinished, that
   * task is the answer (`existing`) and nothing is queued; the database decides between concurrent
   * requests. After it ended, a new request is a retry: an issue task works on the branch of the
   * last one, so it pushes to the same pull request instead of opening another.
   */
  async admit(input: SubmitTaskInput, options: { readonly look?: boolean } = {}): Promise<Admission> {
    const project = await this.resolveProject(input.project);
    await this.admission.check(input, project);
    const work = taskWork({ ...input, project: project.name });
    const previous = work === undefined ? undefined : await this.deps.tasks.latestForWork(work);
    if (previous !== undefined && !isTerminal(previous.status)) return { task: previous, existing: true };
    const queued = await this.deps.tasks.countWithStatus(['queued']);
    if (queued >= this.deps.limits.maxQueueSize) {
      throw new AppError(
        'QUEUE_FULL',
        `the queue is full: ${String(queued)} tasks are queued ([concurrency] max_queue_size = ${String(this.deps.limits.maxQueueSize)}); retry later`,
      );
    }
    const retried = input.kind === 'issue' ? (previous?.branch ?? previous?.headBranch) : undefined;
    const now = this.now().toISOString();
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
      headBranch: input.headBranch ?? retried,
      seed: input.seed,
      origin: input.origin,
      status: INITIAL_STATUS,
      attempt: 1,
      inputTokens: 0,
      outputTokens: 0,
      validationRetries: 0,
      reviewRounds: 0,
      createdAt: now,
      updatedAt: now,
      version: 1,
    };
    const reason =
      previous === undefined || work === undefined
        ? 'submitted'
        : `submitted: a retry of task ${previous.id} (${previous.status}) on ${describeWork(work)}${retried === undefined ? '' : `, on its branch ${retried}`}`;
    let created: TaskCreation;
    try {
      created = await this.deps.tasks.create(task, statusEvent(undefined, INITIAL_STATUS, 1, reason));
    } catch (error) {
      // A full disk refuses the task (503 at the edge) and pauses dispatch until writes work again.
      this.storage?.failed(error);
      throw error;
    }
    if (!created.created) return { task: created.existing, existing: true };
    this.events.publish(created.event);
    if (options.look === false) return { task, existing: false };
    return { task: await this.afterLook(task), existing: false };
  }

  /**
   * Asks for a look at the queue and answers the task as stored after it, so a submit can say
   * whether its task started at once. The wait is bounded: a look behind a slow claim (a fleet's
   * lock, storage coming back) answers the task as it was; the look goes on.
   */
  async afterLook(task: Task): Promise<Task> {
    let timer: NodeJS.Timeout | undefined;
    const bound = new Promise<void>((resolve) => {
      timer = setTimeout(resolve, LOOK_WAIT_MS);
    });
    await Promise.race([this.dispatcher.requestTick(), bound]);
    clearTimeout(timer);
    // The task is stored: a read that fails here must not make its submit look failed.
    return (await this.deps.tasks.get(task.id).catch(() => undefined)) ?? task;
  }

  /** The global limits this engine admits and runs tasks under. */
  get limits(): TaskEngineDeps['limits'] {
    return this.deps.limits;
  }

  /** Cancels a queued or running task: its agent's process group is ended and its worktree removed. */
  async cancel(id: string): Promise<Task> {
    for (let tries = 0; tries < 5; tries++) {
      const task = await this.deps.tasks.get(id);
      if (task === undefined) throw new AppError('NOT_FOUND', `no task ${id}`);
      if (isTerminal(task.status)) throw new AppError('CONFLICT', `task ${id} already finished (${task.status})`);
      const entry = this.dispatcher.runningTask(id);
      if (entry !== undefined) {
        entry.stopReason = 'cancel';
        entry.controller.abort();
        await entry.done;
      } else if (task.status === 'queued' || WAITING_STATUSES.includes(task.status) || this.leaseExpired(task)) {
        // Queued, waiting on its pull request or a person, or its server stopped answering: nobody
        // runs it, so it is cancelled here.
        try {
          await this.execution.finish(task, { kind: 'cancelled' });
        } catch (error) {
          // Started meanwhile: try again through its run.
          if (error instanceof AppError && error.code === 'CONFLICT') continue;
          throw error;
        }
      } else {
        // Running on another server: its heartbeat sees the request and ends the run.
        await this.deps.tasks.requestCancel(id, this.now().toISOString());
        const ended = await this.waitForEnd(id, REMOTE_CANCEL_WAIT_MS);
        if (ended !== undefined) return ended;
        throw new AppError(
          'CONFLICT',
          `task ${id} runs on server ${task.leaseOwner ?? '?'}, which was asked to cancel it but has not yet; it will`,
        );
      }
      const after = await this.deps.tasks.get(id);
      if (after !== undefined && isTerminal(after.status)) return after;
    }
    throw new AppError('CONFLICT', `task ${id} changed while being cancelled; try again`);
  }

  private leaseExpired(task: Task): boolean {
    return task.leaseExpiresAt !== undefined && task.leaseExpiresAt <= this.now().toISOString();
  }

  /** The task once it is terminal, polling the store (it may end on another server); undefined after `ms`. */
  private async waitForEnd(id: string, ms: number): Promise<Task | undefined> {
    const deadline = Date.now() + ms;
    while (Date.now() < deadline) {
      const task = await this.deps.tasks.get(id);
      if (task !== undefined && isTerminal(task.status)) return task;
      await new Promise((r) => setTimeout(r, 200));
    }
    return undefined;
  }

  /**
   * Takes back active tasks whose lease expired and that no run here holds: another server's that
   * stopped answering (its worktree and processes were on that server: nothing here to clean), or
   * this server's own whose run ended without recording its outcome (a previous process of this
   * server, or a record that failed): those are cleaned up here first. Each goes back to the queue
   * with its attempt raised (failed after MAX_ATTEMPTS). The write is guarded by the task's version,
   * so of several servers doing this at once one wins.
   */
  async reclaimExpired(): Promise<string[]> {
    const now = this.now().toISOString();
    const expired = (await this.deps.tasks.withStatus(ACTIVE_STATUSES, true)).filter(
      (t) =>
        t.leaseOwner !== undefined &&
        this.dispatcher.runningTask(t.id) === undefined &&
        (t.leaseExpiresAt === undefined || t.leaseExpiresAt <= now),
    );
    const taken: string[] = [];
    for (const task of expired) {
      const ours = task.leaseOwner === this.serverId;
      const reason = ours
        ? `its run on this server ended without recording an outcome while ${task.status}`
        : `its server (${task.leaseOwner ?? '?'}) stopped answering while ${task.status}`;
      try {
        if (ours) await this.releaseWorkspace(task);
        await this.execution.finish(
          task,
          task.attempt < MAX_ATTEMPTS
            ? { kind: 'requeue', attempt: task.attempt + 1, reason }
            : {
                kind: 'failed',
                error: `${reason}, after ${String(task.attempt)} attempts`,
                failureClass: 'interrupted',
              },
        );
        taken.push(task.id);
      } catch (error) {
        // Another server took it back first.
        if (!(error instanceof AppError && error.code === 'CONFLICT')) throw error;
      }
    }
    if (taken.length > 0) {
      this.deps.logger?.log(`took back ${String(taken.length)} task(s) whose lease expired`);
      void this.dispatcher.requestTick();
    }
    return taken;
  }

  /** Storage is back: the work it stopped, then the tasks whose run it ended (see takeBackStranded). */
  private async storageBack(): Promise<void> {
    for (let work = this.pendingStorageWork[0]; work !== undefined; work = this.pendingStorageWork[0]) {
      await work();
      this.pendingStorageWork.shift();
    }
    await this.takeBackStranded();
  }

  /**
   * This server's active tasks that no run here holds (their run ended while their last writes
   * failed) go back to the queue, same attempt: the disk failed, not them.
   */
  private async takeBackStranded(): Promise<void> {
    const stranded = (await this.deps.tasks.withStatus(ACTIVE_STATUSES, true)).filter(
      (t) => t.leaseOwner === this.serverId && this.dispatcher.runningTask(t.id) === undefined,
    );
    for (const task of stranded) {
      try {
        await this.execution.finish(task, {
          kind: 'requeue',
          attempt: task.attempt,
          reason: 'its run ended while storage was unavailable',
        });
      } catch (error) {
        if (!(error instanceof AppError && error.code === 'CONFLICT')) throw error;
      }
    }
    if (stranded.length > 0)
      this.deps.logger?.log(
        `requeued ${String(stranded.length)} task(s) whose run ended while storage was unavailable`,
      );
  }

  /** Ends what a task of this server left running and removes its worktree (see recoverTasks). */
  private async releaseWorkspace(task: Task): Promise<void> {
    const path = task.worktree ?? this.deps.worktrees.pathFor(task.id);
    await this.execution.endProcesses(task.id, path);
    const project = await this.deps.projects.get(task.project);
    if (project !== undefined) await this.deps.worktrees.remove(project.root, path).catch(() => undefined);
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
      endTaskProcesses: (taskId, worktree) => this.execution.endProcesses(taskId, worktree),
      finish: (task, outcome) => this.execution.finish(task, outcome),
    });
  }
}

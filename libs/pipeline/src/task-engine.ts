import { randomUUID } from 'node:crypto';
import { readdirSync } from 'node:fs';
import { killProcessesInDirectory, type AgentRegistry } from '@agent-harness/agents';
import { AppError, type AgentEvent } from '@agent-harness/core';
import {
  ACTIVE_STATUSES,
  MAX_ATTEMPTS,
  isTerminal,
  pickTasksToStart,
  rateLimitRetryAt,
  type NewTaskEvent,
  type Project,
  type ProjectCatalog,
  type StoredTaskEvent,
  type Task,
  type TaskChanges,
  type TaskRepository,
  type TaskRequest,
  type TaskStatus,
} from '@agent-harness/queue';
import { fixPrompt, runChecks, validationCommands, type CommandRunner } from '@agent-harness/validation';
import type { GitWorktreeManager, Worktree } from '@agent-harness/workspace';
import type { Observable } from 'rxjs';
import { TaskEventsHub } from './task-events-hub.js';

/** @public */
export interface TaskEngineDeps {
  readonly tasks: TaskRepository;
  readonly projects: ProjectCatalog;
  readonly worktrees: GitWorktreeManager;
  readonly agents: AgentRegistry;
  readonly limits: { readonly maxConcurrentTasks: number; readonly maxQueueSize: number };
  /** `[validation]`: commands (empty: language-detected), per-command timeout, fix attempts. */
  readonly validation: { readonly preCommit: readonly string[]; readonly timeoutMs: number; readonly maxRetries: number };
  /** Runs validation commands in worktrees. */
  readonly commands: CommandRunner;
  readonly now?: () => Date;
  readonly newId?: () => string;
  readonly logger?: { log(message: string): void; error(message: string): void };
  /** How often queued tasks are looked at besides every submit and finish. Default 1 s. */
  readonly tickMs?: number;
}

/** A task to submit; `project` is a name or a root path, default the default project. @public */
export interface SubmitTaskInput extends TaskRequest {
  readonly project?: string | undefined;
}

/** What happened at start to tasks a previous server left unfinished. @public */
export interface RecoveryReport {
  readonly requeued: readonly string[];
  readonly failed: readonly string[];
  readonly removedWorktrees: readonly string[];
}

type Outcome =
  | { readonly kind: 'done'; readonly commit: string }
  | { readonly kind: 'failed'; readonly error: string }
  | { readonly kind: 'cancelled' }
  | { readonly kind: 'requeue'; readonly attempt: number; readonly notBefore?: string | undefined; readonly reason: string };

interface RunningTask {
  readonly controller: AbortController;
  /** Why the run is being stopped from outside, if it is. */
  stopReason?: 'cancel' | 'shutdown';
  done: Promise<void>;
}

/** The title of a task: its description, else the first line of its prompt, else its issue or PR. */
export function taskTitle(task: TaskRequest): string {
  const firstLine = task.prompt?.trim().split('\n')[0]?.trim();
  const title = task.description ?? (firstLine !== undefined && firstLine !== '' ? firstLine : undefined);
  if (title !== undefined) return title.length > 72 ? `${title.slice(0, 71)}…` : title;
  return task.issue !== undefined ? `issue #${String(task.issue)}` : `PR #${String(task.pr ?? '?')}`;
}

/**
 * The task engine: admits tasks into the durable queue (never waiting for a slot), starts them
 * FIFO while the global and per-project limits allow, runs each through its phases in its own
 * worktree, streams and stores every event, and recovers what a crash left behind.
 * @public
 */
export class TaskEngine {
  readonly hub = new TaskEventsHub();
  private readonly running = new Map<string, RunningTask>();
  private readonly now: () => Date;
  private readonly newId: () => string;
  private timer: NodeJS.Timeout | undefined;
  private ticking = false;
  private tickRequested = false;
  private stopped = false;

  constructor(private readonly deps: TaskEngineDeps) {
    this.now = deps.now ?? (() => new Date());
    this.newId = deps.newId ?? randomUUID;
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
    this.requestTick();
    return report;
  }

  /** Stops dispatching; running tasks are stopped and requeued (same attempt) for the next start. */
  async stop(): Promise<void> {
    this.stopped = true;
    clearInterval(this.timer);
    for (const entry of this.running.values()) {
      entry.stopReason ??= 'shutdown';
      entry.controller.abort();
    }
    await Promise.all([...this.running.values()].map((entry) => entry.done));
    this.hub.closeAll();
  }

  /** Live events of a task (after they are stored). */
  watch(taskId: string): Observable<StoredTaskEvent> {
    return this.hub.watch(taskId);
  }

  async resolveProject(nameOrRoot: string | undefined): Promise<Project> {
    const projects = (await this.deps.projects.list()).filter((p) => p.active);
    if (nameOrRoot === undefined) {
      const chosen = projects.find((p) => p.isDefault) ?? projects[0];
      if (chosen === undefined) throw new AppError('INVALID_ARGUMENT', 'project: no project is configured; name one or register it with POST /api/projects');
      return chosen;
    }
    const trimmed = nameOrRoot.replace(/\/+$/, '');
    const found = projects.find((p) => p.name === nameOrRoot || p.root === trimmed);
    if (found === undefined) {
      throw new AppError('INVALID_ARGUMENT', `project: unknown project "${nameOrRoot}" (known: ${projects.map((p) => p.name).join(', ') || 'none'})`);
    }
    return found;
  }

  /** Admits a task into the queue and answers at once; a full queue is refused. */
  async submit(input: SubmitTaskInput): Promise<Task> {
    const project = await this.resolveProject(input.project);
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
    const [queued, projects] = await Promise.all([this.deps.tasks.withStatus(['queued'], true, DISPATCH_SCAN), this.deps.projects.list()]);
    const byProject = new Map<string, number>();
    for (const task of active) byProject.set(task.project, (byProject.get(task.project) ?? 0) + 1);
    const perProject = new Map(projects.flatMap((p) => (p.maxConcurrent === undefined ? [] : [[p.name, p.maxConcurrent] as const])));
    const toStart = pickTasksToStart(queued, { total: active.length, byProject }, { global: this.deps.limits.maxConcurrentTasks, perProject }, this.iso());
    for (const task of toStart) {
      if (this.stopped || this.running.has(task.id)) continue;
      const entry: RunningTask = { controller: new AbortController(), done: Promise.resolve() };
      this.running.set(task.id, entry);
      // Claim the slot before the next look at the queue, so one task never starts twice.
      try {
        const started = await this.update(task, { status: 'preparing', startedAt: this.iso(), notBefore: undefined, error: undefined }, statusEvent('queued', 'preparing', task.attempt));
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

  private async update(task: Task, changes: TaskChanges, event?: NewTaskEvent): Promise<Task> {
    const result = await this.deps.tasks.update(task.id, task.version, { ...changes, updatedAt: this.iso() }, event);
    if (result.event !== undefined) this.hub.publish(result.event);
    return result.task;
  }

  private async log(taskId: string, kind: NewTaskEvent['kind'], data: unknown): Promise<void> {
    this.hub.publish(await this.deps.tasks.appendEvent(taskId, { kind, data }));
  }

  /** Runs one started task to its outcome, cleans up its worktree, then records the outcome. */
  private async execute(started: Task, entry: RunningTask): Promise<void> {
    let task = started;
    let worktree: Worktree | undefined;
    let project: Project | undefined;
    let outcome: Outcome;
    try {
      project = await this.deps.projects.get(task.project);
      if (project === undefined) throw new AppError('NOT_FOUND', `project "${task.project}" no longer exists`);
      if (!project.active) throw new AppError('CONFLICT', `project "${task.project}" is inactive`);
      if (task.kind !== 'prompt') {
        throw new AppError('UNSUPPORTED', `${task.kind} tasks need the GitHub integration, which this version does not have yet`);
      }
      worktree = await this.deps.worktrees.create(project.root, task.id, taskTitle(task), project.baseBranch);
      task = await this.update(task, { worktree: worktree.path, branch: worktree.branch }, { kind: 'log', data: { message: `worktree ${worktree.path} on branch ${worktree.branch} from ${worktree.base}` } });
      const runner = this.deps.agents.select({ agent: task.agent, projectDefault: project.defaultAgent });
      task = await this.update(task, { status: 'running', agentUsed: runner.name }, statusEvent('preparing', 'running', task.attempt, `agent ${runner.name}`));
      let agentOutcome = await this.runAgent(task, runner, worktree, entry, task.prompt ?? '', undefined);
      if (agentOutcome === 'succeeded') agentOutcome = await this.validate(task.id, runner, worktree, entry);
      if (agentOutcome === 'succeeded') {
        // Harness commits the agent's changes itself; no change at all is a failure, not a success.
        task = (await this.deps.tasks.get(task.id)) ?? task;
        task = await this.update(task, { status: 'committing' }, statusEvent(task.status, 'committing', task.attempt));
        const commit = await this.deps.worktrees.commitAll(project.root, worktree.path, commitMessage(task));
        outcome = commit === undefined ? { kind: 'failed', error: 'agent made no changes' } : { kind: 'done', commit };
      } else {
        outcome = agentOutcome;
      }
    } catch (error) {
      outcome = entry.stopReason === 'cancel' ? { kind: 'cancelled' } : { kind: 'failed', error: error instanceof Error ? error.message : String(error) };
    }
    if (entry.stopReason === 'shutdown' && outcome.kind !== 'done') outcome = { kind: 'requeue', attempt: task.attempt, reason: 'the server shut down' };
    if (worktree !== undefined && project !== undefined) {
      const path = worktree.path;
      await this.deps.worktrees.remove(project.root, path).catch((error: unknown) => {
        this.deps.logger?.error(`task ${task.id}: could not remove ${path}: ${String(error)}`);
      });
    }
    await this.finish((await this.deps.tasks.get(task.id)) ?? task, outcome);
  }

  /**
   * Runs the validation commands in the worktree; each failure goes back to the same agent session
   * to fix, up to `maxRetries` times. Every run is recorded as a `validation` event.
   */
  private async validate(taskId: string, runner: ReturnType<AgentRegistry['select']>, worktree: Worktree, entry: RunningTask): Promise<Outcome | 'succeeded'> {
    const ran = await this.deps.tasks.get(taskId);
    if (ran === undefined) throw new AppError('NOT_FOUND', `task ${taskId} vanished`);
    let task = await this.update(ran, { status: 'validating' }, statusEvent('running', 'validating', ran.attempt));
    const { preCommit, timeoutMs, maxRetries } = this.deps.validation;
    const plan = validationCommands(preCommit, readdirSync(worktree.path));
    if (plan.commands.length === 0) {
      await this.log(taskId, 'log', { message: 'validation: nothing to run (no [validation] pre_commit and no known language detected)' });
      return 'succeeded';
    }
    for (let retry = 0; ; retry++) {
      const checks = await runChecks(this.deps.commands, plan.commands, worktree.path, timeoutMs);
      await this.log(taskId, 'validation', { retry, ok: checks.ok, source: plan.source, outcomes: checks.outcomes });
      if (checks.ok) return 'succeeded';
      const failure = checks.outcomes.at(-1);
      if (failure === undefined || entry.controller.signal.aborted) return { kind: 'failed', error: 'validation stopped' };
      if (retry >= maxRetries) {
        const how = failure.timedOut ? 'timed out' : `exited with code ${String(failure.exitCode)}`;
        return { kind: 'failed', error: `validation failed after ${String(retry)} fix attempt(s): \`${failure.command}\` ${how}` };
      }
      task = (await this.deps.tasks.get(taskId)) ?? task;
      task = await this.update(task, { validationRetries: task.validationRetries + 1 });
      const fixed = await this.runAgent(task, runner, worktree, entry, fixPrompt(failure, retry + 1, maxRetries), task.sessionId);
      if (fixed !== 'succeeded') return fixed;
    }
  }

  /** Runs the agent in the worktree; its events are stored and streamed as they come. */
  private async runAgent(task: Task, runner: ReturnType<AgentRegistry['select']>, worktree: Worktree, entry: RunningTask, prompt: string, resumeSessionId: string | undefined): Promise<Outcome | 'succeeded'> {
    const run = runner.run({ prompt, cwd: worktree.path, model: task.model, signal: entry.controller.signal, resumeSessionId });
    let stored: Promise<void> = Promise.resolve();
    const subscription = run.events$.subscribe((event: AgentEvent) => {
      stored = stored.then(() => this.log(task.id, 'agent', event));
    });
    const result = await run.result;
    subscription.unsubscribe();
    await stored;
    const current = (await this.deps.tasks.get(task.id)) ?? task;
    await this.update(current, { sessionId: result.sessionId ?? current.sessionId, inputTokens: current.inputTokens + result.usage.inputTokens + result.usage.cachedInputTokens, outputTokens: current.outputTokens + result.usage.outputTokens, costUsd: result.costUsd });
    if (result.ok) return 'succeeded';
    if (entry.stopReason === 'cancel') return { kind: 'cancelled' };
    if (result.reason === 'rate_limited' && task.attempt < MAX_ATTEMPTS) {
      return { kind: 'requeue', attempt: task.attempt + 1, notBefore: rateLimitRetryAt(this.now().getTime(), task.attempt, result.rateLimitResetAt), reason: `rate limited: ${result.message ?? ''}` };
    }
    return { kind: 'failed', error: `${runner.name} ${result.reason}${result.message === undefined ? '' : `: ${result.message}`}` };
  }

  /** Records the outcome: a terminal status with its final `end` event, or back to the queue. */
  private async finish(task: Task, outcome: Outcome): Promise<void> {
    const now = this.iso();
    if (outcome.kind === 'requeue') {
      await this.update(
        task,
        { status: 'queued', attempt: outcome.attempt, notBefore: outcome.notBefore, worktree: undefined, error: outcome.reason },
        statusEvent(task.status, 'queued', outcome.attempt, outcome.reason),
      );
      return;
    }
    const status: TaskStatus = outcome.kind === 'done' ? 'done' : outcome.kind;
    const error = outcome.kind === 'failed' ? outcome.error : outcome.kind === 'cancelled' ? 'cancelled by request' : undefined;
    const changes: TaskChanges = { status, finishedAt: now, worktree: undefined, error, ...(outcome.kind === 'done' ? { commit: outcome.commit } : {}) };
    const finished = await this.update(task, changes, statusEvent(task.status, status, task.attempt, error));
    await this.log(task.id, 'end', { status, error: finished.error, commit: finished.commit, branch: finished.branch });
    this.hub.close(task.id);
  }

  /**
   * After a crash: ends the agents a dead server left working in task worktrees, removes those
   * worktrees, and requeues each interrupted task with its attempt raised (failing it after
   * MAX_ATTEMPTS). Queued tasks simply stay queued. Worktrees of no live task are swept.
   */
  async recover(): Promise<RecoveryReport> {
    const requeued: string[] = [];
    const failed: string[] = [];
    const projects = await this.deps.projects.list();
    const rootOf = new Map(projects.map((p) => [p.name, p.root]));
    for (const task of await this.deps.tasks.withStatus(ACTIVE_STATUSES, true)) {
      const path = task.worktree ?? this.deps.worktrees.pathFor(task.id);
      await killProcessesInDirectory(path);
      const root = rootOf.get(task.project);
      if (root !== undefined) await this.deps.worktrees.remove(root, path).catch(() => undefined);
      const reason = `interrupted by a server restart while ${task.status}`;
      if (task.attempt < MAX_ATTEMPTS) {
        await this.finish(task, { kind: 'requeue', attempt: task.attempt + 1, reason });
        requeued.push(task.id);
      } else {
        await this.finish(task, { kind: 'failed', error: `${reason}, after ${String(task.attempt)} attempts` });
        failed.push(task.id);
      }
    }
    const live = await this.deps.tasks.withStatus(['queued', ...ACTIVE_STATUSES], true);
    const removedWorktrees = await this.deps.worktrees.sweepOrphans(
      projects.map((p) => p.root),
      new Set(live.map((t) => t.id)),
      (path) => killProcessesInDirectory(path).then(() => undefined),
    );
    if (requeued.length + failed.length + removedWorktrees.length > 0) {
      this.deps.logger?.log(`recovery: ${String(requeued.length)} requeued, ${String(failed.length)} failed, ${String(removedWorktrees.length)} orphaned worktrees removed`);
    }
    return { requeued, failed, removedWorktrees };
  }
}

/** Queued tasks looked at per dispatch, oldest first (more than any sane max_queue_size). */
const DISPATCH_SCAN = 10_000;

function statusEvent(from: TaskStatus | undefined, to: TaskStatus, attempt: number, reason?: string): NewTaskEvent {
  return { kind: 'status', data: { from: from ?? null, to, attempt, ...(reason === undefined ? {} : { reason }) } };
}

function commitMessage(task: Task): string {
  return `${taskTitle(task)}\n\nHarness task ${task.id}${task.agentUsed === undefined ? '' : ` (agent: ${task.agentUsed})`}`;
}

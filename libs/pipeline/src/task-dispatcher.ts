import { AppError } from '@agent-harness/core';
import {
  ACTIVE_STATUSES,
  pickTasksToStart,
  type ProjectCatalog,
  type Task,
  type TaskRepository,
} from '@agent-harness/queue';
import { statusEvent } from './task-outcome.js';
import type { TaskRecorder } from './task-recorder.js';

/** A task this server is running. */
export interface RunningTask {
  readonly controller: AbortController;
  /** Why the run is being stopped from outside, if it is. */
  stopReason?: 'cancel' | 'shutdown';
  done: Promise<void>;
}

/** What the dispatcher reads, writes through, and hands started tasks to. */
export interface TaskDispatcherDeps {
  readonly tasks: TaskRepository;
  readonly projects: ProjectCatalog;
  readonly recorder: TaskRecorder;
  readonly limits: { readonly maxConcurrentTasks: number };
  readonly serverId: string;
  /** How long a lease holds without a heartbeat; renewed every third of it. */
  readonly leaseMs: number;
  /** How often queued tasks are looked at besides every submit and finish. */
  readonly tickMs: number;
  readonly now: () => Date;
  readonly logger?: { error(message: string): void } | undefined;
  /** Runs a started (leased, `preparing`) task to its end. */
  readonly execute: (started: Task, entry: RunningTask) => Promise<void>;
}

/** Queued tasks looked at per dispatch, oldest first (more than any sane max_queue_size). */
const DISPATCH_SCAN = 10_000;

/**
 * The dispatcher: starts queued tasks FIFO while the global and per-project limits allow, each
 * under a lease of this server's that a heartbeat renews; one look at the queue at a time.
 */
export class TaskDispatcher {
  private readonly running = new Map<string, RunningTask>();
  private timer: NodeJS.Timeout | undefined;
  private heartbeat: NodeJS.Timeout | undefined;
  private ticking = false;
  private tickRequested = false;
  private stopped = false;
  /** Only queued tasks this accepts are started (a CLI command running its own task). */
  private only: ((task: Task) => boolean) | undefined;

  constructor(private readonly deps: TaskDispatcherDeps) {}

  /** Starts dispatching; with `only`, just the queued tasks it accepts (the others wait for a server). */
  start(only?: (task: Task) => boolean): void {
    this.only = only;
    this.timer = setInterval(() => {
      this.requestTick();
    }, this.deps.tickMs);
    this.heartbeat = setInterval(() => void this.renewLeases(), Math.max(1000, this.deps.leaseMs / 3));
    this.requestTick();
  }

  /** Stops starting tasks; the running ones are stopped (reason `shutdown`) and awaited. */
  async stop(): Promise<void> {
    this.stopped = true;
    clearInterval(this.timer);
    clearInterval(this.heartbeat);
    for (const entry of this.running.values()) {
      entry.stopReason ??= 'shutdown';
      entry.controller.abort();
    }
    await Promise.all([...this.running.values()].map((entry) => entry.done));
  }

  /** The run of a task on this server, if it is running here. */
  runningTask(id: string): RunningTask | undefined {
    return this.running.get(id);
  }

  /** Asks for a look at the queue; looks that are asked for while one runs collapse into one more. */
  requestTick(): void {
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

  leaseUntil(): string {
    return new Date(this.deps.now().getTime() + this.deps.leaseMs).toISOString();
  }

  /** The heartbeat: extends the leases of the tasks this server runs. Never throws. */
  private async renewLeases(): Promise<void> {
    try {
      await this.deps.tasks.renewLeases(this.deps.serverId, [...this.running.keys()], this.leaseUntil());
    } catch (error) {
      this.deps.logger?.error(`could not renew task leases: ${error instanceof Error ? error.message : String(error)}`);
    }
  }

  private async dispatch(): Promise<void> {
    const { tasks, limits } = this.deps;
    // The kept counts answer the common cases (every slot taken, nothing queued) without reading rows.
    const [activeCount, queuedCount] = await Promise.all([
      tasks.countWithStatus(ACTIVE_STATUSES),
      tasks.countWithStatus(['queued']),
    ]);
    if (activeCount >= limits.maxConcurrentTasks || queuedCount === 0) return;
    const [active, queued, projects] = await Promise.all([
      tasks.withStatus(ACTIVE_STATUSES, true),
      tasks.withStatus(['queued'], true, DISPATCH_SCAN),
      this.deps.projects.list(),
    ]);
    const byProject = new Map<string, number>();
    for (const task of active) byProject.set(task.project, (byProject.get(task.project) ?? 0) + 1);
    const perProject = new Map(
      projects.flatMap((p) => (p.maxConcurrent === undefined ? [] : [[p.name, p.maxConcurrent] as const])),
    );
    const toStart = pickTasksToStart(
      this.only === undefined ? queued : queued.filter(this.only),
      { total: active.length, byProject },
      { global: limits.maxConcurrentTasks, perProject },
      this.deps.now().toISOString(),
    );
    for (const task of toStart) {
      if (this.stopped || this.running.has(task.id)) continue;
      await this.startTask(task);
    }
  }

  /** Claims the task (lease + `preparing`, guarded by its version) before the next look at the queue. */
  private async startTask(task: Task): Promise<void> {
    const entry: RunningTask = { controller: new AbortController(), done: Promise.resolve() };
    this.running.set(task.id, entry);
    try {
      const started = await this.deps.recorder.update(
        task,
        {
          status: 'preparing',
          startedAt: this.deps.now().toISOString(),
          notBefore: undefined,
          error: undefined,
          leaseOwner: this.deps.serverId,
          leaseExpiresAt: this.leaseUntil(),
        },
        statusEvent('queued', 'preparing', task.attempt),
      );
      entry.done = this.deps
        .execute(started, entry)
        .catch((error: unknown) => {
          this.deps.logger?.error(`task ${task.id}: ${error instanceof Error ? error.message : String(error)}`);
        })
        .finally(() => {
          this.running.delete(task.id);
          this.requestTick();
        });
    } catch (error) {
      this.running.delete(task.id);
      // Another server (or a cancel) moved it first: not ours to start.
      if (!(error instanceof AppError && error.code === 'CONFLICT')) throw error;
    }
  }
}

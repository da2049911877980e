import { applyTransition, type ProjectCatalog, type Task, type TaskRepository } from '@agent-harness/queue';
import type { StorageGate } from './storage-gate.js';
import { statusEvent } from './task-outcome.js';
import type { TaskRecorder } from './task-recorder.js';

/** A task this server is running. */
export interface RunningTask {
  readonly controller: AbortController;
  /**
   * Why the run is being stopped from outside, if it is: a cancel (from any server), this server
   * shutting down, or its lease lost (another server took the task back: its run is not ours).
   */
  stopReason?: 'cancel' | 'shutdown' | 'lease_lost';
  done: Promise<void>;
}

/** How often a claim reads the whole queue, for tasks of projects the catalog no longer has. */
const EVERY_PROJECT_MS = 60_000;

/** What the dispatcher reads, writes through, and hands started tasks to. */
export interface TaskDispatcherDeps {
  readonly tasks: TaskRepository;
  readonly projects: ProjectCatalog;
  readonly recorder: TaskRecorder;
  readonly limits: { readonly maxConcurrentTasks: number };
  readonly serverId: string;
  /** How long a lease holds without a heartbeat. */
  readonly leaseMs: number;
  /** How often leases are renewed and cancel requests looked for (at most a third of `leaseMs`). */
  readonly heartbeatMs: number;
  /** How often queued tasks are looked at besides every submit and finish. */
  readonly tickMs: number;
  readonly now: () => Date;
  readonly logger?: { error(message: string): void } | undefined;
  /** Runs a started (leased, `preparing`) task to its end. */
  readonly execute: (started: Task, entry: RunningTask) => Promise<void>;
  /**
   * The projects whose queued tasks wait for a spend day to turn (a daily limit is spent), and
   * whether all do; asked at every look at the queue, with the injected clock.
   */
  readonly budgetHolds?: (() => Promise<{ readonly all: boolean; readonly projects: ReadonlySet<string> }>) | undefined;
  /** Called with every heartbeat (the engine takes back tasks whose server stopped answering). */
  readonly onHeartbeat?: (() => Promise<void>) | undefined;
  /** Closed while the disk is full or the database read-only: nothing is claimed until it opens. */
  readonly storage?: StorageGate | undefined;
  /** Called when the storage gate opens again, before the first claim after it. */
  readonly onStorageBack?: (() => Promise<void>) | undefined;
}

/**
 * The dispatcher: starts queued tasks FIFO while the global and per-project limits allow, each
 * under a lease of this server's that a heartbeat renews; one look at the queue at a time.
 */
export class TaskDispatcher {
  private readonly running = new Map<string, RunningTask>();
  /** When a claim last read every project's queued tasks (see everyProjectDue). */
  private everyProjectAt = 0;
  private timer: NodeJS.Timeout | undefined;
  private heartbeat: NodeJS.Timeout | undefined;
  private ticking = false;
  private tickRequested = false;
  /** Settles when the look that takes the pending request has ended (see `requestTick`). */
  private nextLook = settleable();
  private stopped = false;
  /**
   * Nothing is claimed before `start`: a submit in a process that never started dispatch (a
   * one-shot CLI command, a Harness built to read or queue) leaves the task for a server.
   */
  private started = false;
  /** Only these queued tasks are started (a CLI command running its own task). */
  private only: ReadonlySet<string> | undefined;
  /** Draining: no new claims; the running tasks go on. */
  private draining = false;

  constructor(private readonly deps: TaskDispatcherDeps) {}

  /** Starts dispatching; with `only`, just those queued tasks (the others wait for a server). */
  start(only?: ReadonlySet<string>): void {
    this.started = true;
    this.only = only;
    this.timer = setInterval(() => {
      void this.requestTick();
    }, this.deps.tickMs);
    this.heartbeat = setInterval(() => void this.beat(), this.deps.heartbeatMs);
    void this.requestTick();
  }

  /** Stops claiming new tasks; running ones go on (and keep their leases) until they end. */
  drain(): void {
    this.draining = true;
  }

  /** How many tasks this server runs now. */
  get runningCount(): number {
    return this.running.size;
  }

  /** Resolves when no task runs here, or after `ms` (whichever is first); true when none runs. */
  async idle(ms: number): Promise<boolean> {
    const deadline = Date.now() + ms;
    while (this.running.size > 0 && Date.now() < deadline) {
      await Promise.race([
        Promise.all([...this.running.values()].map((e) => e.done)),
        new Promise((r) => setTimeout(r, Math.min(500, Math.max(0, deadline - Date.now())))),
      ]);
    }
    return this.running.size === 0;
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

  /** Whether this claim reads every project's queued tasks (once a minute), not only the catalog's. */
  private everyProjectDue(): boolean {
    const now = Date.now();
    if (now - this.everyProjectAt < EVERY_PROJECT_MS) return false;
    this.everyProjectAt = now;
    return true;
  }

  /** The run of a task on this server, if it is running here. */
  runningTask(id: string): RunningTask | undefined {
    return this.running.get(id);
  }

  /**
   * Asks for a look at the queue; looks that are asked for while one runs collapse into one more.
   * The promise settles when a look that began after this request has ended (a submit awaits it to
   * say whether its task started at once); it never rejects.
   */
  requestTick(): Promise<void> {
    if (this.stopped || !this.started) return Promise.resolve();
    this.tickRequested = true;
    const answered = this.nextLook.promise;
    if (this.ticking) return answered;
    this.ticking = true;
    void (async () => {
      try {
        while (this.tickRequested && !this.stopped) {
          this.tickRequested = false;
          const look = this.nextLook;
          this.nextLook = settleable();
          try {
            await this.dispatch();
          } finally {
            look.settle();
          }
        }
      } catch (error) {
        this.report('dispatch failed', error);
      } finally {
        this.ticking = false;
        // Stopped, or the look failed, with requests pending: nobody waits for a look that may not come.
        this.nextLook.settle();
        this.nextLook = settleable();
      }
    })();
    return answered;
  }

  leaseUntil(): string {
    return new Date(this.deps.now().getTime() + this.deps.leaseMs).toISOString();
  }

  /**
   * The heartbeat: extends the leases of the tasks this server runs, stops the runs whose lease
   * another server took back, and cancels those someone asked to cancel (on any server). Never throws.
   */
  private async beat(): Promise<void> {
    try {
      const check = await this.deps.tasks.renewLeases(this.deps.serverId, [...this.running.keys()], this.leaseUntil());
      for (const id of check.lost) this.stopRun(id, 'lease_lost');
      for (const id of check.cancelRequested) this.stopRun(id, 'cancel');
    } catch (error) {
      this.report('could not renew task leases', error);
    }
    // Taking tasks back writes too: it waits until storage is back (and a probe says so).
    if (this.deps.storage?.closed === true) return;
    try {
      await this.deps.onHeartbeat?.();
    } catch (error) {
      this.report('heartbeat', error);
    }
  }

  /** Logs a failure, unless it is storage's: the gate closes and says so once. */
  private report(what: string, error: unknown): void {
    if (this.deps.storage?.failed(error) === true) return;
    this.deps.logger?.error(`${what}: ${error instanceof Error ? error.message : String(error)}`);
  }

  private stopRun(id: string, reason: NonNullable<RunningTask['stopReason']>): void {
    const entry = this.running.get(id);
    if (entry === undefined || entry.stopReason !== undefined) return;
    if (reason === 'lease_lost')
      this.deps.logger?.error(`task ${id}: another server took it back; stopping its run here`);
    entry.stopReason = reason;
    entry.controller.abort();
  }

  /**
   * One look at the queue: claims what this server's free slots and the projects' limits (across
   * every server sharing the database) allow, in one transaction (see `TaskRepository.claimQueued`),
   * then runs each claimed task.
   */
  private async dispatch(): Promise<void> {
    const { tasks, limits } = this.deps;
    if (this.draining || this.running.size >= limits.maxConcurrentTasks) return;
    const { storage } = this.deps;
    if (storage?.closed === true) {
      if (!(await storage.writable())) return;
      await this.deps.onStorageBack?.();
    }
    // The kept counts answer the common case (nothing queued) without a claim transaction.
    if ((await tasks.countWithStatus(['queued'])) === 0) return;
    const holds = await this.deps.budgetHolds?.();
    if (holds?.all === true) return;
    const projects = await this.deps.projects.list();
    const perProject = new Map(
      projects.flatMap((p) => (p.maxConcurrent === undefined ? [] : [[p.name, p.maxConcurrent] as const])),
    );
    // A project whose daily limit is spent gets no slot until the day turns.
    for (const name of holds?.projects ?? []) perProject.set(name, 0);
    const claimed = await tasks.claimQueued({
      owner: this.deps.serverId,
      leaseExpiresAt: this.leaseUntil(),
      now: this.deps.now().toISOString(),
      serverSlots: limits.maxConcurrentTasks,
      perProject,
      onlyIds: this.only,
      // A run of the same task still ending here (its lease was lost) must end before another starts.
      excludeIds: new Set(this.running.keys()),
      // Each project read within its free slots; now and then every project's, for tasks of one
      // the catalog no longer has (they fail at prepare rather than wait forever).
      projects: this.everyProjectDue() ? undefined : projects.map((p) => p.name),
      // The claim names the server, so a task's history says where each attempt ran.
      event: (task) => {
        const event = statusEvent(task.status, applyTransition(task.id, task.status, 'start'), task.attempt);
        return { ...event, data: { ...(event.data as object), server: this.deps.serverId } };
      },
    });
    for (const { task, event } of claimed) {
      this.deps.recorder.claimed(task, event);
      this.run(task);
    }
  }

  private run(started: Task): void {
    const entry: RunningTask = { controller: new AbortController(), done: Promise.resolve() };
    this.running.set(started.id, entry);
    // Stopped meanwhile: the claimed task goes back at once (the run sees the abort).
    if (this.stopped) {
      entry.stopReason = 'shutdown';
      entry.controller.abort();
    }
    entry.done = this.deps
      .execute(started, entry)
      .catch((error: unknown) => {
        this.report(`task ${started.id}`, error);
      })
      .finally(() => {
        // Only this run's entry: never a later run of the same task.
        if (this.running.get(started.id) === entry) this.running.delete(started.id);
        void this.requestTick();
      });
  }
}

/** A promise and the function that resolves it. */
function settleable(): { promise: Promise<void>; settle: () => void } {
  let settle = (): void => undefined;
  const promise = new Promise<void>((resolve) => {
    settle = resolve;
  });
  return { promise, settle };
}

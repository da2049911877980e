import { failureClassOfError, toAppError, type OutputCountsJson, type SecretRedactor } from '@agent-harness/core';
import type { Task, TaskRepository } from '@agent-harness/queue';
import type { GitWorktreeManager } from '@agent-harness/workspace';
import type { TaskRunDeps } from './run-context.js';
import type { StorageGate } from './storage-gate.js';
import type { RunningTask } from './task-dispatcher.js';
import type { TaskEventBus } from './task-event-bus.js';
import { outcomeChanges } from './task-outcome.js';
import type { TaskProcesses } from './task-processes.js';
import type { TaskRecorder } from './task-recorder.js';
import { TaskRun, type RunOutcome } from './task-run.js';
import { taskTitle } from './task-title.js';

/** What running a started task to its recorded end takes. */
export interface TaskExecutionDeps {
  readonly run: Omit<TaskRunDeps, 'redact'>;
  readonly tasks: TaskRepository;
  readonly worktrees: GitWorktreeManager;
  readonly recorder: TaskRecorder;
  readonly events: TaskEventBus;
  readonly redactor: SecretRedactor;
  readonly processes: TaskProcesses;
  readonly now: () => Date;
  readonly logger?: { error(message: string): void } | undefined;
  /** How long a stopped run may take to end by itself before it is cleaned up without it. */
  readonly stopGraceMs: number;
  /** Told of a run that failed for storage (full disk, read-only database): dispatch pauses. */
  readonly storage?: StorageGate | undefined;
}

/** What a stopped run answers when it did not end within the grace period. */
const UNRESPONSIVE = Symbol('unresponsive');

/**
 * Runs a started task through its phases, cleans up after it whatever happened (its processes,
 * the shared git state, the worktree, a branch with no commit), then records the outcome.
 */
export class TaskExecution {
  constructor(private readonly deps: TaskExecutionDeps) {}

  async execute(started: Task, entry: RunningTask): Promise<void> {
    const { recorder, redactor } = this.deps;
    const run = new TaskRun(
      started,
      { ...this.deps.run, redact: (text) => redactor.text(text) },
      entry.controller.signal,
      {
        update: (task, changes, event) => recorder.update(task, changes, event),
        log: (taskId, kind, data) => recorder.log(taskId, kind, data),
      },
    );
    let outcome: RunOutcome;
    try {
      const ran = await this.untilStopped(run.run(taskTitle(started), commitMessage), entry.controller.signal);
      if (ran === UNRESPONSIVE) {
        const message = `the run did not stop within ${String(this.deps.stopGraceMs / 1000)} s; cleaning up without it`;
        this.deps.logger?.error(`task ${started.id}: ${message}`);
        await recorder.log(started.id, 'log', { message: `warning: ${message}` }).catch(() => undefined);
        outcome = { kind: 'failed', error: 'the run did not stop', failureClass: 'interrupted' };
      } else {
        outcome = ran;
      }
    } catch (error) {
      const failure = toAppError(error);
      if (failure.code === 'STORAGE_UNAVAILABLE') this.deps.storage?.failed(error);
      outcome =
        failure.code === 'STORAGE_UNAVAILABLE'
          ? // The disk failed, not the task: it goes back to the queue (or, if that write fails too,
            // the engine requeues it once storage is back).
            { kind: 'requeue', attempt: run.current.attempt, reason: failure.message }
          : { kind: 'failed', error: failure.message, failureClass: failureClassOfError(failure.code) };
    }
    if (entry.stopReason === 'lease_lost') {
      // Another server took the task back: its worktree here goes, its row is no longer ours to write.
      await this.cleanUp(
        started.id,
        run,
        { kind: 'requeue', attempt: run.current.attempt, reason: 'lease lost' },
        false,
      );
      return;
    }
    // Stopped from outside: the reason for stopping wins over whatever the interrupted phase said.
    if (entry.stopReason === 'cancel' && outcome.kind !== 'done') outcome = { kind: 'cancelled' };
    if (entry.stopReason === 'shutdown' && outcome.kind !== 'done')
      outcome = { kind: 'requeue', attempt: run.current.attempt, reason: 'the server shut down' };
    await this.cleanUp(started.id, run, outcome);
    await this.finish((await this.deps.tasks.get(started.id)) ?? run.current, outcome, run.outputCounts);
  }

  /**
   * The run's outcome; once `signal` aborts, at most `stopGraceMs` later. Every phase stops at the
   * abort by itself (its processes, git and GitHub calls end with it); this bound is for a step
   * that does not, so a cancel always ends. Such a run is left to fail on its own, unawaited.
   */
  private untilStopped(running: Promise<RunOutcome>, signal: AbortSignal): Promise<RunOutcome | typeof UNRESPONSIVE> {
    return new Promise((resolve, reject) => {
      let timer: NodeJS.Timeout | undefined;
      const onAbort = (): void => {
        timer = setTimeout(() => {
          resolve(UNRESPONSIVE);
        }, this.deps.stopGraceMs);
      };
      if (signal.aborted) onAbort();
      else signal.addEventListener('abort', onAbort, { once: true });
      running.then(
        (outcome) => {
          clearTimeout(timer);
          signal.removeEventListener('abort', onAbort);
          resolve(outcome);
        },
        (error: unknown) => {
          clearTimeout(timer);
          signal.removeEventListener('abort', onAbort);
          reject(error instanceof Error ? error : new Error(String(error)));
        },
      );
    });
  }

  /**
   * Ends the task's processes (unless `endProcesses` is false: a task another server now runs may
   * have processes with the same marker on this machine), restores shared git state, removes the
   * worktree and, for a task that ends before its first commit, its branch.
   */
  private async cleanUp(taskId: string, run: TaskRun, outcome: RunOutcome, endProcesses = true): Promise<void> {
    const { worktrees, logger } = this.deps;
    const cleanup = run.cleanup;
    if (endProcesses) await this.endProcesses(taskId, cleanup?.path);
    const guarded = run.guardedRepository;
    if (guarded !== undefined) {
      const changed = await worktrees.releaseSharedState(guarded).catch((error: unknown) => {
        logger?.error(`task ${taskId}: could not restore the shared git state of ${guarded}: ${String(error)}`);
        return [];
      });
      if (changed.length > 0)
        await this.deps.recorder.log(taskId, 'log', {
          message: `warning: the repository's shared ${changed.join(', ')} had changed; restored as it was before the task`,
        });
    }
    if (cleanup === undefined) return;
    await worktrees.remove(cleanup.repoRoot, cleanup.path).catch((error: unknown) => {
      logger?.error(`task ${taskId}: could not remove ${cleanup.path}: ${String(error)}`);
    });
    // A task that ends before its first commit leaves no branch behind in the user's repository.
    const last = run.current;
    const unfinished = outcome.kind !== 'done' && outcome.kind !== 'requeue';
    if (unfinished && last.kind !== 'pr' && last.commit === undefined && last.branch !== undefined)
      await worktrees.deleteBranch(cleanup.repoRoot, last.branch).catch(() => undefined);
  }

  /** Ends every process of a task (see TaskProcesses); never throws. */
  async endProcesses(taskId: string, worktree: string | undefined): Promise<void> {
    try {
      await this.deps.processes.end(taskId, worktree);
    } catch (error) {
      this.deps.logger?.error(
        `task ${taskId}: could not end its processes: ${error instanceof Error ? error.message : String(error)}`,
      );
    }
  }

  /**
   * Records the outcome: a terminal status with its final `end` event (with what became of the
   * agents' output when it was cut), or back to the queue.
   */
  async finish(task: Task, outcome: RunOutcome, output?: OutputCountsJson): Promise<void> {
    const { changes, event } = outcomeChanges(task, outcome, this.deps.now().toISOString());
    const finished = await this.deps.recorder.update(task, changes, event);
    if (outcome.kind === 'requeue') return;
    const { status, error, failureClass, commit, branch, prUrl, grade, reviewOutcome } = finished;
    await this.deps.recorder.log(task.id, 'end', {
      status,
      error,
      failure_class: failureClass,
      commit,
      branch,
      pr: prUrl,
      grade,
      review: reviewOutcome,
      ...(output === undefined ? {} : { output_truncated: output }),
    });
    this.deps.events.close(task.id);
  }
}

function commitMessage(task: Task): string {
  return `${taskTitle(task)}\n\nHarness task ${task.id}${task.agentUsed === undefined ? '' : ` (agent: ${task.agentUsed})`}`;
}

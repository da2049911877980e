import { failureClassOfError, toAppError, type OutputCountsJson, type SecretRedactor } from '@agent-harness/core';
import { isTerminal, type Task, type TaskRepository } from '@agent-harness/queue';
import type { GitWorktreeManager } from '@agent-harness/workspace';
import type { TaskRunDeps } from './run-context.js';
import type { StorageGate } from './storage-gate.js';
import { branchFate, doneBranchFate, type BranchFate } from './task-branch.js';
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
  /** Told of a task that now waits on its pull request or a person: it is looked at once at once. */
  readonly onWait?: ((taskId: string) => void) | undefined;
}

/** What a stopped run answers when it did not end within the grace period. */
const UNRESPONSIVE = Symbol('unresponsive');

/**
 * Runs a started task through its phases, cleans up after it whatever happened (its processes,
 * the shared git state, the worktree), then records the outcome (see `finish` for its branch).
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
        logMany: (taskId, events) => recorder.logMany(taskId, events),
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
      // Its processes stay: that server may run the task's processes, with the same marker, here.
      await this.restoreSharedGitState(started.id, run);
      await this.releaseWorktree(started.id, run, undefined);
      return;
    }
    // Stopped from outside: the reason for stopping wins over whatever the interrupted phase said.
    if (entry.stopReason === 'cancel' && outcome.kind !== 'done') outcome = { kind: 'cancelled' };
    // A run that ended waiting is durable as it is: a shutdown does not redo it.
    if (entry.stopReason === 'shutdown' && outcome.kind !== 'done' && outcome.kind !== 'wait')
      outcome = { kind: 'requeue', attempt: run.current.attempt, reason: 'the server shut down' };
    await this.stopProcesses(started.id, run);
    // Before the branch's fate is decided: deciding reads origin's URL from the config.
    await this.restoreSharedGitState(started.id, run);
    // Decided before the worktree goes, so the branch goes with it (one git process, not three);
    // when it cannot be decided here, `finish` tries again.
    const decided = await this.branchFateOf(run.current, outcome).then(
      (fate) => ({ fate }),
      () => undefined,
    );
    const settled = await this.releaseWorktree(started.id, run, decided?.fate);
    try {
      const ended = (await this.deps.tasks.get(started.id)) ?? run.current;
      await this.finish(ended, outcome, run.outputCounts, decided === undefined ? undefined : { ...decided, settled });
    } catch (error) {
      // A full disk: the engine requeues the task once storage is back (the dispatcher is told).
      if (toAppError(error).code === 'STORAGE_UNAVAILABLE') throw error;
      await this.finishAfterAFailedRecord(started, outcome, error);
    }
  }

  /**
   * The outcome could not be recorded (a move the state table refuses is a bug): the task must
   * still end, not stay active under a lease nobody renews. It ends failed, with both reasons,
   * unless it is no longer this run's (ended, or taken back by another server). When even that
   * fails, the heartbeat takes it back once its lease expires.
   */
  private async finishAfterAFailedRecord(started: Task, outcome: RunOutcome, error: unknown): Promise<void> {
    const why = toAppError(error).message;
    this.deps.logger?.error(`task ${started.id}: could not record its outcome (${outcome.kind}): ${why}`);
    const task = await this.deps.tasks.get(started.id);
    if (task === undefined || isTerminal(task.status) || task.leaseOwner !== started.leaseOwner) return;
    await this.finish(task, {
      kind: 'failed',
      error: `could not record the task's outcome (${outcome.kind}): ${why}`,
      failureClass: 'internal',
    });
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

  /** Ends the task's processes and runs its teardown (and ends what that left running). */
  private async stopProcesses(taskId: string, run: TaskRun): Promise<void> {
    const path = run.cleanup?.path;
    await this.endProcesses(taskId, path);
    if (await run.teardown()) await this.endProcesses(taskId, path);
  }

  /** Puts back the repository's shared config and hooks as they were before the task (see SharedGitState). */
  private async restoreSharedGitState(taskId: string, run: TaskRun): Promise<void> {
    const { worktrees, logger } = this.deps;
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
  }

  /**
   * Releases the worktree; a branch `fate` says goes (see `finish`) goes with it. Answers whether
   * that branch was settled here.
   */
  private async releaseWorktree(taskId: string, run: TaskRun, fate: BranchFate | undefined): Promise<boolean> {
    const { worktrees, logger } = this.deps;
    const cleanup = run.cleanup;
    if (cleanup === undefined) return false;
    const branch =
      (fate?.kind === 'pushed' || fate?.kind === 'delete') && fate.repoRoot === cleanup.repoRoot
        ? fate.branch
        : undefined;
    // Kept for the project's next task while fewer than `[workspace] idle_worktrees` wait, else removed.
    const released = await worktrees
      .release(cleanup.repoRoot, cleanup.path, { setupKey: cleanup.setupKey, deleteBranch: branch })
      .catch((error: unknown) => {
        logger?.error(`task ${taskId}: could not release ${cleanup.path}: ${String(error)}`);
        return undefined;
      });
    return branch !== undefined && released?.branchSettled === true;
  }

  /** What becomes of an ended task's branch (see task-branch.ts); undefined: nothing to decide. */
  private async branchFateOf(task: Task, outcome: RunOutcome): Promise<BranchFate | undefined> {
    if (outcome.kind === 'failed' || outcome.kind === 'cancelled') return branchFate(this.deps.run, task);
    if (outcome.kind === 'done') return doneBranchFate(this.deps.run, task).catch(() => undefined);
    // Held before its push, the local branch is the only copy of the change: it stays.
    if (outcome.kind === 'wait' && !(outcome.status === 'awaiting_approval' && outcome.stage === 'push'))
      return doneBranchFate(this.deps.run, task).catch(() => undefined);
    return undefined;
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
   * agents' output when it was cut), or back to the queue. `decided`: the branch's fate, already
   * decided (and the branch settled, when `settled`) as the worktree was released.
   */
  async finish(
    task: Task,
    outcome: RunOutcome,
    output?: OutputCountsJson,
    decided?: { readonly fate: BranchFate | undefined; readonly settled: boolean },
  ): Promise<void> {
    const { changes, event } = outcomeChanges(task, outcome, this.deps.now().toISOString());
    // A task that ends unfinished leaves no branch behind unless it holds pushed work, then named.
    // A finished task's pushed branch lives on origin: its local copy goes.
    const fate = decided === undefined ? await this.branchFateOf(task, outcome) : decided.fate;
    if ((fate?.kind === 'keep' || fate?.kind === 'pushed') && fate.message !== undefined)
      await this.deps.recorder.log(task.id, 'log', { message: fate.message });
    // Before the end is recorded: whoever sees the task ended sees its refs settled (a crash in
    // between leaves a failed task naming a branch that is gone, which costs nothing).
    if ((fate?.kind === 'pushed' || fate?.kind === 'delete') && decided?.settled !== true)
      await this.deps.worktrees.deleteBranch(fate.repoRoot, fate.branch).catch(() => undefined);
    const final = fate?.kind === 'delete' ? { ...changes, branch: undefined } : changes;
    if (outcome.kind === 'requeue' || outcome.kind === 'wait') {
      // Not over: no `end`, and its followers stay (a round, or the end, follows).
      await this.deps.recorder.update(task, final, event);
      if (outcome.kind === 'wait') this.deps.onWait?.(task.id);
      return;
    }
    // The terminal status and its `end` event, in one transaction: a crash never leaves one alone.
    const { status, error, failureClass, commit, branch, prUrl, grade, reviewOutcome } = { ...task, ...final };
    await this.deps.recorder.update(task, final, event, {
      kind: 'end',
      data: {
        status,
        error,
        failure_class: failureClass,
        commit,
        branch,
        pr: prUrl,
        grade,
        review: reviewOutcome,
        ...(output === undefined ? {} : { output_truncated: output }),
      },
    });
    this.deps.events.close(task.id);
  }
}

function commitMessage(task: Task): string {
  return `${taskTitle(task)}\n\nHarness task ${task.id}${task.agentUsed === undefined ? '' : ` (agent: ${task.agentUsed})`}`;
}

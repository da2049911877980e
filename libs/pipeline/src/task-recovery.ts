import { toAppError } from '@agent-harness/core';
import { basename } from 'node:path';
import {
  ACTIVE_STATUSES,
  MAX_ATTEMPTS,
  type ProjectCatalog,
  type Task,
  type TaskRepository,
} from '@agent-harness/queue';
import type { GitWorktreeManager } from '@agent-harness/workspace';
import type { RunOutcome } from './task-run.js';

/** What happened at start to tasks a previous server left unfinished. @public */
export interface RecoveryReport {
  readonly requeued: readonly string[];
  readonly failed: readonly string[];
  /**
   * Active tasks left alone: another server's. Those whose lease expired are taken back by the
   * heartbeat (`TaskEngine.reclaimExpired`), without touching that server's worktrees or processes.
   */
  readonly leasedElsewhere: readonly string[];
  readonly removedWorktrees: readonly string[];
}

/** What recovery reads, and the engine's ways to end processes and record an outcome. */
export interface TaskRecoveryDeps {
  readonly tasks: TaskRepository;
  readonly projects: ProjectCatalog;
  readonly worktrees: GitWorktreeManager;
  readonly serverId: string;
  readonly now: () => Date;
  readonly logger?: { log(message: string): void } | undefined;
  readonly endTaskProcesses: (taskId: string, worktree: string | undefined) => Promise<void>;
  readonly finish: (task: Task, outcome: RunOutcome) => Promise<void>;
}

/**
 * After a crash: ends the agents this server left working in task worktrees, removes those
 * worktrees, and requeues each interrupted task with its attempt raised (failing it after
 * MAX_ATTEMPTS). Only this server's own (and unleased) tasks are taken back; queued tasks simply
 * stay queued. Worktrees of no live task are swept; shared git state is restored.
 */
export async function recoverTasks(deps: TaskRecoveryDeps): Promise<RecoveryReport> {
  const requeued: string[] = [];
  const failed: string[] = [];
  const leasedElsewhere: string[] = [];
  const projects = await deps.projects.list();
  const rootOf = new Map(projects.map((p) => [p.name, p.root]));
  for (const task of await deps.tasks.withStatus(ACTIVE_STATUSES, true)) {
    // Ours (this server before a restart) or unleased (older versions): ours to take back here,
    // worktree and processes included. Another server's work is never recovered as ours.
    if (task.leaseOwner !== undefined && task.leaseOwner !== deps.serverId) {
      leasedElsewhere.push(task.id);
      continue;
    }
    const path = task.worktree ?? deps.worktrees.pathFor(task.id);
    await deps.endTaskProcesses(task.id, path);
    const root = rootOf.get(task.project);
    if (root !== undefined) await deps.worktrees.remove(root, path).catch(() => undefined);
    const reason = `interrupted by a server restart while ${task.status}`;
    try {
      if (task.attempt < MAX_ATTEMPTS) {
        await deps.finish(task, { kind: 'requeue', attempt: task.attempt + 1, reason });
        requeued.push(task.id);
      } else {
        await deps.finish(task, {
          kind: 'failed',
          error: `${reason}, after ${String(task.attempt)} attempts`,
          failureClass: 'interrupted',
        });
        failed.push(task.id);
      }
    } catch (error) {
      // A full disk stops the whole recovery: the engine runs it again once storage is back.
      if (toAppError(error).code === 'STORAGE_UNAVAILABLE') throw error;
      // One task that cannot be recorded does not keep the others (or the server) from starting:
      // it stays leased to this server, and the heartbeat takes it back when the lease expires.
      deps.logger?.log(
        `recovery: could not take back task ${task.id}: ${error instanceof Error ? error.message : String(error)}`,
      );
    }
  }
  const live = await deps.tasks.withStatus(['queued', ...ACTIVE_STATUSES], true);
  const removedWorktrees = await deps.worktrees.sweepOrphans(
    projects.map((p) => p.root),
    new Set(live.map((t) => t.id)),
    (path) => deps.endTaskProcesses(basename(path), path),
  );
  // Config and hooks a dead server's tasks changed in a shared .git are put back as they were.
  for (const root of new Set(projects.map((p) => p.root))) {
    const changed = await deps.worktrees.recoverSharedState(root).catch(() => []);
    if (changed.length > 0)
      deps.logger?.log(`recovery: restored ${changed.join(', ')} in the shared git directory of ${root}`);
  }
  if (requeued.length + failed.length + removedWorktrees.length > 0) {
    deps.logger?.log(
      `recovery: ${String(requeued.length)} requeued, ${String(failed.length)} failed, ${String(removedWorktrees.length)} orphaned worktrees removed`,
    );
  }
  return { requeued, failed, leasedElsewhere, removedWorktrees };
}

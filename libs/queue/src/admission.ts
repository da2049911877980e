import type { ClaimRequest } from './task.repository.js';
import type { Task } from './task.types.js';

/** The limits the dispatcher enforces. @public */
export interface ConcurrencyLimits {
  /** `[concurrency] max_concurrent_tasks`: across all projects. */
  readonly global: number;
  /** Each project's `max_concurrent`, when it has one. */
  readonly perProject: ReadonlyMap<string, number>;
}

/** Running (slot-holding) tasks, counted. @public */
export interface RunningCounts {
  readonly total: number;
  readonly byProject: ReadonlyMap<string, number>;
}

/**
 * The queued tasks to start now, oldest first: as many as the global limit allows, skipping (not
 * blocking on) a project at its own limit and tasks waiting for a back-off to pass.
 * @public
 */
export function pickTasksToStart(
  queuedOldestFirst: readonly Task[],
  running: RunningCounts,
  limits: ConcurrencyLimits,
  now: string,
): Task[] {
  const picked: Task[] = [];
  let total = running.total;
  const byProject = new Map(running.byProject);
  for (const task of queuedOldestFirst) {
    if (total >= limits.global) break;
    if (task.notBefore !== undefined && task.notBefore > now) continue;
    const projectLimit = limits.perProject.get(task.project) ?? limits.global;
    const projectRunning = byProject.get(task.project) ?? 0;
    if (projectRunning >= Math.min(projectLimit, limits.global)) continue;
    picked.push(task);
    total += 1;
    byProject.set(task.project, projectRunning + 1);
  }
  return picked;
}

/**
 * What a claim takes, given the queued tasks (oldest first) and every active task of every server:
 * this server's own active tasks count against its slots, a project's count against its limit
 * wherever they run. Shared by every TaskRepository, so they all decide alike.
 * @public
 */
export function pickClaims(
  queuedOldestFirst: readonly Task[],
  active: readonly Pick<Task, 'project' | 'leaseOwner'>[],
  request: ClaimRequest,
): Task[] {
  const byProject = new Map<string, number>();
  for (const task of active) byProject.set(task.project, (byProject.get(task.project) ?? 0) + 1);
  let own = active.filter((t) => t.leaseOwner === request.owner).length;
  const picked: Task[] = [];
  for (const task of queuedOldestFirst) {
    if (own >= request.serverSlots) break;
    if (request.onlyIds !== undefined && !request.onlyIds.has(task.id)) continue;
    if (request.excludeIds?.has(task.id) === true) continue;
    if (request.projects !== undefined && !request.projects.includes(task.project)) continue;
    if (task.notBefore !== undefined && task.notBefore > request.now) continue;
    // A project's limit counts its tasks on every server; this server's slots only its own.
    const running = byProject.get(task.project) ?? 0;
    const limit = request.perProject.get(task.project);
    if (limit !== undefined && running >= limit) continue;
    picked.push(task);
    own += 1;
    byProject.set(task.project, running + 1);
  }
  return picked;
}

/** Attempts a task gets (first run included) before an interruption or a rate limit fails it. @public */
export const MAX_ATTEMPTS = 3;

/**
 * When a rate-limited task may run again: at the reset time the agent gave, else after a back-off
 * of 1, 2, 4… minutes by attempt, capped at an hour.
 * @public
 */
export function rateLimitRetryAt(nowMs: number, attempt: number, resetAt: string | undefined): string {
  if (resetAt !== undefined && Date.parse(resetAt) > nowMs) return resetAt;
  const backoffMs = Math.min(60_000 * 2 ** Math.max(0, attempt - 1), 3_600_000);
  return new Date(nowMs + backoffMs).toISOString();
}

import {
  ACTIVE_STATUSES,
  applyTransition,
  pickClaims,
  type ClaimedTask,
  type ClaimRequest,
  type NewTaskEvent,
  type StoredTaskEvent,
  type Task,
} from '@agent-harness/queue';
import type { EntityManager } from 'typeorm';
import { databaseKind } from '../sql.js';
import { TaskEntity } from './task.entity.js';
import { rowChanges, taskFromRow } from './task.mapper.js';

/** Queued tasks read per claim, oldest first (more than any sane max_queue_size). */
const CLAIM_SCAN = 10_000;
/** The PostgreSQL advisory lock every claim of the fleet is serialized through. */
const CLAIM_LOCK_KEY = 0x6861726e; // "harn"

/**
 * Queued tasks, oldest first: of one project, or of all when `project` is undefined; at most
 * `limit`, passing over those still in back-off (`not_before` later than now). Read `FOR UPDATE
 * SKIP LOCKED` on PostgreSQL.
 */
async function readQueued(
  manager: EntityManager,
  postgres: boolean,
  request: ClaimRequest,
  project: string | undefined,
  limit: number,
): Promise<Task[]> {
  const query = manager
    .createQueryBuilder(TaskEntity, 't')
    .where('t.status = :status', { status: 'queued' })
    .andWhere('(t.not_before IS NULL OR t.not_before <= :now)', { now: request.now })
    .orderBy('t.created_at', 'ASC')
    .addOrderBy('t.id', 'ASC')
    .limit(limit);
  if (project !== undefined) query.andWhere('t.project = :project', { project });
  if (postgres) query.setLock('pessimistic_write').setOnLocked('skip_locked');
  return (await query.getMany()).map(taskFromRow);
}

/**
 * What a claim can take of each of `request.projects`: at most its free slots (its limit less what
 * runs, capped by this server's free slots), each read through the (project, status, created_at)
 * index. A project at its limit is not read at all, however long its queue. Tasks this server
 * winds down, or that `onlyIds` leaves out, are read past (the reads ask for that many more).
 */
async function readClaimable(
  manager: EntityManager,
  postgres: boolean,
  request: ClaimRequest,
  active: readonly Pick<Task, 'project' | 'leaseOwner'>[],
): Promise<Task[]> {
  const serverFree = request.serverSlots - active.filter((t) => t.leaseOwner === request.owner).length;
  if (serverFree <= 0) return [];
  const skipped = request.excludeIds?.size ?? 0;
  const found: Task[] = [];
  for (const project of request.projects ?? []) {
    const limit = request.perProject.get(project);
    const running = active.filter((t) => t.project === project).length;
    const free = Math.min(serverFree, limit === undefined ? serverFree : limit - running);
    if (free <= 0) continue;
    const wanted = request.onlyIds === undefined ? free + skipped : CLAIM_SCAN;
    found.push(...(await readQueued(manager, postgres, request, project, wanted)));
  }
  // Oldest first across the projects, as one read of the queue would have them.
  const key = (task: Task): string => `${task.createdAt}\0${task.id}`;
  return found.sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0));
}

/**
 * One claim, in the caller's transaction. On PostgreSQL every server's claims first take one
 * transaction-scoped advisory lock, so the counts a claim reads are the counts it writes against
 * (no two servers fill a project's last slot at once), and the queued rows are read `FOR UPDATE
 * SKIP LOCKED` (a row another transaction is changing, a cancel say, is passed over, not waited
 * on). On SQLite the database's single writer gives the same.
 */
export async function claimQueuedTasks(
  manager: EntityManager,
  request: ClaimRequest,
  insertEvent: (manager: EntityManager, taskId: string, event: NewTaskEvent) => Promise<StoredTaskEvent>,
): Promise<ClaimedTask[]> {
  const postgres = databaseKind(manager) === 'postgres';
  if (postgres) await manager.query('SELECT pg_advisory_xact_lock($1)', [CLAIM_LOCK_KEY]);
  const active = await manager
    .createQueryBuilder(TaskEntity, 't')
    .select(['t.project', 't.lease_owner'])
    .where('t.status IN (:...statuses)', { statuses: [...ACTIVE_STATUSES] })
    .getMany();
  const running = active.map((row) => ({ project: row.project, leaseOwner: row.lease_owner ?? undefined }));
  const queued =
    request.projects === undefined
      ? await readQueued(manager, postgres, request, undefined, CLAIM_SCAN)
      : await readClaimable(manager, postgres, request, running);
  const picked = pickClaims(queued, running, request);
  const claimed: ClaimedTask[] = [];
  for (const task of picked) {
    const result = await manager
      .createQueryBuilder()
      .update(TaskEntity)
      .set({
        ...rowChanges({
          status: applyTransition(task.id, 'queued', 'start'),
          startedAt: request.now,
          notBefore: undefined,
          error: undefined,
          leaseOwner: request.owner,
          leaseExpiresAt: request.leaseExpiresAt,
          updatedAt: request.now,
        }),
        version: task.version + 1,
      })
      .where('id = :id AND version = :version AND status = :status', {
        id: task.id,
        version: task.version,
        status: 'queued',
      })
      .execute();
    // Changed since it was read (a cancel on another server): not ours.
    if (result.affected !== 1) continue;
    const row = await manager.findOneByOrFail(TaskEntity, { id: task.id });
    claimed.push({ task: taskFromRow(row), event: await insertEvent(manager, task.id, request.event(task)) });
  }
  return claimed;
}

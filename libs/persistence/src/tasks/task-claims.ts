import {
  ACTIVE_STATUSES,
  pickClaims,
  type ClaimedTask,
  type ClaimRequest,
  type NewTaskEvent,
  type StoredTaskEvent,
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
  const queuedQuery = manager
    .createQueryBuilder(TaskEntity, 't')
    .where('t.status = :status', { status: 'queued' })
    .orderBy('t.created_at', 'ASC')
    .addOrderBy('t.id', 'ASC')
    .limit(CLAIM_SCAN);
  if (postgres) queuedQuery.setLock('pessimistic_write').setOnLocked('skip_locked');
  const queued = (await queuedQuery.getMany()).map(taskFromRow);
  const picked = pickClaims(
    queued,
    active.map((row) => ({ project: row.project, leaseOwner: row.lease_owner ?? undefined })),
    request,
  );
  const claimed: ClaimedTask[] = [];
  for (const task of picked) {
    const result = await manager
      .createQueryBuilder()
      .update(TaskEntity)
      .set({
        ...rowChanges({
          status: 'preparing',
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

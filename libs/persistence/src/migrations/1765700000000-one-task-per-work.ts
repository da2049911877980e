import type { MigrationInterface, QueryRunner } from 'typeorm';
import { databaseKind, nativePlaceholders } from '../sql.js';

/** Written out here, not imported: a committed migration never changes with the code. */
const UNFINISHED = "status NOT IN ('done', 'failed', 'cancelled')";
const WORK_COLUMNS = ['issue', 'pr'] as const;

/**
 * One task per piece of work: at most one unfinished task (queued or running) per (project, issue)
 * and per (project, pr), enforced by partial unique indexes, so concurrent deliveries and servers
 * cannot race (see tasks/task-create-batcher.ts, which inserts with ON CONFLICT … DO NOTHING). Two
 * more partial indexes find the newest task of a piece of work, which a new request retries.
 *
 * Unfinished duplicates stored before (the bug this fixes) would stop the unique index: all but the
 * oldest of each piece of work are cancelled first, with their status and end events.
 */
export class OneTaskPerWork1765700000000 implements MigrationInterface {
  readonly name = 'OneTaskPerWork1765700000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    for (const column of WORK_COLUMNS) {
      await cancelDuplicates(queryRunner, column);
      await queryRunner.query(
        `CREATE UNIQUE INDEX idx_tasks_unfinished_${column} ON tasks (project, ${column}) WHERE ${column} IS NOT NULL AND ${UNFINISHED}`,
      );
      await queryRunner.query(
        `CREATE INDEX idx_tasks_project_${column}_created ON tasks (project, ${column}, created_at) WHERE ${column} IS NOT NULL`,
      );
    }
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    for (const column of WORK_COLUMNS) {
      await queryRunner.query(`DROP INDEX idx_tasks_project_${column}_created`);
      await queryRunner.query(`DROP INDEX idx_tasks_unfinished_${column}`);
    }
  }
}

interface DuplicateRow {
  id: string;
  project: string;
  work: number | string;
  status: string;
  attempt: number | string;
  last_event_seq: number | string;
}

async function cancelDuplicates(queryRunner: QueryRunner, column: (typeof WORK_COLUMNS)[number]): Promise<void> {
  const kind = databaseKind(queryRunner);
  const run = (sql: string, params: unknown[] = []): Promise<unknown> =>
    queryRunner.query(nativePlaceholders(sql, kind), params);
  const rows = (await run(
    `SELECT id, project, ${column} AS work, status, attempt, last_event_seq FROM tasks WHERE ${column} IS NOT NULL AND ${UNFINISHED} ORDER BY project, ${column}, created_at, id`,
  )) as DuplicateRow[];
  const now = new Date().toISOString();
  let first: DuplicateRow | undefined;
  for (const row of rows) {
    if (first?.project !== row.project || Number(first.work) !== Number(row.work)) {
      first = row;
      continue;
    }
    const error = `a duplicate of task ${first.id}, which does the same ${column === 'issue' ? 'issue' : 'pull request'} (#${String(row.work)}): one task per piece of work`;
    const seq = Number(row.last_event_seq);
    await run(
      `UPDATE tasks SET status = 'cancelled', failure_class = 'cancelled', error = ?, finished_at = ?, updated_at = ?, lease_owner = NULL, lease_expires_at = NULL, last_event_seq = ?, version = version + 1 WHERE id = ?`,
      [error, now, now, seq + 2, row.id],
    );
    const status = { from: row.status, to: 'cancelled', attempt: Number(row.attempt), reason: error };
    const end = { status: 'cancelled', error, failure_class: 'cancelled' };
    for (const [offset, eventKind, data] of [
      [1, 'status', status],
      [2, 'end', end],
    ] as const) {
      await run('INSERT INTO task_events (task_id, seq, kind, data, created_at) VALUES (?, ?, ?, ?, ?)', [
        row.id,
        seq + offset,
        eventKind,
        JSON.stringify(data),
        now,
      ]);
    }
  }
}

import type { DataSource, EntityManager, QueryRunner } from 'typeorm';

const add = (project: string, status: string): string =>
  `INSERT INTO task_counts (project, status, count) VALUES (${project}, ${status}, 1) ON CONFLICT (project, status) DO UPDATE SET count = count + 1;`;
const remove = (project: string, status: string): string =>
  `UPDATE task_counts SET count = count - 1 WHERE project = ${project} AND status = ${status};`;

/**
 * The triggers that keep `task_counts` (tasks per project and status) in the same transaction as
 * every insert, status or project change and delete of a task, writes that bypass the repository
 * included.
 */
const TRIGGERS: Readonly<Record<string, string>> = {
  trg_task_counts_insert: `CREATE TRIGGER trg_task_counts_insert AFTER INSERT ON tasks BEGIN ${add('NEW.project', 'NEW.status')} END`,
  trg_task_counts_update:
    `CREATE TRIGGER trg_task_counts_update AFTER UPDATE OF project, status ON tasks WHEN OLD.project IS NOT NEW.project OR OLD.status IS NOT NEW.status ` +
    `BEGIN ${remove('OLD.project', 'OLD.status')} ${add('NEW.project', 'NEW.status')} END`,
  trg_task_counts_delete: `CREATE TRIGGER trg_task_counts_delete AFTER DELETE ON tasks BEGIN ${remove('OLD.project', 'OLD.status')} END`,
};

type Runner = Pick<QueryRunner | EntityManager, 'query'>;

/** Creates the counting triggers and counts the stored tasks afresh. */
export async function installTaskCounts(runner: Runner): Promise<void> {
  for (const name of Object.keys(TRIGGERS)) await runner.query(`DROP TRIGGER IF EXISTS ${name}`);
  for (const sql of Object.values(TRIGGERS)) await runner.query(sql);
  await runner.query('DELETE FROM task_counts');
  await runner.query(
    'INSERT INTO task_counts (project, status, count) SELECT project, status, COUNT(*) FROM tasks GROUP BY project, status',
  );
}

/**
 * Reinstalls the triggers (and recounts) when one is missing: SQLite drops a table's triggers with
 * the table, and TypeORM rebuilds `tasks` whenever a later migration adds or changes a column.
 * Returns whether it had to.
 */
export async function ensureTaskCounts(dataSource: DataSource): Promise<boolean> {
  const names = Object.keys(TRIGGERS);
  const found = await dataSource.query<unknown[]>(
    `SELECT name FROM sqlite_master WHERE type = 'trigger' AND name IN (${names.map(() => '?').join(', ')})`,
    names,
  );
  if (found.length === names.length) return false;
  await dataSource.transaction((manager) => installTaskCounts(manager));
  return true;
}

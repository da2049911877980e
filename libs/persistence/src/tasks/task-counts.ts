import type { DataSource, EntityManager, QueryRunner } from 'typeorm';
import { databaseKind, sqlRows } from '../sql.js';

const TRIGGER_NAMES = ['trg_task_counts_insert', 'trg_task_counts_update', 'trg_task_counts_delete'] as const;

const add = (project: string, status: string): string =>
  `INSERT INTO task_counts (project, status, count) VALUES (${project}, ${status}, 1) ON CONFLICT (project, status) DO UPDATE SET count = task_counts.count + 1;`;
const remove = (project: string, status: string): string =>
  `UPDATE task_counts SET count = count - 1 WHERE project = ${project} AND status = ${status};`;

/**
 * SQLite: the triggers that keep `task_counts` (tasks per project and status) in the same
 * transaction as every insert, status or project change and delete of a task, writes that bypass
 * the repository included.
 */
const SQLITE_TRIGGERS: Readonly<Record<(typeof TRIGGER_NAMES)[number], string>> = {
  trg_task_counts_insert: `CREATE TRIGGER trg_task_counts_insert AFTER INSERT ON tasks BEGIN ${add('NEW.project', 'NEW.status')} END`,
  trg_task_counts_update:
    `CREATE TRIGGER trg_task_counts_update AFTER UPDATE OF project, status ON tasks WHEN OLD.project IS NOT NEW.project OR OLD.status IS NOT NEW.status ` +
    `BEGIN ${remove('OLD.project', 'OLD.status')} ${add('NEW.project', 'NEW.status')} END`,
  trg_task_counts_delete: `CREATE TRIGGER trg_task_counts_delete AFTER DELETE ON tasks BEGIN ${remove('OLD.project', 'OLD.status')} END`,
};

/** PostgreSQL: one trigger function for the same three triggers. */
const PG_FUNCTION = 'harness_task_counts';
/**
 * A status change takes its two counter rows in one order (the smaller key first), whichever way
 * it goes: two servers moving tasks in opposite directions at once (queued → running and
 * running → queued) then wait on each other instead of deadlocking.
 */
const PG_FUNCTION_SQL = `CREATE OR REPLACE FUNCTION ${PG_FUNCTION}() RETURNS trigger LANGUAGE plpgsql AS $body$
BEGIN
  IF TG_OP = 'INSERT' THEN
    ${add('NEW.project', 'NEW.status')}
  ELSIF TG_OP = 'DELETE' THEN
    ${remove('OLD.project', 'OLD.status')}
  ELSIF (OLD.project, OLD.status) < (NEW.project, NEW.status) THEN
    ${remove('OLD.project', 'OLD.status')}
    ${add('NEW.project', 'NEW.status')}
  ELSE
    ${add('NEW.project', 'NEW.status')}
    ${remove('OLD.project', 'OLD.status')}
  END IF;
  RETURN NULL;
END
$body$`;
const PG_TRIGGERS: Readonly<Record<(typeof TRIGGER_NAMES)[number], string>> = {
  trg_task_counts_insert: `CREATE TRIGGER trg_task_counts_insert AFTER INSERT ON tasks FOR EACH ROW EXECUTE FUNCTION ${PG_FUNCTION}()`,
  trg_task_counts_update:
    `CREATE TRIGGER trg_task_counts_update AFTER UPDATE OF project, status ON tasks FOR EACH ROW ` +
    `WHEN (OLD.project IS DISTINCT FROM NEW.project OR OLD.status IS DISTINCT FROM NEW.status) EXECUTE FUNCTION ${PG_FUNCTION}()`,
  trg_task_counts_delete: `CREATE TRIGGER trg_task_counts_delete AFTER DELETE ON tasks FOR EACH ROW EXECUTE FUNCTION ${PG_FUNCTION}()`,
};

/** A query runner, or a transaction's manager. */
type Runner = QueryRunner | EntityManager;

/** Drops the counting triggers (and PostgreSQL's trigger function) when present. */
export async function dropTaskCounts(runner: Runner): Promise<void> {
  const isPostgres = databaseKind(runner) === 'postgres';
  for (const name of TRIGGER_NAMES)
    await runner.query(`DROP TRIGGER IF EXISTS ${name}${isPostgres ? ' ON tasks' : ''}`);
  if (isPostgres) await runner.query(`DROP FUNCTION IF EXISTS ${PG_FUNCTION}()`);
}

/** Creates the counting triggers and counts the stored tasks afresh. */
export async function installTaskCounts(runner: Runner): Promise<void> {
  const isPostgres = databaseKind(runner) === 'postgres';
  await dropTaskCounts(runner);
  if (isPostgres) await runner.query(PG_FUNCTION_SQL);
  for (const sql of Object.values(isPostgres ? PG_TRIGGERS : SQLITE_TRIGGERS)) await runner.query(sql);
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
  const names = [...TRIGGER_NAMES];
  const found = await sqlRows(
    dataSource,
    databaseKind(dataSource) === 'postgres'
      ? `SELECT tgname FROM pg_trigger WHERE tgrelid = 'tasks'::regclass AND tgname IN (${names.map(() => '?').join(', ')})`
      : `SELECT name FROM sqlite_master WHERE type = 'trigger' AND name IN (${names.map(() => '?').join(', ')})`,
    names,
  );
  if (found.length === names.length) return false;
  await dataSource.transaction((manager) => installTaskCounts(manager));
  return true;
}

import type { DataSource } from 'typeorm';
import { databaseKind } from './sql.js';

/**
 * One small real write to the database, committed, changing nothing: rejects (`SQLITE_FULL`,
 * `SQLITE_READONLY`, PostgreSQL's `53100`…) while the database cannot be written. How a paused
 * dispatcher learns that storage is back.
 * @public
 */
export async function probeDatabaseWrite(dataSource: DataSource): Promise<void> {
  if (databaseKind(dataSource) === 'sqlite') {
    // Rewriting the header's user version (Harness does not use it) commits one page.
    const [row] = await dataSource.query<{ user_version?: unknown }[]>('PRAGMA user_version');
    const version = typeof row?.user_version === 'number' ? row.user_version : 0;
    await dataSource.query(`PRAGMA user_version = ${String(Math.trunc(version))}`);
    return;
  }
  // A table of the transaction's own, dropped at its commit: catalog rows written, nothing kept.
  await dataSource.transaction(async (manager) => {
    await manager.query('CREATE TEMPORARY TABLE harness_write_probe (x integer) ON COMMIT DROP');
    await manager.query('INSERT INTO harness_write_probe (x) VALUES (1)');
  });
}

import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { storageFaultOf, toAppError } from '@agent-harness/core';
import { createTempDataDir, type TempDir } from '@agent-harness/testing';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openDatabase, type Database } from './database.js';
import { sqlRows } from './sql.js';
import { probeDatabaseWrite } from './write-probe.js';

// A database that cannot take a write (SQLite's page limit stands in for a full disk here; the
// tmpfs end-to-end spec fills a real one) and one that is not a database at all.
describe('SQLite on a full disk, and a damaged file', () => {
  let dir: TempDir;
  let db: Database | undefined;
  beforeEach(async () => {
    dir = await createTempDataDir();
  });
  afterEach(async () => {
    await db?.close();
    db = undefined;
    await dir.cleanup();
  });

  const rows = async (database: Database): Promise<number> =>
    Number((await sqlRows<{ n: number }>(database.dataSource, 'SELECT COUNT(*) AS n FROM filler'))[0]?.n);
  const fill = (database: Database, count: number) =>
    database.dataSource.transaction(async (manager) => {
      for (let i = 0; i < count; i++) await manager.query('INSERT INTO filler (x) VALUES (?)', ['x'.repeat(3000)]);
    });

  it('a transaction that fails for want of room leaves no transaction open: the next ones commit', async () => {
    const file = join(dir.path, 'harness.db');
    db = await openDatabase({ file });
    await db.dataSource.query('CREATE TABLE filler (x TEXT)');
    await fill(db, 5);
    const [{ page_count: pages = 0 } = {}] = await db.dataSource.query<{ page_count?: number }[]>('PRAGMA page_count');
    await db.dataSource.query(`PRAGMA max_page_count = ${String(pages + 2)}`);
    for (let i = 0; i < 3; i++) {
      const failed = await fill(db, 5).catch((error: unknown) => error);
      expect(storageFaultOf(failed)).toEqual({ fault: 'full', code: 'SQLITE_FULL' });
      expect(toAppError(failed).code).toBe('STORAGE_UNAVAILABLE');
      // TypeORM kept counting a transaction here: every later one nested in it, never committed.
      expect(db.dataSource.createQueryRunner().isTransactionActive).toBe(false);
    }
    await expect(probeDatabaseWrite(db.dataSource)).resolves.toBeUndefined();
    await db.dataSource.query('PRAGMA max_page_count = 1000000');
    await fill(db, 5);
    expect(await rows(db)).toBe(10);
    await db.close();
    db = await openDatabase({ file });
    expect(await rows(db)).toBe(10);
  });

  it('a file that is not a database: one line naming it and what to do, code DATABASE_CORRUPT', async () => {
    const file = join(dir.path, 'harness.db');
    writeFileSync(file, Buffer.from('this is not a SQLite database, only some bytes '.repeat(200)));
    const error = await openDatabase({ file }).catch((e: unknown) => e);
    expect(error).toMatchObject({
      code: 'DATABASE_CORRUPT',
      message: `the database ${file} is damaged or not a database (SQLITE_NOTADB): move it aside (with its -wal and -shm files) to start with an empty one, or restore it from a backup`,
    });
  });
});

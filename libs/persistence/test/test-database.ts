import { join } from 'node:path';
import {
  createTempDataDir,
  createTempPostgresDatabase,
  type TempDir,
  type TempPostgresDatabase,
} from '@agent-harness/testing';
import { afterAll, afterEach, beforeAll, beforeEach } from 'vitest';
import { openDatabase, type Database } from '../src/database.js';
import { sqlRows, type DatabaseKind } from '../src/sql.js';

/** Both engines: specs run once per kind (`describe.each(DATABASE_KINDS)`). */
export const DATABASE_KINDS: readonly DatabaseKind[] = ['sqlite', 'postgres'];

/** The database of the running test. */
export interface TestDatabase {
  readonly kind: DatabaseKind;
  /** Open and migrated, and empty when the test starts. */
  readonly database: Database;
  /** Closes the database and opens the same stored data again (a restart). */
  reopen(): Promise<Database>;
}

/**
 * Empties every table but the migrations' own, and starts row ids again. DELETE, not TRUNCATE:
 * on tables this small it takes a millisecond where TRUNCATE takes a few hundred.
 */
async function emptyPostgres(database: Database): Promise<void> {
  const tables = await sqlRows<{ tablename: string }>(
    database.dataSource,
    `SELECT tablename FROM pg_tables WHERE schemaname = current_schema() AND tablename <> 'migrations'`,
  );
  const sequences = await sqlRows<{ sequencename: string }>(
    database.dataSource,
    'SELECT sequencename FROM pg_sequences WHERE schemaname = current_schema()',
  );
  const statements = [
    ...tables.map((t) => `DELETE FROM "${t.tablename}";`),
    ...sequences.map((s) => `ALTER SEQUENCE "${s.sequencename}" RESTART;`),
  ];
  if (statements.length > 0) await database.dataSource.query(statements.join(' '));
}

/**
 * Registers the hooks that give each test of the enclosing `describe` an empty, migrated database
 * of `kind`: a SQLite file in a temp dir of its own; or, on PostgreSQL, a database of this
 * describe's own (`harness_test_<random>`, created and migrated once, emptied before each test,
 * dropped after the last), so spec files run in parallel. PostgreSQL unreachable fails the tests.
 */
export function useTestDatabase(kind: DatabaseKind): TestDatabase {
  let dir: TempDir | undefined;
  let postgres: TempPostgresDatabase | undefined;
  let current: Database | undefined;
  const open = (): Promise<Database> => {
    if (postgres !== undefined) return openDatabase({ url: postgres.url });
    if (dir === undefined) throw new Error('no test database: use it inside a test');
    return openDatabase({ file: join(dir.path, 'harness.db') });
  };

  if (kind === 'postgres') {
    beforeAll(async () => {
      postgres = await createTempPostgresDatabase();
    });
    afterAll(async () => {
      await postgres?.drop();
    });
  }
  beforeEach(async () => {
    if (kind === 'sqlite') dir = await createTempDataDir();
    current = await open();
    if (kind === 'postgres') await emptyPostgres(current);
  });
  afterEach(async () => {
    await current?.close();
    current = undefined;
    await dir?.cleanup();
    dir = undefined;
  });

  return {
    kind,
    get database(): Database {
      if (current === undefined) throw new Error('no test database: use it inside a test');
      return current;
    },
    reopen: async () => {
      await current?.close();
      current = await open();
      return current;
    },
  };
}

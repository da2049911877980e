import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { AppError, storageFaultOf } from '@agent-harness/core';
import { DataSource, type DataSourceOptions } from 'typeorm';
import { MIGRATIONS } from './migrations/index.js';
import { ProjectEntity } from './projects/typeorm-project-catalog.js';
import type { DatabaseKind } from './sql.js';
import { freeSpace, largestEntries } from './storage-space.js';
import { ensureTaskCounts } from './tasks/task-counts.js';
import { TaskEntity, TaskEventEntity } from './tasks/task.entity.js';

/** The file name of Harness's database inside `[server] data_dir`. @public */
export const DATABASE_FILE_NAME = 'harness.db';

/** Connections one server keeps to PostgreSQL: writes are serialized per repository, reads are short. */
const DEFAULT_POOL_SIZE = 5;
/** How long opening waits for PostgreSQL to answer before it fails. */
const CONNECT_TIMEOUT_MS = 10_000;
/**
 * The `pg_advisory_lock` key migrations run under ("harness" in ASCII, 0x6861726e657373), so of
 * two servers starting on one database one migrates and the other then finds the schema current.
 */
const MIGRATION_LOCK_KEY = '29380541684216691';

/** @public */
export type OpenDatabaseOptions =
  | {
      /** Path of the SQLite file; its directory is created (mode 0700) when missing. */
      readonly file: string;
    }
  | {
      /** A `postgres://` or `postgresql://` URL of an existing database (it may hold a password). */
      readonly url: string;
      /** Connections kept open at most. Default 5. */
      readonly poolSize?: number | undefined;
    };

/**
 * An open database with its migrations applied.
 * @public
 */
export interface Database {
  readonly kind: DatabaseKind;
  readonly dataSource: DataSource;
  /** Names of the migrations applied by this open (empty when the schema was current). */
  readonly appliedMigrations: readonly string[];
  close(): Promise<void>;
}

/** Whether a URL names a PostgreSQL database (the only server engine Harness speaks). @public */
export function isPostgresUrl(url: string): boolean {
  return /^postgres(ql)?:\/\/./i.test(url);
}

/** A database URL fit for messages and logs: the password is replaced by `***`. @public */
export function redactDatabaseUrl(url: string): string {
  return url.replace(/^([a-z]+:\/\/[^:/@]*:)[^@]*@/i, '$1***@');
}

const ENTITIES = [ProjectEntity, TaskEntity, TaskEventEntity];

function postgresOptions(url: string, poolSize: number | undefined): DataSourceOptions {
  if (!isPostgresUrl(url))
    throw new AppError('INVALID_ARGUMENT', 'the database url must start with postgres:// or postgresql://');
  if (poolSize !== undefined && (!Number.isSafeInteger(poolSize) || poolSize < 1))
    throw new AppError('INVALID_ARGUMENT', `poolSize is a whole number ≥ 1, not ${String(poolSize)}`);
  return {
    type: 'postgres',
    url,
    applicationName: 'harness',
    poolSize: poolSize ?? DEFAULT_POOL_SIZE,
    connectTimeoutMS: CONNECT_TIMEOUT_MS,
    installExtensions: false,
    synchronize: false,
    migrationsRun: false,
    migrations: MIGRATIONS,
    entities: ENTITIES,
    logging: false,
  };
}

function sqliteOptions(file: string): DataSourceOptions {
  mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
  return {
    type: 'better-sqlite3',
    database: file,
    enableWAL: true,
    // Wait for a competing writer instead of failing at once with SQLITE_BUSY.
    timeout: 5000,
    synchronize: false,
    migrationsRun: false,
    migrations: MIGRATIONS,
    entities: ENTITIES,
    logging: false,
  };
}

/**
 * What a SQLite file that cannot be opened needs from the user, in one line naming it: a damaged
 * file moved aside or restored, space freed on a full disk, write access on a read-only one.
 * Undefined for any other failure.
 */
function sqliteOpenProblem(error: unknown, file: string): AppError | undefined {
  const storage = storageFaultOf(error);
  if (storage === undefined) return undefined;
  const dir = dirname(file);
  switch (storage.fault) {
    case 'corrupt':
      return new AppError(
        'DATABASE_CORRUPT',
        `the database ${file} is damaged or not a database (${storage.code}): move it aside (with its -wal and -shm files) to start with an empty one, or restore it from a backup`,
        { cause: error },
      );
    case 'full': {
      const largest = largestEntries(dir);
      return new AppError(
        'STORAGE_UNAVAILABLE',
        `cannot open the database ${file}: the disk is full (${freeSpace(dir) ?? dir}): free space on it${largest === undefined ? '' : ` (largest in ${dir}: ${largest})`}, then start again`,
        { cause: error },
      );
    }
    case 'read_only':
      return new AppError(
        'STORAGE_UNAVAILABLE',
        `cannot open the database ${file}: it is read-only (${storage.code}): make it and ${dir} writable, then start again`,
        { cause: error },
      );
  }
}

/** What of TypeORM's one query runner for better-sqlite3 the fix below touches. */
interface SqliteRunnerState {
  isTransactionActive: boolean;
  transactionDepth: number;
  rollbackTransaction(): Promise<void>;
}

/**
 * Keeps TypeORM's idea of the open transaction in step with SQLite's. On a full disk (or an I/O
 * error) SQLite rolls the whole transaction back by itself; TypeORM's ROLLBACK then fails ("no
 * transaction is active"), it swallows that, and its one query runner still counts a transaction
 * open. Every later transaction became a SAVEPOINT inside one that was never committed: this
 * process saw its writes, and they were lost when it closed. When SQLite says no transaction is
 * open, a rollback now only resets the count.
 */
function keepTransactionsInStep(dataSource: DataSource): void {
  const connection = (dataSource.driver as unknown as { databaseConnection?: { inTransaction?: unknown } })
    .databaseConnection;
  if (typeof connection?.inTransaction !== 'boolean') return;
  const runner = dataSource.createQueryRunner() as unknown as SqliteRunnerState;
  const rollback = runner.rollbackTransaction.bind(runner);
  runner.rollbackTransaction = async () => {
    if (runner.isTransactionActive && connection.inTransaction === false) {
      runner.isTransactionActive = false;
      runner.transactionDepth = 0;
      return;
    }
    await rollback();
  };
}

/** Runs the migrations; on PostgreSQL under an advisory lock held on a connection of its own. */
async function migrate(dataSource: DataSource, kind: DatabaseKind): Promise<string[]> {
  const run = async (): Promise<string[]> => {
    const applied = await dataSource.runMigrations({ transaction: 'each' });
    await ensureTaskCounts(dataSource);
    return applied.map((m) => m.name);
  };
  if (kind === 'sqlite') return run();
  const lock = dataSource.createQueryRunner();
  try {
    await lock.query(`SELECT pg_advisory_lock(${MIGRATION_LOCK_KEY})`);
    try {
      return await run();
    } finally {
      await lock.query(`SELECT pg_advisory_unlock(${MIGRATION_LOCK_KEY})`);
    }
  } finally {
    await lock.release();
  }
}

/**
 * Opens the database and runs the committed migrations: with `{ file }` the embedded SQLite file
 * (created when needed, WAL mode, a busy timeout); with `{ url }` a PostgreSQL database, through a
 * small pool of connections named `harness` (`application_name`). The schema is never synchronized
 * from entities; the task counters' triggers are checked (SQLite drops them when a migration
 * rebuilds `tasks`).
 * @public
 */
export async function openDatabase(options: OpenDatabaseOptions): Promise<Database> {
  const kind: DatabaseKind = 'url' in options ? 'postgres' : 'sqlite';
  const file = 'file' in options ? options.file : undefined;
  const dataSource = new DataSource(
    'url' in options ? postgresOptions(options.url, options.poolSize) : sqliteFileOptions(options.file),
  );
  try {
    await dataSource.initialize();
  } catch (error) {
    if (!('url' in options)) throw sqliteOpenProblem(error, options.file) ?? error;
    // The URL may hold a password: only its redacted form goes into the message.
    throw new AppError(
      'INTERNAL',
      `cannot connect to PostgreSQL at ${redactDatabaseUrl(options.url)}: ${error instanceof Error ? error.message : String(error)}`,
      { cause: error },
    );
  }
  if (kind === 'sqlite') keepTransactionsInStep(dataSource);
  try {
    const appliedMigrations = await migrate(dataSource, kind);
    return {
      kind,
      dataSource,
      appliedMigrations,
      close: async () => {
        if (dataSource.isInitialized) await dataSource.destroy();
      },
    };
  } catch (error) {
    await dataSource.destroy().catch(() => undefined);
    throw (file === undefined ? undefined : sqliteOpenProblem(error, file)) ?? error;
  }
}

/** The SQLite options, its directory made first: a full disk there is said like one under the file. */
function sqliteFileOptions(file: string): DataSourceOptions {
  try {
    return sqliteOptions(file);
  } catch (error) {
    throw sqliteOpenProblem(error, file) ?? error;
  }
}

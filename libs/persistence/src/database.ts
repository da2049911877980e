import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { DataSource } from 'typeorm';
import { MIGRATIONS } from './migrations/index.js';
import { ProjectEntity } from './projects/typeorm-project-catalog.js';
import { ensureTaskCounts } from './tasks/task-counts.js';
import { TaskEntity, TaskEventEntity } from './tasks/task.entity.js';

/** The file name of Harness's database inside `[server] data_dir`. @public */
export const DATABASE_FILE_NAME = 'harness.db';

/** @public */
export interface OpenDatabaseOptions {
  /** Path of the SQLite file; its directory is created (mode 0700) when missing. */
  readonly file: string;
}

/**
 * An open database with its migrations applied.
 * @public
 */
export interface Database {
  readonly dataSource: DataSource;
  /** Names of the migrations applied by this open (empty when the schema was current). */
  readonly appliedMigrations: readonly string[];
  close(): Promise<void>;
}

/**
 * Opens (creating when needed) the SQLite database in WAL mode with a busy timeout, and runs the
 * committed migrations. The schema is never synchronized from entities; the task counters' triggers
 * are checked (a migration that rebuilds `tasks` drops them).
 * @public
 */
export async function openDatabase(options: OpenDatabaseOptions): Promise<Database> {
  mkdirSync(dirname(options.file), { recursive: true, mode: 0o700 });
  const dataSource = new DataSource({
    type: 'better-sqlite3',
    database: options.file,
    enableWAL: true,
    // Wait for a competing writer instead of failing at once with SQLITE_BUSY.
    timeout: 5000,
    synchronize: false,
    migrationsRun: false,
    migrations: MIGRATIONS,
    entities: [ProjectEntity, TaskEntity, TaskEventEntity],
    logging: false,
  });
  await dataSource.initialize();
  try {
    const applied = await dataSource.runMigrations({ transaction: 'each' });
    await ensureTaskCounts(dataSource);
    return {
      dataSource,
      appliedMigrations: applied.map((m) => m.name),
      close: async () => {
        if (dataSource.isInitialized) await dataSource.destroy();
      },
    };
  } catch (error) {
    await dataSource.destroy();
    throw error;
  }
}

import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import {
  createTempDataDir,
  createTempPostgresDatabase,
  taskFixture,
  type TempDir,
  type TempPostgresDatabase,
} from '@agent-harness/testing';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DATABASE_KINDS } from '../test/test-database.js';
import { openDatabase, redactDatabaseUrl, type OpenDatabaseOptions } from './database.js';
import { sqlRows } from './sql.js';
import { TypeOrmTaskRepository } from './tasks/typeorm-task.repository.js';

/** Every committed migration, in the order they run. */
const ALL_MIGRATIONS = [
  'InitialSchema1764000000000',
  'Tasks1764100000000',
  'ValidationRetries1764200000000',
  'PullRequestsAndGrades1764300000000',
  'Checkpoints1764400000000',
  'LeasesAndEventSeq1764500000000',
  'FailureClasses1764600000000',
  'TaskCountsAndListIndexes1764700000000',
  'TelemetryEvents1764800000000',
  'TaskSeeds1764900000000',
  'GcDrafts1765000000000',
  'ExecPlans1765100000000',
  'ReviewFindings1765200000000',
  'GitHubIntake1765300000000',
  'Fleet1765600000000',
  'OneTaskPerWork1765700000000',
  'Spend1766000000000',
  'PullRequestLoop1766100000000',
];

const PROJECT_COLUMNS = [
  'name',
  'root',
  'is_default',
  'default_agent',
  'max_concurrent',
  'repo',
  'base_branch',
  'origin',
  'active',
  'created_at',
  'updated_at',
];

describe('openDatabase (real SQLite file)', () => {
  let dir: TempDir;
  beforeEach(async () => {
    dir = await createTempDataDir();
  });
  afterEach(async () => {
    await dir.cleanup();
  });

  it('creates the directory and file, uses WAL, and migrates once', async () => {
    const file = join(dir.path, 'nested', 'harness.db');
    const first = await openDatabase({ file });
    try {
      expect(existsSync(file)).toBe(true);
      expect(statSync(join(dir.path, 'nested')).mode & 0o777).toBe(0o700);
      expect(first.appliedMigrations).toEqual(ALL_MIGRATIONS);
      const [mode] = await first.dataSource.query<{ journal_mode: string }[]>('PRAGMA journal_mode');
      expect(mode?.journal_mode).toBe('wal');
      const columns = await first.dataSource.query<{ name: string }[]>('PRAGMA table_info(projects)');
      expect(columns.map((c) => c.name)).toEqual(PROJECT_COLUMNS);
      await first.dataSource.query(
        `INSERT INTO projects (name, root, origin, created_at, updated_at) VALUES ('a', '/r/a', 'config', 'now', 'now')`,
      );
    } finally {
      await first.close();
    }

    const second = await openDatabase({ file });
    try {
      expect(second.appliedMigrations).toEqual([]);
      const rows = await second.dataSource.query<unknown[]>('SELECT name, is_default, active FROM projects');
      expect(rows).toEqual([{ name: 'a', is_default: 0, active: 1 }]);
    } finally {
      await second.close();
    }
  });

  it('fails clearly when the file is not a database', async () => {
    const { writeFileSync } = await import('node:fs');
    const file = join(dir.path, 'harness.db');
    writeFileSync(file, 'this is not sqlite, just text that is long enough to be read as a header........');
    await expect(openDatabase({ file })).rejects.toThrow(/not a database|file is not a database/i);
  });
});

describe('openDatabase (real PostgreSQL)', () => {
  let postgres: TempPostgresDatabase;
  beforeEach(async () => {
    postgres = await createTempPostgresDatabase();
  });
  afterEach(async () => {
    await postgres.drop();
  });

  it('migrates an empty database once, with the same schema and PostgreSQL types where they differ', async () => {
    const first = await openDatabase({ url: postgres.url });
    try {
      expect(first.kind).toBe('postgres');
      expect(first.appliedMigrations).toEqual(ALL_MIGRATIONS);
      const columns = await sqlRows<{ table_name: string; column_name: string; data_type: string }>(
        first.dataSource,
        `SELECT table_name, column_name, data_type FROM information_schema.columns
         WHERE table_schema = current_schema() ORDER BY table_name, ordinal_position`,
      );
      expect(columns.filter((c) => c.table_name === 'projects').map((c) => c.column_name)).toEqual(PROJECT_COLUMNS);
      const typeOf = (table: string, column: string): string | undefined =>
        columns.find((c) => c.table_name === table && c.column_name === column)?.data_type;
      // Costs keep their cents (PostgreSQL's real is 4 bytes); telemetry ids outgrow 32 bits.
      for (const table of ['tasks', 'gc_drafts', 'review_runs', 'task_usage'])
        expect(typeOf(table, 'cost_usd')).toBe('double precision');
      expect(typeOf('telemetry_events', 'id')).toBe('bigint');
      expect(typeOf('task_usage', 'input_tokens')).toBe('bigint');
      const [session] = await sqlRows<{ application_name: string }>(
        first.dataSource,
        'SELECT application_name FROM pg_stat_activity WHERE pid = pg_backend_pid()',
      );
      expect(session?.application_name).toBe('harness');
      await sqlRows(
        first.dataSource,
        `INSERT INTO projects (name, root, origin, created_at, updated_at) VALUES (?, ?, 'config', 'now', 'now')`,
        ['a', '/r/a'],
      );
    } finally {
      await first.close();
    }

    const second = await openDatabase({ url: postgres.url });
    try {
      expect(second.appliedMigrations).toEqual([]);
      expect(await sqlRows(second.dataSource, 'SELECT name, is_default, active FROM projects')).toEqual([
        { name: 'a', is_default: false, active: true },
      ]);
    } finally {
      await second.close();
    }
  });

  it('lets one of two servers starting at once migrate; the other finds the schema current', async () => {
    const [a, b] = await Promise.all([openDatabase({ url: postgres.url }), openDatabase({ url: postgres.url })]);
    try {
      expect([a.appliedMigrations, b.appliedMigrations].sort((x, y) => y.length - x.length)).toEqual([
        ALL_MIGRATIONS,
        [],
      ]);
    } finally {
      await a.close();
      await b.close();
    }
  });

  it('refuses a URL of another engine, and names the server it cannot reach without the password', async () => {
    await expect(openDatabase({ url: 'mysql://root@127.0.0.1/harness' })).rejects.toMatchObject({
      code: 'INVALID_ARGUMENT',
      message: expect.stringMatching(/postgres:\/\//) as unknown,
    });
    // Port 1 on the loopback: nothing listens there.
    const refused = openDatabase({ url: 'postgres://harness:s3cret-pw@127.0.0.1:1/harness' });
    await expect(refused).rejects.toThrow(
      /cannot connect to PostgreSQL at postgres:\/\/harness:\*\*\*@127\.0\.0\.1:1\/harness/,
    );
    await expect(refused).rejects.not.toThrow(/s3cret-pw/);
  });
});

describe('redactDatabaseUrl', () => {
  it('hides the password and keeps the rest', () => {
    expect(redactDatabaseUrl('postgres://ann:p%40ss@db.example:5432/harness?sslmode=require')).toBe(
      'postgres://ann:***@db.example:5432/harness?sslmode=require',
    );
    expect(redactDatabaseUrl('postgresql://ann@db/harness')).toBe('postgresql://ann@db/harness');
    expect(redactDatabaseUrl('postgres://db/harness')).toBe('postgres://db/harness');
  });
});

describe.each(DATABASE_KINDS)('migrations on %s', (kind) => {
  let target: OpenDatabaseOptions;
  let cleanup: () => Promise<void>;
  beforeEach(async () => {
    if (kind === 'sqlite') {
      const dir = await createTempDataDir();
      target = { file: join(dir.path, 'harness.db') };
      cleanup = () => dir.cleanup();
    } else {
      const postgres = await createTempPostgresDatabase();
      target = { url: postgres.url };
      cleanup = () => postgres.drop();
    }
  });
  afterEach(async () => {
    await cleanup();
  });

  it('reverts every migration, newest first, and applies them all again', async () => {
    const database = await openDatabase(target);
    try {
      expect(database.kind).toBe(kind);
      for (const name of [...ALL_MIGRATIONS].reverse()) {
        await database.dataSource.undoLastMigration({ transaction: 'each' });
        const left = await sqlRows<{ name: string }>(database.dataSource, 'SELECT name FROM migrations ORDER BY id');
        expect(
          left.map((m) => m.name),
          name,
        ).toEqual(ALL_MIGRATIONS.slice(0, ALL_MIGRATIONS.indexOf(name)));
      }
      expect((await database.dataSource.runMigrations({ transaction: 'each' })).map((m) => m.name)).toEqual(
        ALL_MIGRATIONS,
      );
    } finally {
      await database.close();
    }
  });

  it('one task per piece of work: unfinished duplicates stored before are cancelled, all but the oldest', async () => {
    const database = await openDatabase(target);
    try {
      // Back to before the migration under test (and the ones after it).
      for (;;) {
        const [last] = await sqlRows<{ name: string }>(
          database.dataSource,
          'SELECT name FROM migrations ORDER BY id DESC LIMIT 1',
        );
        await database.dataSource.undoLastMigration({ transaction: 'each' });
        if (last?.name === 'OneTaskPerWork1765700000000') break;
      }
      // Today's repository writes columns added later: there for the writes, gone before migrating.
      await sqlRows(database.dataSource, 'ALTER TABLE tasks ADD COLUMN loop text');
      const tasks = new TypeOrmTaskRepository(database.dataSource);
      const queued = { kind: 'status', data: { to: 'queued' } } as const;
      for (const id of ['t1', 't2', 't3', 't4', 't5']) await tasks.create(taskFixture(id), queued);
      // Stored as the bug stored them: three unfinished tasks for issue 42, one ended, one for PR 42.
      const sql = (text: string) => sqlRows(database.dataSource, text);
      await sql(`UPDATE tasks SET kind = 'issue', issue = 42, prompt = NULL WHERE id IN ('t1', 't2', 't3', 't4')`);
      await sql(`UPDATE tasks SET status = 'running' WHERE id = 't2'`);
      await sql(`UPDATE tasks SET status = 'failed' WHERE id = 't4'`);
      await sql(`UPDATE tasks SET kind = 'pr', pr = 42, prompt = NULL WHERE id = 't5'`);
      await sql('ALTER TABLE tasks DROP COLUMN loop');
      await database.dataSource.runMigrations({ transaction: 'each' });

      const statuses = await Promise.all(['t1', 't2', 't3', 't4', 't5'].map((id) => tasks.get(id)));
      expect(statuses.map((t) => t?.status)).toEqual(['queued', 'cancelled', 'cancelled', 'failed', 'queued']);
      expect(statuses[1]).toMatchObject({
        failureClass: 'cancelled',
        error: expect.stringContaining('task t1') as string,
      });
      expect((await tasks.eventsAfter('t2', 0, 10)).map((e) => [e.seq, e.kind, e.data])).toEqual([
        [1, 'status', { to: 'queued' }],
        [2, 'status', { from: 'running', to: 'cancelled', attempt: 1, reason: expect.any(String) as string }],
        [3, 'end', { status: 'cancelled', error: expect.any(String) as string, failure_class: 'cancelled' }],
      ]);
      expect((await tasks.appendEvent('t3', { kind: 'log', data: {} })).seq).toBe(4);
      // The index holds now.
      const again = await tasks.create(taskFixture('t6', { kind: 'issue', issue: 42, prompt: undefined }), queued);
      expect(again).toMatchObject({ created: false, existing: { id: 't1' } });
    } finally {
      await database.close();
    }
  });
});

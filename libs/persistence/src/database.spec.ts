import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { createTempDataDir, type TempDir } from '@agent-harness/testing';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openDatabase } from './database.js';

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
      expect(first.appliedMigrations).toEqual([
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
      ]);
      const [mode] = await first.dataSource.query<{ journal_mode: string }[]>('PRAGMA journal_mode');
      expect(mode?.journal_mode).toBe('wal');
      const columns = await first.dataSource.query<{ name: string }[]>('PRAGMA table_info(projects)');
      expect(columns.map((c) => c.name)).toEqual([
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
      ]);
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

import { join } from 'node:path';
import { reviewStoreContract } from '@agent-harness/review';
import { createTempDir, type TempDir } from '@agent-harness/testing';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openDatabase, type Database } from '../database.js';
import { TypeOrmReviewStore } from './typeorm-review-store.js';

// The same contract as the in-memory store, on real SQLite.
describe('TypeOrmReviewStore (real SQLite) meets the ReviewStore contract', () => {
  let dir: TempDir;
  let database: Database;

  beforeEach(async () => {
    dir = await createTempDir('harness-reviews-db-');
    database = await openDatabase({ file: join(dir.path, 'harness.db') });
  });
  afterEach(async () => {
    await database.close();
    await dir.cleanup();
  });

  for (const check of reviewStoreContract)
    it(check.name, async () => {
      await check.run(new TypeOrmReviewStore(database.dataSource));
    });

  it('keeps runs and findings across a reopen of the database file', async () => {
    const store = new TypeOrmReviewStore(database.dataSource);
    await store.save({
      id: 'run-1',
      project: 'app',
      head: 'abc',
      strategy: 'single',
      agents: ['claude'],
      status: 'done',
      summary: 'ok',
      startedAt: '2026-11-24T10:00:00.000Z',
      finishedAt: '2026-11-24T10:01:00.000Z',
      durationMs: 60_000,
      findings: [{ id: 'F-1', severity: 'high', title: 't', description: 'd', line: 3 }],
    });
    await database.close();
    database = await openDatabase({ file: join(dir.path, 'harness.db') });
    const reopened = new TypeOrmReviewStore(database.dataSource);
    expect((await reopened.get('run-1'))?.findings).toEqual([
      { id: 'F-1', severity: 'high', title: 't', description: 'd', line: 3, file: undefined, suggestion: undefined },
    ]);
    expect(await reopened.lastReviewedHead('app')).toBe('abc');
  });
});

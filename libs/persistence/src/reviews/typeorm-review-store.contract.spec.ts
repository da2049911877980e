import { reviewStoreContract } from '@agent-harness/review/testing';
import { describe, expect, it } from 'vitest';
import { DATABASE_KINDS, useTestDatabase } from '../../test/test-database.js';
import { TypeOrmReviewStore } from './typeorm-review-store.js';

// The same contract as the in-memory store, on both real engines.
describe.each(DATABASE_KINDS)('TypeOrmReviewStore (real %s) meets the ReviewStore contract', (kind) => {
  const db = useTestDatabase(kind);

  for (const check of reviewStoreContract)
    it(check.name, async () => {
      await check.run(new TypeOrmReviewStore(db.database.dataSource));
    });

  it('keeps runs and findings across a reopen of the database', async () => {
    const store = new TypeOrmReviewStore(db.database.dataSource);
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
    const reopened = new TypeOrmReviewStore((await db.reopen()).dataSource);
    expect((await reopened.get('run-1'))?.findings).toEqual([
      { id: 'F-1', severity: 'high', title: 't', description: 'd', line: 3, file: undefined, suggestion: undefined },
    ]);
    expect(await reopened.lastReviewedHead('app')).toBe('abc');
  });
});

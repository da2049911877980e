import { createTempPostgresDatabase, taskFixture, type TempPostgresDatabase } from '@agent-harness/testing';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openDatabase, type Database } from '../database.js';
import { TypeOrmTaskRepository } from './typeorm-task.repository.js';

// Two servers of a fleet (two connection pools on one PostgreSQL database) asked for the same issue
// at once: the unique index lets one task through, and every caller gets that one.
describe('one task per piece of work across servers (real PostgreSQL)', () => {
  let db: TempPostgresDatabase;
  let databases: Database[];
  beforeEach(async () => {
    db = await createTempPostgresDatabase();
    databases = [];
  });
  afterEach(async () => {
    for (const database of databases) await database.close();
    await db.drop();
  });

  it('concurrent creates of one issue on two servers store one task, answered to all', async () => {
    for (let i = 0; i < 2; i++) databases.push(await openDatabase({ url: db.url }));
    const servers = databases.map((d) => new TypeOrmTaskRepository(d.dataSource));
    const [first, second] = servers;
    if (first === undefined || second === undefined) throw new Error('two servers expected');
    const event = { kind: 'status', data: { to: 'queued' } } as const;
    const outcomes = await Promise.all(
      Array.from({ length: 60 }, (_, i) =>
        (i % 2 === 0 ? first : second).create(
          taskFixture(`t${String(i).padStart(2, '0')}`, { kind: 'issue', prompt: undefined, issue: 42 }),
          event,
        ),
      ),
    );
    const created = outcomes.flatMap((o) => (o.created ? [o.event.taskId] : []));
    expect(created).toHaveLength(1);
    const ids = new Set(outcomes.map((o) => (o.created ? o.event.taskId : o.existing.id)));
    expect([...ids]).toEqual(created);
    expect((await first.list({ limit: 100, offset: 0 })).total).toBe(1);
  });
});

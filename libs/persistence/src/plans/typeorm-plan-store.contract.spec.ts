import { join } from 'node:path';
import { contractPlan, planStoreContract } from '@agent-harness/plans';
import { createTempDir, type TempDir } from '@agent-harness/testing';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openDatabase, type Database } from '../database.js';
import { TypeOrmPlanStore } from './typeorm-plan-store.js';

// The same contract as the in-memory store, on real SQLite.
describe('TypeOrmPlanStore (real SQLite) meets the PlanStore contract', () => {
  let dir: TempDir;
  let database: Database;

  beforeEach(async () => {
    dir = await createTempDir('harness-plans-db-');
    database = await openDatabase({ file: join(dir.path, 'harness.db') });
  });
  afterEach(async () => {
    await database.close();
    await dir.cleanup();
  });

  for (const check of planStoreContract)
    it(check.name, async () => {
      await check.run(new TypeOrmPlanStore(database.dataSource));
    });

  it('keeps plans across a reopen, and findByTask trusts the plan over a stale index row', async () => {
    const store = new TypeOrmPlanStore(database.dataSource);
    const saved = await store.save(
      contractPlan(1, { taskLinks: [{ taskId: 'task-1', milestone: 0, linkedAt: '2026-11-24T10:00:00.000Z' }] }),
    );
    // A crash between the plan write and the index write leaves a row the plan does not have.
    await database.dataSource.query(
      `INSERT INTO exec_plan_tasks (task_id, plan_id, milestone) VALUES ('ghost', ?, 0)`,
      [saved.id],
    );
    expect(await store.findByTask('ghost')).toBeUndefined();
    await database.close();
    database = await openDatabase({ file: join(dir.path, 'harness.db') });
    const reopened = new TypeOrmPlanStore(database.dataSource);
    expect(await reopened.get(saved.id)).toEqual(saved);
    expect((await reopened.findByTask('task-1'))?.id).toBe(saved.id);
    // The next save of the plan rewrites its index rows.
    await reopened.save(saved);
    const rows: { task_id: string }[] = await database.dataSource.query(
      'SELECT task_id FROM exec_plan_tasks ORDER BY task_id',
    );
    expect(rows.map((r) => r.task_id)).toEqual(['task-1']);
  });
});

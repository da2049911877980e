import { contractPlan, planStoreContract } from '@agent-harness/plans/testing';
import { describe, expect, it } from 'vitest';
import { DATABASE_KINDS, useTestDatabase } from '../../test/test-database.js';
import { sqlRows } from '../sql.js';
import { TypeOrmPlanStore } from './typeorm-plan-store.js';

// The same contract as the in-memory store, on both real engines.
describe.each(DATABASE_KINDS)('TypeOrmPlanStore (real %s) meets the PlanStore contract', (kind) => {
  const db = useTestDatabase(kind);

  for (const check of planStoreContract)
    it(check.name, async () => {
      await check.run(new TypeOrmPlanStore(db.database.dataSource));
    });

  it('keeps plans across a reopen, and findByTask trusts the plan over a stale index row', async () => {
    const store = new TypeOrmPlanStore(db.database.dataSource);
    const saved = await store.save(
      contractPlan(1, { taskLinks: [{ taskId: 'task-1', milestone: 0, linkedAt: '2026-11-24T10:00:00.000Z' }] }),
    );
    // A crash between the plan write and the index write leaves a row the plan does not have.
    await sqlRows(
      db.database.dataSource,
      `INSERT INTO exec_plan_tasks (task_id, plan_id, milestone) VALUES ('ghost', ?, 0)`,
      [saved.id],
    );
    expect(await store.findByTask('ghost')).toBeUndefined();
    const reopened = new TypeOrmPlanStore((await db.reopen()).dataSource);
    expect(await reopened.get(saved.id)).toEqual(saved);
    expect((await reopened.findByTask('task-1'))?.id).toBe(saved.id);
    // The next save of the plan rewrites its index rows.
    await reopened.save(saved);
    const rows = await sqlRows<{ task_id: string }>(
      db.database.dataSource,
      'SELECT task_id FROM exec_plan_tasks ORDER BY task_id',
    );
    expect(rows.map((r) => r.task_id)).toEqual(['task-1']);
  });
});

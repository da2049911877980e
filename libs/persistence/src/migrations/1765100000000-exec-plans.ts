import { Table, TableIndex, type MigrationInterface, type QueryRunner } from 'typeorm';

/**
 * Exec plans (`@agent-harness/plans`). `exec_plans.body` is the whole plan as JSON text (its
 * bounds are checked before it is written); `version` decides racing writes (`UPDATE … WHERE
 * version = ?`); `project`, `status` and the times are copied out of the body to list and filter
 * in SQL. `exec_plan_tasks` finds the plan a task is linked to: one row per link, the task id its
 * key, so a task is linked to one plan. Indexes: `(updated_at, id)` and `(project, updated_at)`
 * for listings, `plan_id` to rewrite a plan's links.
 */
export class ExecPlans1765100000000 implements MigrationInterface {
  readonly name = 'ExecPlans1765100000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.createTable(
      new Table({
        name: 'exec_plans',
        columns: [
          { name: 'id', type: 'varchar', length: '12', isPrimary: true },
          { name: 'project', type: 'varchar', length: '200' },
          { name: 'status', type: 'varchar', length: '16' },
          { name: 'body', type: 'text' },
          { name: 'version', type: 'integer' },
          { name: 'created_at', type: 'varchar', length: '32' },
          { name: 'updated_at', type: 'varchar', length: '32' },
        ],
      }),
    );
    await queryRunner.createIndex(
      'exec_plans',
      new TableIndex({ name: 'idx_exec_plans_updated', columnNames: ['updated_at', 'id'] }),
    );
    await queryRunner.createIndex(
      'exec_plans',
      new TableIndex({ name: 'idx_exec_plans_project', columnNames: ['project', 'updated_at'] }),
    );
    await queryRunner.createTable(
      new Table({
        name: 'exec_plan_tasks',
        columns: [
          { name: 'task_id', type: 'varchar', length: '64', isPrimary: true },
          { name: 'plan_id', type: 'varchar', length: '12' },
          { name: 'milestone', type: 'integer' },
        ],
      }),
    );
    await queryRunner.createIndex(
      'exec_plan_tasks',
      new TableIndex({ name: 'idx_exec_plan_tasks_plan', columnNames: ['plan_id'] }),
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropTable('exec_plan_tasks');
    await queryRunner.dropTable('exec_plans');
  }
}

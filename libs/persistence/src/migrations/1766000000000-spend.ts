import { Table, TableIndex, type MigrationInterface, type QueryRunner } from 'typeorm';
import { doubleType, rowIdType } from './column-types.js';

/**
 * Spend limits (`[limits]`): `task_usage`, one row per agent run of a task (tokens, turns, dollars
 * and where the dollars come from), read by the daily limits (a day's sum), the task limits (a
 * task's sum) and `GET /api/usage`. `day` is the spend day the run ended in, computed with the
 * configured day boundary and time zone when written, so grouping by it is plain SQL on both
 * engines. Token counts are bigint on PostgreSQL (a long run's sums pass 2^31). Indexes: `(day,
 * project)` for the daily sums and summaries, `(task_id)` for a task's totals.
 * The failure class of spend limits is now `budget` (it was `budget_exceeded`).
 */
export class Spend1766000000000 implements MigrationInterface {
  readonly name = 'Spend1766000000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    const count = rowIdType(queryRunner);
    await queryRunner.createTable(
      new Table({
        name: 'task_usage',
        columns: [
          { name: 'id', type: count, isPrimary: true, isGenerated: true, generationStrategy: 'increment' },
          { name: 'task_id', type: 'varchar', length: '64' },
          { name: 'project', type: 'varchar', length: '200' },
          { name: 'agent', type: 'varchar', length: '64' },
          { name: 'role', type: 'varchar', length: '16' },
          { name: 'model', type: 'varchar', length: '200', isNullable: true },
          { name: 'day', type: 'varchar', length: '10' },
          { name: 'at', type: 'varchar', length: '32' },
          { name: 'input_tokens', type: count },
          { name: 'cached_input_tokens', type: count },
          { name: 'cache_write_tokens', type: count },
          { name: 'output_tokens', type: count },
          { name: 'turns', type: 'integer' },
          { name: 'cost_usd', type: doubleType(queryRunner) },
          { name: 'priced_by', type: 'varchar', length: '16' },
        ],
      }),
    );
    await queryRunner.createIndex(
      'task_usage',
      new TableIndex({ name: 'idx_task_usage_day', columnNames: ['day', 'project'] }),
    );
    await queryRunner.createIndex(
      'task_usage',
      new TableIndex({ name: 'idx_task_usage_task', columnNames: ['task_id'] }),
    );
    await queryRunner.query(`UPDATE tasks SET failure_class = 'budget' WHERE failure_class = 'budget_exceeded'`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`UPDATE tasks SET failure_class = 'budget_exceeded' WHERE failure_class = 'budget'`);
    await queryRunner.dropIndex('task_usage', 'idx_task_usage_task');
    await queryRunner.dropIndex('task_usage', 'idx_task_usage_day');
    await queryRunner.dropTable('task_usage');
  }
}

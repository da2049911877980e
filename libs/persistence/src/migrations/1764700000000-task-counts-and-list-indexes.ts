import { Table, TableIndex, type MigrationInterface, type QueryRunner } from 'typeorm';
import { dropTaskCounts, installTaskCounts } from '../tasks/task-counts.js';

/**
 * Counts and lists that stay cheap with 100,000 tasks stored:
 * - `task_counts` holds the number of tasks per (project, status), kept by triggers in the same
 *   transaction as every write of a task (see tasks/task-counts.ts), so the dashboard, list totals
 *   and the queue-size check read a few rows instead of counting the table;
 * - list indexes end in `(created_at, id)`, the list order, so a filtered page (and a keyset
 *   cursor) is an index range read instead of a sort.
 */
export class TaskCountsAndListIndexes1764700000000 implements MigrationInterface {
  readonly name = 'TaskCountsAndListIndexes1764700000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.createTable(
      new Table({
        name: 'task_counts',
        columns: [
          { name: 'project', type: 'varchar', isPrimary: true },
          { name: 'status', type: 'varchar', length: '32', isPrimary: true },
          { name: 'count', type: 'integer', default: 0 },
        ],
      }),
    );
    await installTaskCounts(queryRunner);

    await queryRunner.dropIndex('tasks', 'idx_tasks_status_created');
    await queryRunner.dropIndex('tasks', 'idx_tasks_project_status');
    await queryRunner.createIndex(
      'tasks',
      new TableIndex({ name: 'idx_tasks_status_created_id', columnNames: ['status', 'created_at', 'id'] }),
    );
    await queryRunner.createIndex(
      'tasks',
      new TableIndex({ name: 'idx_tasks_project_created_id', columnNames: ['project', 'created_at', 'id'] }),
    );
    await queryRunner.createIndex(
      'tasks',
      new TableIndex({
        name: 'idx_tasks_project_status_created_id',
        columnNames: ['project', 'status', 'created_at', 'id'],
      }),
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropIndex('tasks', 'idx_tasks_project_status_created_id');
    await queryRunner.dropIndex('tasks', 'idx_tasks_project_created_id');
    await queryRunner.dropIndex('tasks', 'idx_tasks_status_created_id');
    await queryRunner.createIndex(
      'tasks',
      new TableIndex({ name: 'idx_tasks_status_created', columnNames: ['status', 'created_at'] }),
    );
    await queryRunner.createIndex(
      'tasks',
      new TableIndex({ name: 'idx_tasks_project_status', columnNames: ['project', 'status'] }),
    );
    await dropTaskCounts(queryRunner);
    await queryRunner.dropTable('task_counts');
  }
}

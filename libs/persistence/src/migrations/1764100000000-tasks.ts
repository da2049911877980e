import { Table, TableIndex, type MigrationInterface, type QueryRunner } from 'typeorm';
import { doubleType } from './column-types.js';

/** Tasks (the whole request, status and outcome) and their append-only event logs. */
export class Tasks1764100000000 implements MigrationInterface {
  readonly name = 'Tasks1764100000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.createTable(
      new Table({
        name: 'tasks',
        columns: [
          { name: 'id', type: 'varchar', length: '36', isPrimary: true },
          { name: 'project', type: 'varchar', length: '200' },
          { name: 'kind', type: 'varchar', length: '16' },
          { name: 'prompt', type: 'text', isNullable: true },
          { name: 'issue', type: 'integer', isNullable: true },
          { name: 'pr', type: 'integer', isNullable: true },
          { name: 'description', type: 'varchar', length: '500', isNullable: true },
          { name: 'agent', type: 'varchar', length: '100', isNullable: true },
          { name: 'model', type: 'varchar', length: '200', isNullable: true },
          { name: 'status', type: 'varchar', length: '16' },
          { name: 'attempt', type: 'integer', default: 1 },
          { name: 'not_before', type: 'varchar', length: '32', isNullable: true },
          { name: 'branch', type: 'varchar', length: '255', isNullable: true },
          { name: 'worktree', type: 'varchar', length: '4096', isNullable: true },
          { name: 'commit_sha', type: 'varchar', length: '64', isNullable: true },
          { name: 'agent_used', type: 'varchar', length: '100', isNullable: true },
          { name: 'session_id', type: 'varchar', length: '200', isNullable: true },
          { name: 'input_tokens', type: 'integer', default: 0 },
          { name: 'output_tokens', type: 'integer', default: 0 },
          { name: 'cost_usd', type: doubleType(queryRunner), isNullable: true },
          { name: 'error', type: 'text', isNullable: true },
          { name: 'created_at', type: 'varchar', length: '32' },
          { name: 'updated_at', type: 'varchar', length: '32' },
          { name: 'started_at', type: 'varchar', length: '32', isNullable: true },
          { name: 'finished_at', type: 'varchar', length: '32', isNullable: true },
          { name: 'version', type: 'integer', default: 1 },
        ],
      }),
    );
    await queryRunner.createIndex(
      'tasks',
      new TableIndex({ name: 'idx_tasks_created', columnNames: ['created_at', 'id'] }),
    );
    await queryRunner.createIndex(
      'tasks',
      new TableIndex({ name: 'idx_tasks_status_created', columnNames: ['status', 'created_at'] }),
    );
    await queryRunner.createIndex(
      'tasks',
      new TableIndex({ name: 'idx_tasks_project_status', columnNames: ['project', 'status'] }),
    );
    await queryRunner.createTable(
      new Table({
        name: 'task_events',
        columns: [
          { name: 'task_id', type: 'varchar', length: '36', isPrimary: true },
          { name: 'seq', type: 'integer', isPrimary: true },
          { name: 'kind', type: 'varchar', length: '16' },
          { name: 'data', type: 'text' },
          { name: 'created_at', type: 'varchar', length: '32' },
        ],
        foreignKeys: [
          {
            columnNames: ['task_id'],
            referencedTableName: 'tasks',
            referencedColumnNames: ['id'],
            onDelete: 'CASCADE',
          },
        ],
      }),
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropTable('task_events');
    await queryRunner.dropTable('tasks');
  }
}

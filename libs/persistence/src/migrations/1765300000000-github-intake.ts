import { Table, TableColumn, TableIndex, type MigrationInterface, type QueryRunner } from 'typeorm';

/**
 * GitHub intake (see TypeOrmGitHubIntakeStore):
 * - `tasks.origin`: where a task came from (a TaskOrigin as JSON), so its outcome is posted there;
 * - `github_webhook_deliveries`: delivery ids already taken (a redelivery is taken once), pruned
 *   by `received_at`;
 * - `github_intake_issues`: the issues the poller has seen per repository and number, and the task
 *   each became (or why it was ignored);
 * - `github_replies`: the replies owed on GitHub per task, until its outcome is posted.
 */
export class GitHubIntake1765300000000 implements MigrationInterface {
  readonly name = 'GitHubIntake1765300000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.addColumn('tasks', new TableColumn({ name: 'origin', type: 'text', isNullable: true }));
    await queryRunner.createTable(
      new Table({
        name: 'github_webhook_deliveries',
        columns: [
          { name: 'id', type: 'varchar', length: '64', isPrimary: true },
          { name: 'event', type: 'varchar', length: '64' },
          { name: 'received_at', type: 'varchar', length: '32' },
          { name: 'task_id', type: 'varchar', length: '64', isNullable: true },
        ],
      }),
    );
    await queryRunner.createIndex(
      'github_webhook_deliveries',
      new TableIndex({ name: 'idx_github_webhook_deliveries_received', columnNames: ['received_at'] }),
    );
    await queryRunner.createTable(
      new Table({
        name: 'github_intake_issues',
        columns: [
          { name: 'repo', type: 'varchar', length: '201', isPrimary: true },
          { name: 'number', type: 'integer', isPrimary: true },
          { name: 'state', type: 'varchar', length: '16' },
          { name: 'task_id', type: 'varchar', length: '64', isNullable: true },
          { name: 'reason', type: 'text', isNullable: true },
          { name: 'issue_updated_at', type: 'varchar', length: '32' },
          { name: 'updated_at', type: 'varchar', length: '32' },
        ],
      }),
    );
    await queryRunner.createTable(
      new Table({
        name: 'github_replies',
        columns: [
          { name: 'task_id', type: 'varchar', length: '64', isPrimary: true },
          { name: 'created_at', type: 'varchar', length: '32' },
          { name: 'start_posted_at', type: 'varchar', length: '32', isNullable: true },
          { name: 'outcome_posted_at', type: 'varchar', length: '32', isNullable: true },
          { name: 'attempts', type: 'integer', default: 0 },
          { name: 'last_error', type: 'text', isNullable: true },
        ],
      }),
    );
    await queryRunner.createIndex(
      'github_replies',
      new TableIndex({ name: 'idx_github_replies_pending', columnNames: ['outcome_posted_at', 'created_at'] }),
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropTable('github_replies');
    await queryRunner.dropTable('github_intake_issues');
    await queryRunner.dropTable('github_webhook_deliveries');
    await queryRunner.dropColumn('tasks', 'origin');
  }
}

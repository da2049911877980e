import { TableColumn, TableIndex, type MigrationInterface, type QueryRunner } from 'typeorm';

/** Leases of running tasks (owner and expiry), and event numbers allocated from the task row. */
export class LeasesAndEventSeq1764500000000 implements MigrationInterface {
  readonly name = 'LeasesAndEventSeq1764500000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.addColumns('tasks', [
      new TableColumn({ name: 'lease_owner', type: 'varchar', length: '64', isNullable: true }),
      new TableColumn({ name: 'lease_expires_at', type: 'varchar', length: '32', isNullable: true }),
      new TableColumn({ name: 'last_event_seq', type: 'integer', default: 0 }),
    ]);
    await queryRunner.query(
      'UPDATE tasks SET last_event_seq = (SELECT COALESCE(MAX(e.seq), 0) FROM task_events e WHERE e.task_id = tasks.id)',
    );
    await queryRunner.createIndex(
      'tasks',
      new TableIndex({ name: 'idx_tasks_status_lease', columnNames: ['status', 'lease_expires_at'] }),
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropIndex('tasks', 'idx_tasks_status_lease');
    for (const column of ['last_event_seq', 'lease_expires_at', 'lease_owner'])
      await queryRunner.dropColumn('tasks', column);
  }
}

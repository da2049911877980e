import { Table, TableColumn, type MigrationInterface, type QueryRunner } from 'typeorm';

/**
 * Fleet mode: several servers on one database.
 * - `tasks.cancel_requested_at`: a cancel asked on one server for a task another runs; the running
 *   server's heartbeat sees it and ends the run.
 * - `fleet_servers`: each server's heartbeat, for `GET /api/fleet` (which server is alive, draining,
 *   running what).
 */
export class Fleet1765600000000 implements MigrationInterface {
  readonly name = 'Fleet1765600000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.addColumn(
      'tasks',
      new TableColumn({ name: 'cancel_requested_at', type: 'varchar', length: '32', isNullable: true }),
    );
    await queryRunner.createTable(
      new Table({
        name: 'fleet_servers',
        columns: [
          { name: 'id', type: 'varchar', length: '64', isPrimary: true },
          { name: 'host', type: 'varchar', length: '255' },
          { name: 'pid', type: 'integer' },
          { name: 'started_at', type: 'varchar', length: '32' },
          { name: 'heartbeat_at', type: 'varchar', length: '32' },
          { name: 'state', type: 'varchar', length: '16' },
          { name: 'slots', type: 'integer' },
        ],
      }),
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropTable('fleet_servers');
    await queryRunner.dropColumn('tasks', 'cancel_requested_at');
  }
}

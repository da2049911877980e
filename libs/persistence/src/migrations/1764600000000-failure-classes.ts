import { TableColumn, type MigrationInterface, type QueryRunner } from 'typeorm';

/** Why a task failed, as a class the event store, GC and dashboard can count. */
export class FailureClasses1764600000000 implements MigrationInterface {
  readonly name = 'FailureClasses1764600000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.addColumn(
      'tasks',
      new TableColumn({ name: 'failure_class', type: 'varchar', length: '32', isNullable: true }),
    );
    // Tasks that failed before classes existed: the one case their message tells for sure.
    await queryRunner.query(`UPDATE tasks SET failure_class = 'cancelled' WHERE status = 'cancelled'`);
    await queryRunner.query(`UPDATE tasks SET failure_class = 'internal' WHERE status = 'failed'`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropColumn('tasks', 'failure_class');
  }
}

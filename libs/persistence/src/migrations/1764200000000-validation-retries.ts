import { TableColumn, type MigrationInterface, type QueryRunner } from 'typeorm';

/** How often a task's validation failure went back to its agent (for the quality grade). */
export class ValidationRetries1764200000000 implements MigrationInterface {
  readonly name = 'ValidationRetries1764200000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.addColumn('tasks', new TableColumn({ name: 'validation_retries', type: 'integer', default: 0 }));
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropColumn('tasks', 'validation_retries');
  }
}

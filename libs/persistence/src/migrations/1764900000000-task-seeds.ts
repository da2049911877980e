import { TableColumn, type MigrationInterface, type QueryRunner } from 'typeorm';

/**
 * A task's own branch name and the files it starts with: GC adoption commits a draft's artifacts
 * on `harness/gc-<id>` through a normal task, and a restart must redo it from the row alone.
 */
export class TaskSeeds1764900000000 implements MigrationInterface {
  readonly name = 'TaskSeeds1764900000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.addColumns('tasks', [
      new TableColumn({ name: 'head_branch', type: 'varchar', isNullable: true }),
      new TableColumn({ name: 'seed', type: 'text', isNullable: true }),
    ]);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropColumns('tasks', ['head_branch', 'seed']);
  }
}

import { TableColumn, type MigrationInterface, type QueryRunner } from 'typeorm';

/** A task's stored resume point and its complexity class. */
export class Checkpoints1764400000000 implements MigrationInterface {
  readonly name = 'Checkpoints1764400000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.addColumns('tasks', [
      new TableColumn({ name: 'checkpoint', type: 'varchar', length: '32', isNullable: true }),
      new TableColumn({ name: 'complexity', type: 'varchar', length: '16', isNullable: true }),
    ]);
    // Tasks stored before checkpoints existed: a pushed branch with an open PR was the resume point.
    await queryRunner.query(
      `UPDATE tasks SET checkpoint = 'published' WHERE kind <> 'pr' AND pr_number IS NOT NULL AND branch IS NOT NULL`,
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    for (const column of ['complexity', 'checkpoint']) await queryRunner.dropColumn('tasks', column);
  }
}

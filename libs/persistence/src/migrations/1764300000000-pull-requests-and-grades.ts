import { TableColumn, type MigrationInterface, type QueryRunner } from 'typeorm';

/** The pull request a task opened, its review and its quality grade. */
export class PullRequestsAndGrades1764300000000 implements MigrationInterface {
  readonly name = 'PullRequestsAndGrades1764300000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.addColumns('tasks', [
      new TableColumn({ name: 'pr_number', type: 'integer', isNullable: true }),
      new TableColumn({ name: 'pr_url', type: 'varchar', length: '500', isNullable: true }),
      new TableColumn({ name: 'review_rounds', type: 'integer', default: 0 }),
      new TableColumn({ name: 'review_outcome', type: 'varchar', length: '32', isNullable: true }),
      new TableColumn({ name: 'grade', type: 'varchar', length: '1', isNullable: true }),
      new TableColumn({ name: 'score', type: 'integer', isNullable: true }),
    ]);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    for (const column of ['score', 'grade', 'review_outcome', 'review_rounds', 'pr_url', 'pr_number'])
      await queryRunner.dropColumn('tasks', column);
  }
}

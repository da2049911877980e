import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * A task's pull request loop (`TaskLoop` as JSON): the round queued on it (a CI fix, an answer to
 * requested changes, a follow-up, an approved rest), the approval it waits for and the rounds spent.
 * A restart resumes the loop from this column alone. Plain `ADD COLUMN` on both engines: TypeORM's
 * `addColumn` rebuilds a SQLite table, which would drop the partial unique indexes of one task per
 * piece of work (they are raw SQL, unknown to its table model).
 */
export class PullRequestLoop1766100000000 implements MigrationInterface {
  readonly name = 'PullRequestLoop1766100000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('ALTER TABLE tasks ADD COLUMN loop text');
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('ALTER TABLE tasks DROP COLUMN loop');
  }
}

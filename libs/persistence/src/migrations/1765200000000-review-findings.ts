import { Table, TableIndex, type MigrationInterface, type QueryRunner } from 'typeorm';
import { doubleType } from './column-types.js';

/**
 * Periodic whole-repo reviews (`@agent-harness/review`'s ReviewStore): one `review_runs` row per
 * review (done or failed), and its findings in `review_findings`, keyed by run and finding id.
 * Findings are written before their run row, which is what makes a run visible: no foreign key,
 * and no transaction (the connection is shared; see TypeOrmReviewStore).
 * Indexes: `(project, started_at)` for listings, `(project, status, started_at)` for the last
 * reviewed head, `(started_at)` for listings of every project.
 */
export class ReviewFindings1765200000000 implements MigrationInterface {
  readonly name = 'ReviewFindings1765200000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.createTable(
      new Table({
        name: 'review_runs',
        columns: [
          { name: 'id', type: 'varchar', length: '64', isPrimary: true },
          { name: 'project', type: 'varchar', length: '200' },
          { name: 'head', type: 'varchar', length: '64' },
          { name: 'previous_head', type: 'varchar', length: '64', isNullable: true },
          { name: 'strategy', type: 'varchar', length: '16' },
          // A JSON array of agent names, the primary one first.
          { name: 'agents', type: 'text' },
          { name: 'status', type: 'varchar', length: '16' },
          { name: 'summary', type: 'text' },
          { name: 'error', type: 'text', isNullable: true },
          { name: 'note', type: 'text', isNullable: true },
          { name: 'cost_usd', type: doubleType(queryRunner), isNullable: true },
          { name: 'started_at', type: 'varchar', length: '32' },
          { name: 'finished_at', type: 'varchar', length: '32' },
          { name: 'duration_ms', type: 'integer' },
          { name: 'finding_count', type: 'integer' },
        ],
      }),
    );
    await queryRunner.createIndex(
      'review_runs',
      new TableIndex({ name: 'idx_review_runs_project', columnNames: ['project', 'started_at'] }),
    );
    await queryRunner.createIndex(
      'review_runs',
      new TableIndex({ name: 'idx_review_runs_project_status', columnNames: ['project', 'status', 'started_at'] }),
    );
    await queryRunner.createIndex(
      'review_runs',
      new TableIndex({ name: 'idx_review_runs_started', columnNames: ['started_at'] }),
    );
    await queryRunner.createTable(
      new Table({
        name: 'review_findings',
        columns: [
          { name: 'run_id', type: 'varchar', length: '64', isPrimary: true },
          { name: 'id', type: 'varchar', length: '64', isPrimary: true },
          // The finding's place in its review (the reviewer's order).
          { name: 'position', type: 'integer' },
          { name: 'severity', type: 'varchar', length: '16' },
          { name: 'title', type: 'text' },
          { name: 'file', type: 'text', isNullable: true },
          { name: 'line', type: 'integer', isNullable: true },
          { name: 'description', type: 'text' },
          { name: 'suggestion', type: 'text', isNullable: true },
        ],
      }),
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropTable('review_findings');
    await queryRunner.dropTable('review_runs');
  }
}

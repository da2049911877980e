import { Table, TableIndex, type MigrationInterface, type QueryRunner } from 'typeorm';
import { doubleType } from './column-types.js';

/**
 * The index of GC remediation drafts (`@agent-harness/gc`'s DraftIndex). Each draft's whole record
 * is its JSON file in `<data_dir>/drafts`; these rows list and filter drafts without reading every
 * file, and their conditional status updates decide races (two adopts of one draft: one wins).
 * Indexes: `(project, status, generated_at)` for listings and the pending-per-signal look-up,
 * `(status, generated_at)` for expiry.
 */
export class GcDrafts1765000000000 implements MigrationInterface {
  readonly name = 'GcDrafts1765000000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.createTable(
      new Table({
        name: 'gc_drafts',
        columns: [
          { name: 'id', type: 'varchar', length: '12', isPrimary: true },
          { name: 'project', type: 'varchar', length: '200' },
          { name: 'status', type: 'varchar', length: '16' },
          { name: 'signal_type', type: 'varchar', length: '32' },
          { name: 'signal_id', type: 'varchar', length: '64' },
          { name: 'signal_key', type: 'text' },
          { name: 'priority', type: 'integer' },
          { name: 'artifact_count', type: 'integer' },
          { name: 'agent', type: 'varchar', length: '64' },
          { name: 'cost_usd', type: doubleType(queryRunner), isNullable: true },
          { name: 'generated_at', type: 'varchar', length: '32' },
          { name: 'status_changed_at', type: 'varchar', length: '32', isNullable: true },
          { name: 'status_reason', type: 'text', isNullable: true },
          { name: 'task_id', type: 'varchar', length: '64', isNullable: true },
        ],
      }),
    );
    await queryRunner.createIndex(
      'gc_drafts',
      new TableIndex({ name: 'idx_gc_drafts_project_status', columnNames: ['project', 'status', 'generated_at'] }),
    );
    await queryRunner.createIndex(
      'gc_drafts',
      new TableIndex({ name: 'idx_gc_drafts_status', columnNames: ['status', 'generated_at'] }),
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropTable('gc_drafts');
  }
}

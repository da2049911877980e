import { Table, TableIndex, type MigrationInterface, type QueryRunner } from 'typeorm';
import { rowIdType } from './column-types.js';

/**
 * The append-only telemetry event store (`@agent-harness/observe`'s EventStore). Text columns are
 * bounded by the store (observe's EVENT_FIELD_LIMITS), `ts` is fixed-width ISO-8601 text so it
 * compares as time. Indexes, each for a query the health report, GC or retention makes:
 * - `(ts)`: retention deletes the oldest events before a cutoff; time-window reads of all projects;
 * - `(project, hook, decision, ts)`: a project's window counted by hook and decision, read from
 *   the index alone (and all projects' too, grouped by project first);
 * - `(hook, decision, ts)`: one kind across projects (validation failures, slow operations, scans);
 * - `(task_id)`: a task's events;
 * - `(session_id, hook, project)`: the violations of one rule scan (not every scan of the project).
 */
export class TelemetryEvents1764800000000 implements MigrationInterface {
  readonly name = 'TelemetryEvents1764800000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.createTable(
      new Table({
        name: 'telemetry_events',
        columns: [
          {
            name: 'id',
            type: rowIdType(queryRunner),
            isPrimary: true,
            isGenerated: true,
            generationStrategy: 'increment',
          },
          { name: 'ts', type: 'varchar', length: '32' },
          { name: 'project', type: 'varchar', length: '200', isNullable: true },
          { name: 'task_id', type: 'varchar', length: '64', isNullable: true },
          { name: 'session_id', type: 'varchar', length: '200', isNullable: true },
          { name: 'hook', type: 'varchar', length: '64' },
          { name: 'tool', type: 'varchar', length: '200', isNullable: true },
          { name: 'decision', type: 'varchar', length: '16' },
          { name: 'severity', type: 'varchar', length: '16', isNullable: true },
          { name: 'reason', type: 'text', isNullable: true },
          { name: 'detail', type: 'text', isNullable: true },
          { name: 'duration_ms', type: 'integer', isNullable: true },
          { name: 'content', type: 'text', isNullable: true },
        ],
      }),
    );
    for (const [name, columnNames] of INDEXES)
      await queryRunner.createIndex('telemetry_events', new TableIndex({ name, columnNames }));
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    for (const [name] of INDEXES) await queryRunner.dropIndex('telemetry_events', name);
    await queryRunner.dropTable('telemetry_events');
  }
}

const INDEXES: readonly (readonly [string, string[]])[] = [
  ['idx_telemetry_ts', ['ts']],
  ['idx_telemetry_project_hook_decision_ts', ['project', 'hook', 'decision', 'ts']],
  ['idx_telemetry_hook_decision_ts', ['hook', 'decision', 'ts']],
  ['idx_telemetry_task', ['task_id']],
  ['idx_telemetry_session_hook_project', ['session_id', 'hook', 'project']],
];

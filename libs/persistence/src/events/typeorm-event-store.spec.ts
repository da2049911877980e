import { join } from 'node:path';
import {
  applyRetention,
  buildHealthReports,
  fileEditEvent,
  reviewRoundEvent,
  ruleCheckEvent,
  ruleScanEvent,
  slowOperationEvent,
  taskFailedEvent,
  taskImplementedEvent,
  validationEvent,
  type NewTelemetryEvent,
  type TelemetryEventDraft,
} from '@agent-harness/observe';
import { InMemoryEventStore } from '@agent-harness/observe/testing';
import { createTempDataDir, type TempDir } from '@agent-harness/testing';
import type { BeforeQueryEvent } from 'typeorm';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { MIGRATIONS } from '../migrations/index.js';
import { openDatabase, type Database } from '../database.js';
import { TypeOrmEventStore } from './typeorm-event-store.js';

const now = new Date('2026-11-24T12:00:00.000Z');
const DAY = 86_400_000;
const ago = (ms: number): string => new Date(now.getTime() - ms).toISOString();

/** A mixed history of `count` events over the last 120 days across three projects. */
function history(count: number): NewTelemetryEvent[] {
  const kinds = (i: number): TelemetryEventDraft => {
    const scope = { project: ['app', 'lib', 'web'][i % 3] ?? 'app', taskId: `t${String(i % 97)}` };
    switch (i % 8) {
      case 0:
        return taskImplementedEvent({ ...scope, agent: 'claude' });
      case 1:
        return taskFailedEvent({ ...scope, failureClass: i % 3 === 0 ? 'agent_timeout' : 'validation_failed' });
      case 2:
        return validationEvent({ ...scope, command: `cmd${String(i % 4)}`, passed: i % 5 !== 0, durationMs: i % 700 });
      case 3:
        return reviewRoundEvent({ ...scope, round: 1 + (i % 2), approved: i % 3 !== 0 });
      case 4:
        return slowOperationEvent({ project: scope.project, operation: 'git fetch', durationMs: 6000 });
      default:
        return fileEditEvent({ ...scope, kind: 'modify', path: `src/f${String(i % 50)}.ts` });
    }
  };
  return Array.from({ length: count }, (_, i) => ({ ...kinds(i), ts: ago(((count - i) * 120 * DAY) / count) }));
}

function scan(project: string, scanId: string, ts: string): NewTelemetryEvent[] {
  return [
    ruleScanEvent({
      project,
      scanId,
      summary: {
        violations: { critical: 1, high: 0, medium: 2, low: 0 },
        rulesLoaded: 20,
        guardsRun: 3,
        guardsFailed: 0,
      },
    }),
    ruleCheckEvent({ project, scanId, ruleId: 'SEC-01', severity: 'critical', message: 'sql', file: 'a.ts', line: 1 }),
    ruleCheckEvent({ project, scanId, ruleId: 'CS-03', severity: 'medium', message: 'extra', file: 'b.ts', line: 2 }),
    ruleCheckEvent({ project, scanId, ruleId: 'CS-03', severity: 'medium', message: 'extra', file: 'c.ts', line: 3 }),
  ].map((d) => ({ ...d, ts }));
}

describe('TypeOrmEventStore on a real SQLite file', () => {
  let dir: TempDir;
  let db: Database;
  let store: TypeOrmEventStore;
  beforeEach(async () => {
    dir = await createTempDataDir();
    db = await openDatabase({ file: join(dir.path, 'harness.db') });
    store = new TypeOrmEventStore(db.dataSource);
  });
  afterEach(async () => {
    await db.close();
    await dir.cleanup();
  });

  it('gives the same health reports as the in-memory store for the same events', async () => {
    const events = [...history(3000), ...scan('app', 'a1', ago(3 * DAY)), ...scan('lib', 'l1', ago(50 * DAY))];
    const memory = new InMemoryEventStore();
    await memory.append(events);
    await store.append(events); // several INSERT statements of 500 rows
    const fromSql = await buildHealthReports(store, { now });
    expect(fromSql).toEqual(await buildHealthReports(memory, { now }));
    expect(fromSql.projects.map((p) => p.project)).toEqual(['app', 'lib', 'web']);
    expect(fromSql.overall.violations.bySeverity).toEqual({ critical: 2, high: 0, medium: 4, low: 0 });
    expect(fromSql.overall.hasData).toBe(true);
  });

  it('answers the health report and retention from indexes, never scanning the table', async () => {
    await store.append([...history(2000), ...scan('app', 'a1', ago(DAY))]);
    const statements: { sql: string; params: unknown[] }[] = [];
    // Every statement of every query runner passes the subscribers' beforeQuery.
    const recorder = {
      beforeQuery: (event: BeforeQueryEvent) => {
        statements.push({ sql: event.query, params: Array.isArray(event.parameters) ? event.parameters : [] });
      },
    };
    db.dataSource.subscribers.push(recorder);
    await buildHealthReports(store, { now });
    await store.deleteOlderThan(ago(90 * DAY), 100);
    db.dataSource.subscribers.splice(db.dataSource.subscribers.indexOf(recorder), 1);
    const query = db.dataSource.query.bind(db.dataSource);

    expect(statements.length).toBeGreaterThan(20);
    for (const { sql, params } of statements) {
      const plan = (await query<{ detail: string }[]>(`EXPLAIN QUERY PLAN ${sql}`, params)).map((r) => r.detail);
      const onTable = plan.filter((line) => line.includes('telemetry_events'));
      expect(onTable.length, sql).toBeGreaterThan(0);
      for (const line of onTable) expect(line, sql).toMatch(/USING (COVERING )?INDEX|USING INTEGER PRIMARY KEY/);
      // A full pass is only allowed over a covering index (all projects' counts), never the table itself.
      for (const line of onTable.filter((l) => l.startsWith('SCAN'))) expect(line, sql).toMatch(/COVERING INDEX/);
    }
    const scanPlan = await query<{ detail: string }[]>(
      'EXPLAIN QUERY PLAN SELECT tool, severity, COUNT(*) FROM telemetry_events WHERE project = ? AND session_id = ? AND hook = ? GROUP BY tool, severity',
      ['app', 'a1', 'rule_check'],
    );
    expect(scanPlan.map((r) => r.detail).join('\n')).toMatch(/idx_telemetry_session_hook_project/);
    const deletePlan = await query<{ detail: string }[]>(
      `EXPLAIN QUERY PLAN ${statements.at(-1)?.sql ?? ''}`,
      statements.at(-1)?.params,
    );
    expect(deletePlan.map((r) => r.detail).join('\n')).toMatch(/idx_telemetry_ts/);
  });

  it('applies retention in batches: every event older than the limit goes, every newer one stays', async () => {
    const events = history(6000);
    await store.append(events);
    const older = events.filter((e) => e.ts < ago(90 * DAY)).length;
    const result = await applyRetention(store, { retentionDays: 90, now, batchSize: 500, pauseMs: 0 });
    expect(result).toMatchObject({ deleted: older, complete: true, cutoff: ago(90 * DAY) });
    expect(result.batches).toBe(Math.floor(older / 500) + 1);
    const [left] = await store.countBy({}, []);
    expect(left?.count).toBe(events.length - older);
    const [oldest] = await store.countBy({ until: ago(90 * DAY) }, []);
    expect(oldest?.count).toBe(0);
  });

  it('rolls the migration back and forth', async () => {
    await store.append(history(10));
    // The migrations after it first, then the telemetry table's own.
    const undo = MIGRATIONS.length - MIGRATIONS.findIndex((m) => m.name === 'TelemetryEvents1764800000000');
    for (let i = 0; i < undo; i++) await db.dataSource.undoLastMigration({ transaction: 'each' });
    const tables = async () =>
      (
        await db.dataSource.query<{ name: string }[]>("SELECT name FROM sqlite_master WHERE name LIKE '%telemetry%'")
      ).map((r) => r.name);
    expect(await tables()).toEqual([]);
    await db.dataSource.runMigrations({ transaction: 'each' });
    expect((await tables()).sort()).toEqual([
      'idx_telemetry_hook_decision_ts',
      'idx_telemetry_project_hook_decision_ts',
      'idx_telemetry_session_hook_project',
      'idx_telemetry_task',
      'idx_telemetry_ts',
      'telemetry_events',
    ]);
  });
});

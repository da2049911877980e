import { join } from 'node:path';
import { SIGNAL_TYPES, detectSignals, type SignalThresholds } from '@agent-harness/gc';
import {
  fileEditEvent,
  ruleCheckEvent,
  slowOperationEvent,
  taskFailedEvent,
  validationEvent,
  type NewTelemetryEvent,
  type TelemetryEventDraft,
} from '@agent-harness/observe';
import { InMemoryEventStore } from '@agent-harness/observe/testing';
import { createTempDataDir, type TempDir } from '@agent-harness/testing';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openDatabase, type Database } from '../database.js';
import { TypeOrmEventStore } from './typeorm-event-store.js';

const now = new Date('2026-11-24T12:00:00.000Z');
const minutesAgo = (m: number): string => new Date(now.getTime() - m * 60_000).toISOString();
const times = <T>(n: number, make: (i: number) => T): T[] => Array.from({ length: n }, (_, i) => make(i));

const thresholds: SignalThresholds = {
  repeatedWarnMin: 4,
  chronicBlockMin: 3,
  hotFileEditsMin: 5,
  slowOpThresholdMs: 1000,
  slowOpCountMin: 3,
  escalationRatio: 1.5,
  violationMin: 3,
};

/** A project's history in which each of the six signals fires once (and one more project that stays quiet). */
function history(project: string): TelemetryEventDraft[] {
  const task = (i: number) => ({ project, taskId: `${project}-${String(i)}` });
  const early = times(30, (i) => validationEvent({ ...task(i), command: 'npm test', passed: true, durationMs: 10 }));
  const warnings = times(6, (i): TelemetryEventDraft => ({
    ...task(i),
    hook: 'review_round',
    decision: 'warn',
    reason: 'tests missing',
  }));
  return [
    // The first half: one warning in 36 events.
    { ...task(0), hook: 'review_round', decision: 'warn', reason: 'tests missing' },
    ...early,
    ...times(5, (i) => fileEditEvent({ ...task(i), kind: 'update', path: 'src/engine.ts' })),
    // The second half: warnings, blocks, slow operations and violations.
    ...warnings,
    ...times(3, (i) => taskFailedEvent({ ...task(i), failureClass: 'validation_failed', agent: 'claude' })),
    ...times(3, (i) => slowOperationEvent({ project, operation: 'git fetch', durationMs: 1500 + i })),
    ...times(3, (i) =>
      ruleCheckEvent({
        project,
        scanId: 's1',
        ruleId: 'TS-01',
        severity: 'medium',
        message: 'any',
        file: `src/f${String(i)}.ts`,
        line: i,
      }),
    ),
    ...times(10, (i) => fileEditEvent({ ...task(i), kind: 'update', path: 'src/other.ts' })),
  ];
}

describe('detectSignals on the SQL event store (real SQLite)', () => {
  let dir: TempDir;
  let db: Database;
  beforeEach(async () => {
    dir = await createTempDataDir();
    db = await openDatabase({ file: join(dir.path, 'harness.db') });
  });
  afterEach(async () => {
    await db.close();
    await dir.cleanup();
  });

  it('finds all six signals, the same as over the in-memory store', async () => {
    const events = [
      ...history('app'),
      ...history('web'),
      ...times(4, () =>
        validationEvent({ project: 'quiet', taskId: 'q', command: 'lint', passed: true, durationMs: 1 }),
      ),
    ].map((draft, i): NewTelemetryEvent => ({ ...draft, ts: draft.ts ?? minutesAgo(500 - (i % 400)) }));
    const sql = new TypeOrmEventStore(db.dataSource);
    const memory = new InMemoryEventStore();
    await sql.append(events);
    await memory.append(events);
    // An event before the window counts in neither.
    const old = {
      ...taskFailedEvent({ project: 'app', taskId: 'old', failureClass: 'agent_error' }),
      ts: minutesAgo(10_000),
    };
    await sql.append([old]);
    await memory.append([old]);

    const options = { since: minutesAgo(1000), until: now.toISOString(), thresholds, now };
    const fromSql = await detectSignals(sql, options);
    expect(fromSql).toEqual(await detectSignals(memory, options));
    for (const project of ['app', 'web'])
      expect(fromSql.filter((s) => s.project === project).map((s) => s.type)).toEqual([
        'chronic_block',
        'warn_escalation',
        'repeated_warn',
        'linter_violations',
        'hot_files',
        'hot_files',
        'slow_sessions',
      ]);
    expect(new Set(fromSql.map((s) => s.type))).toEqual(new Set(SIGNAL_TYPES));
    const block = fromSql.find((s) => s.type === 'chronic_block' && s.project === 'app');
    expect(block?.evidence.count).toBe(3);
    const escalation = fromSql.find((s) => s.type === 'warn_escalation' && s.project === 'app');
    expect(escalation?.evidence.metrics).toMatchObject({
      firstWarnings: 1,
      firstEvents: 30,
      secondWarnings: 12,
      secondEvents: 31,
    });
    expect(await detectSignals(sql, { ...options, project: 'quiet' })).toEqual([]);
  });
});

import { describe, expect, it } from 'vitest';
import {
  reviewRoundEvent,
  ruleCheckEvent,
  ruleScanEvent,
  slowOperationEvent,
  taskFailedEvent,
  taskImplementedEvent,
  validationEvent,
} from '../events/event-builders.js';
import type { NewTelemetryEvent, Severity, TelemetryEventDraft } from '../events/telemetry-event.js';
import { InMemoryEventStore } from '../testing/in-memory-event-store.js';
import { GC_INTERVALS, gradeForScore } from './grade.js';
import { buildHealthReport, buildHealthReports } from './health-report.js';
import type { HealthReport } from './health-types.js';

const now = new Date('2026-11-24T12:00:00.000Z');
const daysAgo = (days: number): string => new Date(now.getTime() - days * 86_400_000).toISOString();

async function storeWith(drafts: readonly TelemetryEventDraft[], ts = daysAgo(1)): Promise<InMemoryEventStore> {
  const store = new InMemoryEventStore();
  await store.append(drafts.map((d): NewTelemetryEvent => ({ ...d, ts: d.ts ?? ts })));
  return store;
}

const times = <T>(n: number, make: (i: number) => T): T[] => Array.from({ length: n }, (_, i) => make(i));
const task = (i: number) => ({ project: 'app', taskId: `t${String(i)}` });
const validations = (passed: number, blocked: number, project = 'app') => [
  ...times(passed, (i) => validationEvent({ ...task(i), project, command: 'npm test', passed: true, durationMs: 10 })),
  ...times(blocked, (i) =>
    validationEvent({ ...task(i), project, command: 'npm test', passed: false, durationMs: 10 }),
  ),
];
const scan = (project: string, scanId: string, found: Partial<Record<Severity, number>>, ts: string) => [
  ruleScanEvent({
    project,
    scanId,
    ts,
    summary: {
      violations: { critical: 0, high: 0, medium: 0, low: 0, ...found },
      rulesLoaded: 30,
      guardsRun: 4,
      guardsFailed: 0,
    },
  }),
  ...Object.entries(found).flatMap(([severity, n]) =>
    times(n, (i) =>
      ruleCheckEvent({
        project,
        scanId,
        ts,
        ruleId: `R-${severity}`,
        severity: severity as Severity,
        message: 'bad',
        file: 'src/a.ts',
        line: i,
      }),
    ),
  ),
];
const dim = (report: HealthReport, name: string) => report.dimensions.find((d) => d.name === name);

describe('grades and GC intervals', () => {
  it('reads A from 90, B from 75, C from 60, D below, thresholds inclusive', () => {
    expect([100, 90, 89.9, 75, 74.9, 60, 59.9, 0].map(gradeForScore)).toEqual(['A', 'A', 'B', 'B', 'C', 'C', 'D', 'D']);
  });

  it('collects weekly at A, every 3 days at B, daily at C, hourly at D', () => {
    expect(GC_INTERVALS).toEqual({
      A: { interval: '7d', ms: 604_800_000 },
      B: { interval: '3d', ms: 259_200_000 },
      C: { interval: '1d', ms: 86_400_000 },
      D: { interval: '1h', ms: 3_600_000 },
    });
  });
});

describe('buildHealthReport', () => {
  it('weighs the five dimensions as documented', async () => {
    const store = await storeWith([
      ...times(8, (i) => taskImplementedEvent({ ...task(i), agent: 'claude' })),
      taskFailedEvent({ ...task(8), failureClass: 'validation_failed' }),
      taskFailedEvent({ ...task(9), failureClass: 'agent_timeout' }),
      taskFailedEvent({ ...task(10), failureClass: 'cancelled' }), // says nothing about the work
      ...validations(9, 1),
      ...times(3, (i) => reviewRoundEvent({ ...task(i), round: 1, approved: true })),
      reviewRoundEvent({ ...task(3), round: 1, approved: false }),
      reviewRoundEvent({ ...task(3), round: 2, approved: true }), // only first rounds count
      ...times(2, () => slowOperationEvent({ project: 'app', operation: 'git fetch', durationMs: 9000 })),
      ...scan('app', 'scan-old', { critical: 5 }, daysAgo(3)),
      ...scan('app', 'scan-new', { high: 1, low: 2 }, daysAgo(2)),
      // Before the window: not counted.
      ...times(5, (i) => ({ ...taskFailedEvent({ ...task(i), failureClass: 'agent_error' }), ts: daysAgo(40) })),
    ]);
    const report = await buildHealthReport(store, { project: 'app', now });
    expect(report.dimensions.map((d) => [d.name, d.weight, d.score, d.samples])).toEqual([
      ['task_success', 0.3, 80, 10],
      ['validation', 0.2, 90, 10],
      ['review', 0.15, 75, 4],
      ['rule_violations', 0.25, 93, 1], // 100 - 5 (high) - 2 × 1 (low)
      ['stability', 0.1, 80, 13], // 1 timeout + ½ × 2 slow operations per 10 finished tasks
    ]);
    // 0.3·80 + 0.2·90 + 0.15·75 + 0.25·93 + 0.1·80
    expect(report.score).toBe(84.5);
    expect(report).toMatchObject({ project: 'app', grade: 'B', gcInterval: '3d', gcIntervalMs: 259_200_000 });
    expect(report.hasData).toBe(true);
    expect(report.window).toEqual({ since: daysAgo(30), days: 30 });
    expect(report.violations).toEqual({
      total: 3,
      bySeverity: { critical: 0, high: 1, medium: 0, low: 2 },
      byRule: [
        { ruleId: 'R-low', severity: 'low', count: 2 },
        { ruleId: 'R-high', severity: 'high', count: 1 },
      ],
      scans: [{ project: 'app', scanId: 'scan-new', at: daysAgo(2) }],
    });
    expect(report.events.byHook).toMatchObject({ task_implemented: 8, task_failed: 3, validation: 10 });
    // block: 3 failures, 1 validation, 5 + 1 critical/high violations; warn: 1 review, 2 slow, 2 scans, 2 low.
    expect(report.events.byDecision).toEqual({ complete: 8, block: 10, pass: 13, warn: 7, gate: 0, escalate: 0 });
    expect(report.events.total).toBe(38);
    expect(report.recommendations).toEqual([
      'Fix the 0 critical and 1 high-severity rule violation(s) first; the most frequent rule is R-low (2).',
      '1 agent run(s) timed out: split large tasks or raise the agent timeout.',
      '2 slow operation(s); the most frequent is git fetch (2).',
    ]);
  });

  it('grades from the rounded score, so the score shown and the grade agree at the boundaries', async () => {
    const grade = async (passed: number, blocked: number) => {
      const report = await buildHealthReport(await storeWith(validations(passed, blocked)), { now });
      return [report.score, report.grade, report.gcInterval];
    };
    expect(await grade(9, 1)).toEqual([90, 'A', '7d']);
    expect(await grade(899, 101)).toEqual([89.9, 'B', '3d']);
    expect(await grade(8996, 1004)).toEqual([90, 'A', '7d']); // 89.96 shows as 90.0
    expect(await grade(3, 1)).toEqual([75, 'B', '3d']);
    expect(await grade(749, 251)).toEqual([74.9, 'C', '1d']);
    expect(await grade(3, 2)).toEqual([60, 'C', '1d']);
    expect(await grade(599, 401)).toEqual([59.9, 'D', '1h']);
  });

  it('scores only the dimensions that have data, with their weights renormalized', async () => {
    const report = await buildHealthReport(
      await storeWith([...validations(1, 1), ...scan('app', 's1', { critical: 2 }, daysAgo(1))]),
      { project: 'app', now },
    );
    // (0.2·50 + 0.25·80) / 0.45
    expect(report.score).toBe(66.7);
    expect(report.grade).toBe('C');
    expect(dim(report, 'task_success')).toMatchObject({
      score: null,
      samples: 0,
      detail: 'no finished tasks in the window',
    });
    expect(dim(report, 'review')?.score).toBeNull();
  });

  it('says so when there is no data at all: score 100 and A by convention, a weekly GC, and what to do', async () => {
    const report = await buildHealthReport(new InMemoryEventStore(), { now, windowMs: 7 * 86_400_000 });
    expect(report).toMatchObject({ hasData: false, score: 100, grade: 'A', gcInterval: '7d', project: null });
    expect(report.dimensions.every((d) => d.score === null)).toBe(true);
    expect(report.events).toEqual({
      total: 0,
      byHook: {},
      byDecision: { pass: 0, warn: 0, block: 0, gate: 0, escalate: 0, complete: 0 },
    });
    expect(report.recommendations).toEqual([
      'No telemetry in the last 7 days and no rule scan: run tasks and `harness rule check` so the grade reflects real work (it reads A until then).',
    ]);
  });

  it('takes severity counts from the scan summary when not every violation became an event', async () => {
    const store = await storeWith([
      ...scan('app', 's1', { low: 1 }, daysAgo(1)),
      ruleScanEvent({
        project: 'app',
        scanId: 's2',
        summary: {
          violations: { critical: 0, high: 0, medium: 40, low: 0 },
          rulesLoaded: 1,
          guardsRun: 1,
          guardsFailed: 0,
        },
      }),
      ruleCheckEvent({ project: 'app', scanId: 's2', ruleId: 'M-1', severity: 'medium', message: 'x', file: 'a.ts' }),
    ]);
    const report = await buildHealthReport(store, { project: 'app', now });
    expect(report.violations.bySeverity.medium).toBe(40);
    expect(report.violations.total).toBe(40);
    expect(report.violations.byRule).toEqual([{ ruleId: 'M-1', severity: 'medium', count: 1 }]);
    expect(dim(report, 'rule_violations')?.score).toBe(20);
  });

  it('recommends fixing what drags the grade down, and hourly GC at D', async () => {
    const report = await buildHealthReport(
      await storeWith([
        taskImplementedEvent(task(1)),
        ...times(3, (i) => taskFailedEvent({ ...task(i), failureClass: 'no_changes' })),
        ...validations(1, 3),
        ...times(3, (i) => reviewRoundEvent({ ...task(i), round: 1, approved: false })),
      ]),
      { project: 'app', now },
    );
    expect(report.grade).toBe('D');
    expect(report.recommendations).toEqual([
      'No rule scan recorded for app: run `harness rule check` so rule violations count in the grade.',
      'Only 25% of finished tasks were implemented; the most common failure class is no_changes (3).',
      'Validation passes only 25% of runs; the command failing most is npm test (3 failures).',
      'Reviewers approve only 0% of first rounds: sharpen task descriptions or add rules for the issues they raise.',
      'Grade D: GC runs every hour until the score is back to 60 or more.',
    ]);
  });

  it('flags a latest scan older than the window', async () => {
    const report = await buildHealthReport(await storeWith(scan('app', 's1', {}, daysAgo(45))), { now });
    expect(report.recommendations).toContain(
      'The latest rule scan of app is older than 30 days: run `harness rule check` again.',
    );
  });
});

describe('buildHealthReports', () => {
  it('grades each project on its own and all projects together, violations from each latest scan', async () => {
    const store = await storeWith([
      ...validations(10, 0, 'app'),
      ...validations(0, 10, 'lib'),
      ...scan('app', 'a1', { high: 4 }, daysAgo(5)),
      ...scan('app', 'a2', { low: 1 }, daysAgo(1)),
      ...scan('lib', 'l1', { critical: 1 }, daysAgo(60)),
    ]);
    const { overall, projects } = await buildHealthReports(store, { now });
    expect(projects.map((p) => [p.project, p.score, p.grade])).toEqual([
      ['app', 99.4, 'A'], // (0.2·100 + 0.25·99) / 0.45
      ['lib', 50, 'D'], // (0.2·0 + 0.25·90) / 0.45
    ]);
    expect(overall.project).toBeNull();
    expect(overall.violations.bySeverity).toEqual({ critical: 1, high: 0, medium: 0, low: 1 });
    expect(overall.violations.scans.map((s) => s.scanId).sort()).toEqual(['a2', 'l1']);
    expect(dim(overall, 'validation')?.score).toBe(50);
    // (0.2·50 + 0.25·89) / 0.45
    expect(overall.score).toBe(71.7);
  });
});

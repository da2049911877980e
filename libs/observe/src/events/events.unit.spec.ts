import { describe, expect, it } from 'vitest';
import {
  fileEditEvent,
  qualityGradeEvent,
  reviewRoundEvent,
  ruleCheckEvent,
  ruleScanEvent,
  slowOperationEvent,
  taskFailedEvent,
  taskImplementedEvent,
  validationEvent,
} from './event-builders.js';
import { normalizeEvent, normalizeTimestamp, truncateUtf8, withoutUnset } from './normalize-event.js';
import { formatRuleScanSummary, parseRuleScanSummary } from './rule-scan-summary.js';
import { EVENT_HOOKS, TRUNCATION_MARK } from './telemetry-event.js';

const bytes = (s: string): number => new TextEncoder().encode(s).length;
const t = { project: 'app', taskId: 't1' };

describe('event builders fill the fields as README.md documents', () => {
  it('gives every kind its hook, decision and fields', () => {
    const built = [
      taskImplementedEvent({ ...t, agent: 'claude', durationMs: 5, prUrl: 'https://x/pull/1' }),
      taskFailedEvent({ ...t, failureClass: 'agent_timeout', message: 'timed out after 600 s' }),
      validationEvent({ ...t, command: 'npm test', passed: false, durationMs: 80, output: 'FAIL' }),
      reviewRoundEvent({ ...t, round: 2, approved: false, reviewer: 'codex', summary: '2 issues' }),
      fileEditEvent({ ...t, kind: 'modify', path: 'src/a.ts' }),
      slowOperationEvent({ project: 'app', operation: 'git fetch', durationMs: 9000 }),
      qualityGradeEvent({ ...t, grade: 'C', score: 64.25 }),
      ruleScanEvent({
        project: 'app',
        scanId: 's1',
        summary: {
          violations: { critical: 0, high: 1, medium: 0, low: 2 },
          rulesLoaded: 9,
          guardsRun: 3,
          guardsFailed: 1,
        },
      }),
      ruleCheckEvent({
        project: 'app',
        scanId: 's1',
        ruleId: 'RS-01',
        severity: 'high',
        message: 'unwrap',
        file: 'a.rs',
        line: 3,
      }),
    ].map(withoutUnset);
    expect(built.map((e) => e.hook)).toEqual([...EVENT_HOOKS]);
    expect(built).toEqual([
      {
        ...t,
        hook: 'task_implemented',
        decision: 'complete',
        tool: 'claude',
        durationMs: 5,
        detail: 'https://x/pull/1',
      },
      { ...t, hook: 'task_failed', decision: 'block', reason: 'agent_timeout', detail: 'timed out after 600 s' },
      { ...t, hook: 'validation', decision: 'block', tool: 'npm test', durationMs: 80, content: 'FAIL' },
      { ...t, hook: 'review_round', decision: 'warn', detail: '2', tool: 'codex', reason: '2 issues' },
      { ...t, hook: 'file_edit', decision: 'pass', tool: 'modify', detail: 'src/a.ts' },
      { project: 'app', hook: 'slow_operation', decision: 'warn', tool: 'git fetch', durationMs: 9000 },
      { ...t, hook: 'quality_grade', decision: 'warn', detail: 'C', reason: 'score=64.3' },
      {
        project: 'app',
        sessionId: 's1',
        hook: 'rule_scan',
        decision: 'warn',
        tool: 'rules',
        reason: 'violations=3',
        detail:
          '{"violations":{"critical":0,"high":1,"medium":0,"low":2},"rulesLoaded":9,"guardsRun":3,"guardsFailed":1}',
      },
      {
        project: 'app',
        sessionId: 's1',
        hook: 'rule_check',
        decision: 'block',
        severity: 'high',
        tool: 'RS-01',
        reason: 'unwrap',
        detail: 'a.rs:3',
      },
    ]);
  });

  it('maps grades and severities to decisions', () => {
    expect(['A', 'B', 'C', 'D', 'F'].map((g) => qualityGradeEvent({ ...t, grade: g as 'A' }).decision)).toEqual([
      'pass',
      'pass',
      'warn',
      'block',
      'block',
    ]);
    const check = (severity: 'critical' | 'high' | 'medium' | 'low') =>
      ruleCheckEvent({ project: 'a', scanId: 's', ruleId: 'R', severity, message: 'm', file: 'f' }).decision;
    expect([check('critical'), check('high'), check('medium'), check('low')]).toEqual([
      'block',
      'block',
      'warn',
      'warn',
    ]);
    expect(reviewRoundEvent({ ...t, round: 1, approved: true }).decision).toBe('pass');
  });
});

describe('normalizeEvent', () => {
  it('stores one timestamp form and whole milliseconds, and omits unset fields', () => {
    expect(
      normalizeEvent({
        ts: '2026-11-24T11:00:00+01:00',
        hook: 'x',
        decision: 'pass',
        durationMs: 2.6,
        tool: undefined,
      }),
    ).toEqual({ ts: '2026-11-24T10:00:00.000Z', hook: 'x', decision: 'pass', durationMs: 3 });
  });

  it('refuses instants that would not sort as text', () => {
    expect(() => normalizeTimestamp('1969-12-31T23:59:59Z')).toThrow(/between 1970 and 9999/);
    expect(() => normalizeTimestamp('+010000-01-01T00:00:00Z')).toThrow(/between 1970 and 9999/);
    expect(() => normalizeTimestamp('not a date')).toThrow(/ISO-8601/);
  });
});

describe('truncateUtf8', () => {
  it('keeps short values as they are', () => {
    expect(truncateUtf8('short', 100)).toBe('short');
    expect(truncateUtf8('é'.repeat(50), 100)).toBe('é'.repeat(50)); // exactly 100 bytes
  });

  it('cuts at the byte limit on a character boundary and marks the cut', () => {
    for (const unit of ['a', 'é', '€', '😀']) {
      const cut = truncateUtf8(unit.repeat(200), 101);
      expect(bytes(cut)).toBeLessThanOrEqual(101);
      expect(cut.endsWith(TRUNCATION_MARK)).toBe(true);
      expect(cut.slice(0, -TRUNCATION_MARK.length)).toBe(
        unit.repeat(cut.slice(0, -TRUNCATION_MARK.length).length / unit.length),
      );
      expect(cut).not.toContain('\uFFFD');
    }
  });
});

describe('rule scan summary', () => {
  it('round-trips, and reads anything else as absent', () => {
    const summary = {
      violations: { critical: 1, high: 2, medium: 3, low: 4 },
      rulesLoaded: 5,
      guardsRun: 6,
      guardsFailed: 0,
    };
    expect(parseRuleScanSummary(formatRuleScanSummary(summary))).toEqual(summary);
    for (const hostile of [
      undefined,
      'not json',
      'null',
      '[]',
      '{"violations":{"critical":-1,"high":0,"medium":0,"low":0},"rulesLoaded":0,"guardsRun":0,"guardsFailed":0}',
      '{"violations":{"critical":1.5,"high":0,"medium":0,"low":0},"rulesLoaded":0,"guardsRun":0,"guardsFailed":0}',
      '{"violations":{"critical":0,"high":0,"medium":0},"rulesLoaded":0,"guardsRun":0,"guardsFailed":0}',
      '{"violations":{"critical":0,"high":0,"medium":0,"low":0},"rulesLoaded":"9","guardsRun":0,"guardsFailed":0}',
    ])
      expect(parseRuleScanSummary(hostile)).toBeUndefined();
  });
});

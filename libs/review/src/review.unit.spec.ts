import { describe, expect, it } from 'vitest';
import { overallGrade, taskGrade } from './grade.js';
import { parseVerdict } from './verdict.js';

describe('parseVerdict', () => {
  it('reads the last fenced JSON verdict', () => {
    const text =
      'Looked at it.\n```json\n{"verdict":"request_changes","summary":"one bug","issues":[{"file":"a.ts","line":3,"severity":"high","message":"off by one"}]}\n```\n';
    expect(parseVerdict(text)).toEqual({
      ok: true,
      value: {
        verdict: 'request_changes',
        summary: 'one bug',
        issues: [{ file: 'a.ts', line: 3, severity: 'high', message: 'off by one' }],
      },
    });
  });

  it('reads a bare object at the end, and prefers the last verdict', () => {
    const text =
      'Earlier: ```json\n{"verdict":"request_changes","summary":"x","issues":[]}\n```\nNow fixed.\n{"verdict": "approve", "summary": "good", "issues": []}';
    expect(parseVerdict(text)).toMatchObject({ ok: true, value: { verdict: 'approve' } });
  });

  it('never approves by default', () => {
    for (const text of [
      'LGTM!',
      'Approved.',
      '{"verdict":"lgtm"}',
      '```json\n{"verdict":"approve","issues":[{"severity":"fatal","message":"x"}]}\n```',
      '{"verdict": "approve", broken',
    ]) {
      expect(parseVerdict(text).ok).toBe(false);
    }
  });
});

describe('grades', () => {
  const clean = { succeeded: true, validationRetries: 0, reviewRounds: 1, unresolvedIssues: [], reviewSkipped: false };
  it('scores retries, extra rounds, unresolved issues and skipped reviews', () => {
    expect(taskGrade(clean)).toEqual({ grade: 'A', score: 100 });
    expect(taskGrade({ ...clean, validationRetries: 1, reviewRounds: 2 })).toEqual({ grade: 'B', score: 80 });
    expect(
      taskGrade({ ...clean, reviewRounds: 3, unresolvedIssues: [{ severity: 'high' }, { severity: 'medium' }] }),
    ).toEqual({ grade: 'D', score: 57 });
    expect(taskGrade({ ...clean, reviewSkipped: true })).toEqual({ grade: 'B', score: 80 });
    expect(taskGrade({ ...clean, succeeded: false })).toEqual({ grade: 'F', score: 0 });
  });
  it("grades recent work by the mean score with the guide's bands", () => {
    expect(overallGrade([])).toBeNull();
    expect(overallGrade([100, 80])).toBe('A');
    expect(overallGrade([100, 50])).toBe('B');
    expect(overallGrade([100, 0, 80])).toBe('C');
    expect(overallGrade([50])).toBe('D');
  });
});

import { describe, expect, it } from 'vitest';
import { checkDraft } from './draft-shape.js';
import { draftFixture } from './testing/draft-fixture.js';

const problemOf = (value: unknown): string => {
  const checked = checkDraft(value);
  return checked.ok ? 'no problem' : checked.error;
};

describe('checkDraft', () => {
  it('takes a whole draft as it is and drops fields a draft does not have', () => {
    const draft = draftFixture({ statusChangedAt: '2026-11-24T11:00:00.000Z', statusReason: 'why', taskId: 't-1' });
    expect(checkDraft({ ...draft, extra: 'dropped' })).toEqual({ ok: true, value: draft });
  });

  it('treats null and absent optional fields alike, and writes timestamps the one canonical way', () => {
    const checked = checkDraft({
      ...draftFixture(),
      model: null,
      costUsd: undefined,
      generatedAt: '2026-11-24T10:00:00Z',
    });
    expect(checked.ok && checked.value.generatedAt).toBe('2026-11-24T10:00:00.000Z');
    expect(checked.ok && 'model' in checked.value).toBe(false);
    expect(checked.ok && 'costUsd' in checked.value).toBe(false);
  });

  it('names the first field that is wrong', () => {
    expect(problemOf('[]')).toBe('the draft is not an object');
    expect(problemOf({ ...draftFixture(), id: '../x' })).toBe('id "../x" is not 12 lowercase hex characters');
    expect(problemOf({ ...draftFixture(), status: 'maybe' })).toBe(
      'status "maybe" is not one of pending, adopted, rejected, expired',
    );
    expect(problemOf({ ...draftFixture(), status: 3 })).toContain('status (a number) is not one of');
    expect(problemOf({ ...draftFixture(), project: '' })).toBe('project is not a non-empty string');
    expect(problemOf({ ...draftFixture(), agent: 'a\nb' })).toBe('agent spans lines');
    expect(problemOf({ ...draftFixture(), costUsd: -1 })).toBe('costUsd is not a number ≥ 0');
    expect(problemOf({ ...draftFixture(), generatedAt: 'yesterday' })).toBe('generatedAt is not an ISO-8601 timestamp');
    expect(problemOf({ ...draftFixture(), artifacts: {} })).toBe('artifacts is not a list');
    expect(problemOf({ ...draftFixture(), artifacts: [{ kind: 'virus', path: 'a', content: '' }] })).toBe(
      'artifacts[0].kind "virus" is not one of guard, rule, skill, file, patch',
    );
    expect(problemOf({ ...draftFixture(), artifacts: [{ kind: 'file', path: 'a' }] })).toBe(
      'artifacts[0].content is not a string',
    );
    const signal = draftFixture().signal;
    expect(problemOf({ ...draftFixture(), signal: { ...signal, type: 'gremlins' } })).toContain(
      'signal.type "gremlins"',
    );
    expect(problemOf({ ...draftFixture(), signal: { ...signal, priority: 0 } })).toBe(
      'signal.priority is not a whole number ≥ 1',
    );
    expect(problemOf({ ...draftFixture(), signal: { ...signal, remediation: 'prayer' } })).toContain(
      'signal.remediation "prayer"',
    );
    expect(problemOf({ ...draftFixture(), signal: { ...signal, evidence: { count: 1, metrics: { x: 'big' } } } })).toBe(
      'signal.evidence.metrics.x is not a number',
    );
    expect(problemOf({ ...draftFixture(), signal: { ...signal, evidence: { count: 1, files: [1] } } })).toBe(
      'signal.evidence.files[0] is not a string',
    );
  });
});

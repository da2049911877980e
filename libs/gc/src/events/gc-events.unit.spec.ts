import { normalizeEvent } from '@agent-harness/observe';
import { InMemoryEventStore } from '@agent-harness/observe/testing';
import { describe, expect, it } from 'vitest';
import type { Draft } from '../gc.types.js';
import { gcAdoptEvent, gcDraftEvent, gcExpireEvent, gcRejectEvent, gcRunEvent, learnEvent } from './gc-events.js';

const draft: Draft = {
  id: '0123456789ab',
  status: 'pending',
  project: 'app',
  signal: {
    id: 'sig-0123456789abcdef',
    type: 'hot_files',
    project: 'app',
    key: 'src/engine.ts',
    evidence: { count: 25, files: ['src/engine.ts'] },
    priority: 5,
    remediation: 'skill',
    detectedAt: '2026-11-24T09:00:00.000Z',
  },
  rationale: 'churn',
  artifacts: [],
  agent: 'claude',
  generatedAt: '2026-11-24T10:00:00.000Z',
};

describe('GC event builders', () => {
  it('gcRunEvent: complete, with the counts and spending in the reason and a JSON summary', () => {
    const event = gcRunEvent({
      project: 'app',
      signals: 4,
      drafts: 2,
      skipped: 2,
      spentUsd: 0.456,
      errors: ['agent failed: timeout', 'x'.repeat(500)],
      durationMs: 1234.6,
      ts: '2026-11-24T12:00:00.000Z',
    });
    expect(event).toMatchObject({
      ts: '2026-11-24T12:00:00.000Z',
      project: 'app',
      hook: 'gc_run',
      decision: 'complete',
      reason: 'signals=4 drafts=2 skipped=2 spent=$0.46',
      durationMs: 1234,
    });
    expect(JSON.parse(event.detail ?? '')).toEqual({
      signals: 4,
      drafts: 2,
      skipped: 2,
      spentUsd: 0.46,
      errors: 2,
      firstErrors: ['agent failed: timeout', 'x'.repeat(200)],
    });
  });

  it('gcRunEvent: an error count, and nonsense numbers shown as 0', () => {
    const event = gcRunEvent({
      project: 'app',
      signals: 0,
      drafts: 0,
      skipped: 0,
      spentUsd: Number.NaN,
      errors: 3,
      durationMs: -5,
    });
    expect(event.reason).toBe('signals=0 drafts=0 skipped=0 spent=$0.00');
    expect(JSON.parse(event.detail ?? '')).toEqual({ signals: 0, drafts: 0, skipped: 0, spentUsd: 0, errors: 3 });
    expect(event.durationMs).toBe(0);
    expect(event.ts).toBeUndefined();
  });

  it('gcRunEvent: the detail stays whole JSON within its 4 KiB, whatever the errors', () => {
    const event = gcRunEvent({
      project: 'app',
      signals: 1,
      drafts: 1,
      skipped: 0,
      spentUsd: 1,
      // Each control character takes 6 bytes of JSON: five of these would pass 4 KiB.
      errors: Array.from({ length: 100 }, () => '\u0001'.repeat(1000)),
      durationMs: 1,
    });
    const stored = normalizeEvent({ ...event, ts: '2026-11-24T12:00:00.000Z' });
    const detail = JSON.parse(stored.detail ?? '') as { errors: number; firstErrors: string[] };
    expect(detail.errors).toBe(100);
    expect(detail.firstErrors.length).toBeGreaterThan(0);
    expect(detail.firstErrors.length).toBeLessThan(5);
  });

  it('gcDraftEvent: warn, tool = signal type, reason = signal key, detail = draft id', () => {
    expect(gcDraftEvent({ draft })).toEqual({
      ts: undefined,
      project: 'app',
      hook: 'gc_draft',
      decision: 'warn',
      tool: 'hot_files',
      reason: 'src/engine.ts',
      detail: '0123456789ab',
    });
  });

  it('gcAdoptEvent, gcRejectEvent, gcExpireEvent: pass, the draft id as detail', () => {
    expect(gcAdoptEvent({ draft, taskId: 'task-1' })).toMatchObject({
      hook: 'gc_adopt',
      decision: 'pass',
      taskId: 'task-1',
      detail: '0123456789ab',
      project: 'app',
    });
    expect(gcRejectEvent({ draft, reason: 'not useful' })).toMatchObject({
      hook: 'gc_reject',
      decision: 'pass',
      reason: 'not useful',
      detail: '0123456789ab',
    });
    expect(gcExpireEvent({ draft })).toMatchObject({ hook: 'gc_expire', decision: 'pass', detail: '0123456789ab' });
  });

  it('learnEvent: learn_rules / learn_skills, complete, the learned ids as content', () => {
    expect(
      learnEvent({ kind: 'rules', project: 'app', learned: ['LEARN-001', 'LEARN-002'], drafts: 3, costUsd: 0.1 }),
    ).toMatchObject({
      hook: 'learn_rules',
      decision: 'complete',
      reason: 'learned=2 drafts=3',
      content: 'LEARN-001\nLEARN-002',
      detail: '{"learned":2,"drafts":3,"costUsd":0.1}',
    });
    const none = learnEvent({ kind: 'skills', project: 'app', learned: [], drafts: 1 });
    expect(none).toMatchObject({
      hook: 'learn_skills',
      reason: 'learned=0 drafts=1',
      detail: '{"learned":0,"drafts":1}',
    });
    expect(none.content).toBeUndefined();
  });

  it('every builder makes an event the store accepts', async () => {
    const store = new InMemoryEventStore();
    const ts = '2026-11-24T12:00:00.000Z';
    const drafts = [
      gcRunEvent({ project: 'app', signals: 1, drafts: 1, skipped: 0, spentUsd: 0.5, errors: 0, durationMs: 10 }),
      gcDraftEvent({ draft }),
      gcAdoptEvent({ draft, taskId: 't' }),
      gcRejectEvent({ draft, reason: 'no' }),
      gcExpireEvent({ draft }),
      learnEvent({ kind: 'rules', project: 'app', learned: ['LEARN-001'], drafts: 1 }),
      learnEvent({ kind: 'skills', project: 'app', learned: ['hot-files'], drafts: 1 }),
    ];
    await store.append(drafts.map((d) => ({ ...d, ts })));
    expect((await store.countBy({ project: 'app' }, ['hook'])).map((g) => g.hook).sort()).toEqual([
      'gc_adopt',
      'gc_draft',
      'gc_expire',
      'gc_reject',
      'gc_run',
      'learn_rules',
      'learn_skills',
    ]);
  });
});

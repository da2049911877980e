import type { AgentEvent } from '@agent-harness/core';
import { describe, expect, it } from 'vitest';
import { storedBytes, TaskOutputBudget } from './task-output-budget.js';

const text = (chars: number): AgentEvent => ({ type: 'text', text: 'x'.repeat(chars) });
const completed = (finalText: string): AgentEvent => ({
  type: 'completed',
  ok: true,
  reason: 'completed',
  finalText,
  usage: { inputTokens: 1, cachedInputTokens: 0, cacheWriteTokens: 0, outputTokens: 1 },
});

describe('TaskOutputBudget', () => {
  it('stores output while it fits, then one notice, then only counts', () => {
    const size = storedBytes(text(100));
    const budget = new TaskOutputBudget(size * 3);
    expect([0, 1, 2].map(() => budget.take(text(100)))).toEqual([0, 1, 2].map(() => ({ store: text(100) })));
    expect(budget.counts()).toBeUndefined();

    const cut = budget.take(text(100));
    expect(cut.store).toBeUndefined();
    expect(cut.notice).toEqual({
      message: expect.stringContaining('[limits] task_output_mb') as unknown,
      limit_bytes: size * 3,
      stored_bytes: size * 3,
    });
    // A small event that would still fit is not stored either: once cut, the output stays cut.
    expect(budget.take({ type: 'usage', ...completedUsage() })).toEqual({});
    expect(budget.take(text(100))).toEqual({});
    expect(budget.counts()).toEqual({
      limit_bytes: size * 3,
      stored_bytes: size * 3,
      dropped_events: 3,
      dropped_bytes: size * 2 + storedBytes({ type: 'usage', ...completedUsage() }),
    });
  });

  it('cuts at the first event that does not fit, however big', () => {
    const budget = new TaskOutputBudget(1000);
    expect(budget.take(text(10)).store).toBeDefined();
    expect(budget.take(text(5000)).notice).toBeDefined();
    expect(budget.counts()).toMatchObject({ dropped_events: 1, dropped_bytes: storedBytes(text(5000)) });
  });

  it("always stores the agent's start, its end and a fatal error; the end with a short final text once cut", () => {
    const budget = new TaskOutputBudget(200);
    budget.take(text(500));
    const started: AgentEvent = { type: 'session_started', sessionId: 's1', model: 'm' };
    const fatal: AgentEvent = { type: 'error', message: 'the model API rejected the credentials', fatal: true };
    expect(budget.take(started)).toEqual({ store: started });
    expect(budget.take(fatal)).toEqual({ store: fatal });
    expect(budget.take({ type: 'error', message: 'retrying', fatal: false })).toEqual({});
    const end = budget.take(completed('y'.repeat(100_000))).store;
    expect(end).toMatchObject({ type: 'completed', ok: true });
    const finalText = end?.type === 'completed' ? end.finalText : '';
    expect(finalText.length).toBeLessThan(5000);
    expect(finalText).toContain('more characters not stored');
    expect(budget.take(completed('short')).store).toEqual(completed('short'));
  });

  it('keeps a final text that fits whole', () => {
    const budget = new TaskOutputBudget(10_000);
    expect(budget.take(completed('z'.repeat(5000)))).toEqual({ store: completed('z'.repeat(5000)) });
  });

  it('starts from what earlier runs of the task stored', () => {
    const size = storedBytes(text(100));
    const continued = new TaskOutputBudget(size * 3, { bytes: size * 2, cut: false });
    expect(continued.take(text(100)).store).toBeDefined();
    expect(continued.take(text(100)).notice).toMatchObject({ stored_bytes: size * 3 });

    // The output was cut in an earlier run: no second notice, nothing stored, counted again.
    const afterCut = new TaskOutputBudget(size * 3, { bytes: size * 3, cut: true });
    expect(afterCut.take(text(1))).toEqual({});
    expect(afterCut.counts()).toEqual({
      limit_bytes: size * 3,
      stored_bytes: size * 3,
      dropped_events: 1,
      dropped_bytes: storedBytes(text(1)),
    });
  });

  it('measures what is stored: the JSON of the event in UTF-8 bytes', () => {
    expect(storedBytes({ type: 'text', text: 'é' })).toBe(Buffer.byteLength('{"type":"text","text":"é"}'));
  });
});

function completedUsage() {
  return { inputTokens: 1, cachedInputTokens: 0, cacheWriteTokens: 0, outputTokens: 1 };
}

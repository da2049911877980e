import type { AgentEvent } from '@agent-harness/core';
import type { StoredTaskEvent } from '@agent-harness/queue';
import { ScriptedAgentRunner } from '@agent-harness/testing';
import { firstValueFrom, toArray } from 'rxjs';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { FAILS, unitEngines } from '../test/unit-engine.js';
import { storedBytes } from './task-output-budget.js';

/** The id the unit engine gives its first task. */
const FIRST_ID = '00000001-0000-4000-8000-000000000000';
const LIMIT = 20_000;

/** A chatty agent: `count` assistant messages of 1,000 characters each. */
const chatter = (count: number): AgentEvent[] =>
  Array.from({ length: count }, (_, i) => ({ type: 'text', text: `${String(i).padStart(4, '0')}${'x'.repeat(996)}` }));

const agentBytes = (events: readonly StoredTaskEvent[]): number =>
  events.filter((e) => e.kind === 'agent').reduce((sum, e) => sum + storedBytes(e.data), 0);

// `[limits] task_output_mb`: what one task stores of its agents' output, on in-memory ports.
describe('TaskEngine output limit (unit)', () => {
  const engines = unitEngines();
  beforeEach(() => {
    vi.useFakeTimers({ now: new Date('2026-11-23T10:00:00.000Z') });
  });
  afterEach(async () => {
    await engines.stopAll();
    vi.useRealTimers();
  });

  it('stores output up to the limit, then one notice; later output is counted, the end says how much', async () => {
    const claude = new ScriptedAgentRunner('claude', [
      { events: [{ type: 'session_started', sessionId: 's1' }, ...chatter(200)], outcome: FAILS.outcome },
    ]);
    const { engine, tasks } = engines.make({ agents: [claude], outputLimitBytes: LIMIT });
    await engine.start();
    const watched = firstValueFrom(engine.watch(FIRST_ID).pipe(toArray()));
    await engine.submit({ kind: 'prompt', prompt: 'talk a lot' });
    const live = await watched;
    const stored = await tasks.eventsAfter(FIRST_ID, 0, 10_000);
    // Watchers get what is stored: the notice, not the rest of the output.
    expect(live).toEqual(stored);

    const texts = stored.filter((e) => e.kind === 'agent' && (e.data as AgentEvent).type === 'text');
    expect(texts.length).toBeGreaterThan(5);
    expect(texts.length).toBeLessThan(20);
    // In order from the first message: what is stored is the start of the output.
    expect(texts.map((e) => (e.data as { text: string }).text.slice(0, 4))).toEqual(
      texts.map((_, i) => String(i).padStart(4, '0')),
    );
    const notices = stored.filter((e) => e.kind === 'output_truncated');
    expect(notices).toHaveLength(1);
    expect(notices[0]?.data).toMatchObject({ limit_bytes: LIMIT });
    expect(notices[0]?.seq).toBe((texts.at(-1)?.seq ?? 0) + 1);
    // The agent's start and end are stored whatever the limit; the run ends as it would have.
    const types = stored.filter((e) => e.kind === 'agent').map((e) => (e.data as AgentEvent).type);
    expect(types[0]).toBe('session_started');
    expect(types.at(-1)).toBe('completed');
    expect(agentBytes(stored.filter((e) => (e.data as AgentEvent).type === 'text'))).toBeLessThanOrEqual(LIMIT);

    const end = stored.at(-1);
    expect(end).toMatchObject({ kind: 'end', data: { status: 'failed', failure_class: 'agent_error' } });
    const counts = (end?.data as { output_truncated?: Record<string, number> }).output_truncated;
    expect(counts).toEqual({
      limit_bytes: LIMIT,
      stored_bytes: agentBytes(stored),
      dropped_events: 200 - texts.length,
      dropped_bytes: expect.any(Number) as unknown,
    });
    expect(counts?.['dropped_bytes']).toBeGreaterThan((200 - texts.length) * 1000);
  });

  it('stores everything of a task under the limit, with no notice and no counts', async () => {
    const claude = new ScriptedAgentRunner('claude', [{ events: chatter(5), outcome: FAILS.outcome }]);
    const { engine, tasks } = engines.make({ agents: [claude], outputLimitBytes: LIMIT });
    await engine.start();
    await engine.submit({ kind: 'prompt', prompt: 'talk a little' });
    await tasks.whenTask(FIRST_ID, (t) => t.status === 'failed');
    const stored = await tasks.eventsAfter(FIRST_ID, 0, 10_000);
    expect(stored.filter((e) => e.kind === 'agent')).toHaveLength(6);
    expect(stored.some((e) => e.kind === 'output_truncated')).toBe(false);
    await vi.waitFor(async () => {
      expect((await tasks.eventsAfter(FIRST_ID, 0, 10_000)).at(-1)?.kind).toBe('end');
    });
    expect((await tasks.eventsAfter(FIRST_ID, 0, 10_000)).at(-1)?.data).not.toHaveProperty('output_truncated');
  });

  it('counts what earlier runs of the task stored: a run after a requeue does not start a new allowance', async () => {
    const claude = new ScriptedAgentRunner('claude', [
      { events: chatter(12), outcome: { ok: false, reason: 'rate_limited', message: 'slow down' } },
      { events: chatter(12), outcome: FAILS.outcome },
    ]);
    const { engine, tasks } = engines.make({ agents: [claude], outputLimitBytes: LIMIT, tickMs: 1000 });
    await engine.start();
    await engine.submit({ kind: 'prompt', prompt: 'x' });
    await tasks.whenTask(FIRST_ID, (t) => t.status === 'queued' && t.attempt === 2);
    const first = await tasks.eventsAfter(FIRST_ID, 0, 10_000);
    expect(first.some((e) => e.kind === 'output_truncated')).toBe(false);
    await vi.advanceTimersByTimeAsync(61_000);
    await tasks.whenTask(FIRST_ID, (t) => t.status === 'failed');
    await vi.waitFor(async () => {
      expect((await tasks.eventsAfter(FIRST_ID, 0, 10_000)).at(-1)?.kind).toBe('end');
    });
    const all = await tasks.eventsAfter(FIRST_ID, 0, 10_000);
    const texts = all.filter((e) => e.kind === 'agent' && (e.data as AgentEvent).type === 'text');
    // 24 messages of about 1 KB were said in two runs; the task stored under 20 KB of them.
    expect(texts.length).toBeLessThan(20);
    expect(texts.length).toBeGreaterThan(12);
    expect(all.filter((e) => e.kind === 'output_truncated')).toHaveLength(1);
    expect(agentBytes(texts)).toBeLessThanOrEqual(LIMIT);
  });
});

import { DEFAULT_PRICES, type AgentEvent } from '@agent-harness/core';
import type { UsageRecord } from '@agent-harness/queue';
import { InMemoryUsageLedger, ScriptedAgentRunner } from '@agent-harness/testing';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { SpendLimits } from './spend-meter.js';
import { APP, FAILS, unitEngines } from '../test/unit-engine.js';

const usage = (tokens: Partial<Extract<AgentEvent, { type: 'usage' }>> = {}): AgentEvent => ({
  type: 'usage',
  inputTokens: 0,
  cachedInputTokens: 0,
  cacheWriteTokens: 0,
  outputTokens: 0,
  ...tokens,
});

const limits = (more: Partial<SpendLimits> = {}): SpendLimits => ({
  day: { startsAt: '00:00', timeZone: 'UTC' },
  prices: DEFAULT_PRICES,
  ...more,
});

const spentEarlier = (day: string, costUsd: number, project = 'app'): UsageRecord => ({
  taskId: 'earlier',
  project,
  agent: 'claude',
  role: 'implementer',
  model: 'sonnet',
  day,
  at: `${day}T08:00:00.000Z`,
  inputTokens: 0,
  cachedInputTokens: 0,
  cacheWriteTokens: 0,
  outputTokens: 0,
  turns: 1,
  costUsd,
  pricedBy: 'reported',
});

// Spend limits on in-memory ports and a fake clock (the engine's clock is Date, driven by vi).
describe('TaskEngine spend limits (unit)', () => {
  const engines = unitEngines();
  beforeEach(() => {
    vi.useFakeTimers({ now: new Date('2026-11-23T23:00:00.000Z') });
  });
  afterEach(async () => {
    await engines.stopAll();
    vi.useRealTimers();
  });

  it('stops a run whose reported cost crosses task_max_usd: the task fails with class budget', async () => {
    const claude = new ScriptedAgentRunner('claude', () => ({
      events: [usage({ costUsd: 0.6 }), usage({ costUsd: 0.6 }), usage({ costUsd: 0.6 })],
      hold: true,
      outcome: { ok: true, reason: 'completed' },
    }));
    const ledger = new InMemoryUsageLedger();
    const { engine, tasks } = engines.make({ agents: [claude], spend: { ledger, limits: limits({ taskMaxUsd: 1 }) } });
    await engine.start();
    const task = await engine.submit({ kind: 'prompt', prompt: 'spend' });
    const failed = await tasks.whenTask(task.id, (t) => t.status === 'failed');
    expect(failed).toMatchObject({
      failureClass: 'budget',
      error: 'claude stopped: the task spent $1.20, its limit is $1.00 ([limits] task_max_usd)',
    });
    // The agent was told the cap, and stopped mid-run: its run, held open as a working agent's, was aborted.
    expect(claude.calls[0]?.request.budgetUsd).toBe(1);
    expect(claude.calls[0]?.request.signal?.aborted).toBe(true);
    expect(claude.holding).toBe(0);
    // Every turn it reported counts, also the one that arrived as it was being stopped.
    expect(failed.costUsd).toBeCloseTo(1.8, 10);
    expect(ledger.records).toMatchObject([{ taskId: task.id, turns: 3, pricedBy: 'reported' }]);
  });

  it("never starts a run once the task's earlier runs reached task_max_usd, and records no run for it", async () => {
    const claude = new ScriptedAgentRunner('claude', () => FAILS);
    const ledger = new InMemoryUsageLedger();
    // The unit engine's first task id: its earlier runs (before a requeue) spent $2.
    await ledger.record({ ...spentEarlier('2026-11-23', 2), taskId: '00000001-0000-4000-8000-000000000000' });
    const { engine, tasks } = engines.make({ agents: [claude], spend: { ledger, limits: limits({ taskMaxUsd: 2 }) } });
    await engine.start();
    const task = await engine.submit({ kind: 'prompt', prompt: 'no more' });
    expect(await tasks.whenTask(task.id, (t) => t.status === 'failed')).toMatchObject({
      failureClass: 'budget',
      error: 'claude stopped: the task spent $2.00, its limit is $2.00 ([limits] task_max_usd)',
    });
    expect(claude.calls).toHaveLength(0);
    expect(ledger.records).toHaveLength(1);
  });

  it('stops a run past task_max_turns, counting the turns of every run of the task', async () => {
    const claude = new ScriptedAgentRunner('claude', () => ({
      events: [usage(), usage(), usage(), usage()],
      hold: true,
    }));
    const ledger = new InMemoryUsageLedger();
    const { engine, tasks } = engines.make({
      agents: [claude],
      spend: { ledger, limits: limits({ taskMaxTurns: 3 }) },
    });
    await engine.start();
    const task = await engine.submit({ kind: 'prompt', prompt: 'turns' });
    const failed = await tasks.whenTask(task.id, (t) => t.status === 'failed');
    expect(failed).toMatchObject({ failureClass: 'budget' });
    expect(failed.error).toContain('took 4 turns, its limit is 3');
    expect(claude.calls[0]?.request.maxTurns).toBe(3);
  });

  it('a spent daily limit holds the queue with a visible reason, and releases it when the day turns', async () => {
    const claude = new ScriptedAgentRunner('claude', () => FAILS);
    const ledger = new InMemoryUsageLedger();
    await ledger.record(spentEarlier('2026-11-23', 5));
    const { engine, tasks, logs } = engines.make({
      agents: [claude],
      spend: { ledger, limits: limits({ dailyUsd: 5 }) },
    });
    await engine.start();
    const task = await engine.submit({ kind: 'prompt', prompt: 'tomorrow' });
    await vi.advanceTimersByTimeAsync(30 * 60_000);
    expect(claude.calls).toHaveLength(0);
    expect((await tasks.get(task.id))?.status).toBe('queued');
    expect(await engine.waiting((await tasks.get(task.id)) ?? task)).toEqual({
      reason: 'budget',
      scope: 'global',
      spentUsd: 5,
      limitUsd: 5,
      until: '2026-11-24T00:00:00.000Z',
    });
    expect(logs).toContain(
      'spend: the daily limit of all projects is spent; their queued tasks wait until 2026-11-24T00:00:00.000Z',
    );
    // Midnight UTC: a new day, nothing spent on it; the next look at the queue starts the task.
    await vi.advanceTimersByTimeAsync(31 * 60_000);
    await claude.whenCalled(1);
    expect(await tasks.whenTask(task.id, (t) => t.status === 'failed')).toMatchObject({ failureClass: 'agent_error' });
  });

  it("a project's own daily limit holds only that project's tasks", async () => {
    const claude = new ScriptedAgentRunner('claude', () => FAILS);
    const ledger = new InMemoryUsageLedger();
    await ledger.record(spentEarlier('2026-11-23', 2));
    const lib = { ...APP, name: 'lib', root: '/repos/lib', isDefault: false };
    const { engine, tasks } = engines.make({
      agents: [claude],
      projects: [APP, lib],
      spend: { ledger, limits: limits({ dailyUsd: 100, projectDailyUsd: new Map([['app', 2]]) }) },
    });
    await engine.start();
    const held = await engine.submit({ kind: 'prompt', prompt: 'app' });
    await engine.submit({ kind: 'prompt', prompt: 'lib', project: 'lib' });
    await claude.whenCalled(1);
    await vi.advanceTimersByTimeAsync(5000);
    expect(claude.calls.map((c) => c.request.prompt)).toEqual(['lib']);
    expect(await engine.waiting((await tasks.get(held.id)) ?? held)).toMatchObject({ scope: 'project', limitUsd: 2 });
  });

  it('a run that crosses the daily limit is stopped at its next turn and its task waits for the next day', async () => {
    const claude = new ScriptedAgentRunner('claude', () => ({
      events: [usage({ costUsd: 1 }), usage({ costUsd: 1 }), usage({ costUsd: 1 })],
      hold: true,
    }));
    const ledger = new InMemoryUsageLedger();
    await ledger.record(spentEarlier('2026-11-23', 3));
    const { engine, tasks } = engines.make({ agents: [claude], spend: { ledger, limits: limits({ dailyUsd: 5 }) } });
    await engine.start();
    const task = await engine.submit({ kind: 'prompt', prompt: 'runs over' });
    await claude.whenCalled(1);
    const requeued = await tasks.whenTask(task.id, (t) => t.status === 'queued' && t.notBefore !== undefined);
    expect(requeued).toMatchObject({
      attempt: 1,
      notBefore: '2026-11-24T00:00:00.000Z',
      error: 'budget until 2026-11-24T00:00:00.000Z',
    });
    expect(requeued.failureClass).toBeUndefined();
    expect(claude.calls[0]?.request.signal?.aborted).toBe(true);
    expect(ledger.records.at(-1)).toMatchObject({ taskId: task.id, turns: 3, costUsd: 3 });
  });

  it('Codex: its cost comes from its tokens and the price table; an unknown model is priced at the fallback, flagged', async () => {
    const tokens = { inputTokens: 1_000_000, cachedInputTokens: 400_000, outputTokens: 100_000 };
    const codex = new ScriptedAgentRunner('codex', (request) => ({
      events: [{ type: 'session_started', sessionId: 's', model: request.prompt }, usage(tokens)],
      outcome: FAILS.outcome,
    }));
    const ledger = new InMemoryUsageLedger();
    const { engine, tasks } = engines.make({ agents: [codex], spend: { ledger, limits: limits() } });
    await engine.start();
    const known = await engine.submit({ kind: 'prompt', prompt: 'gpt-5-codex' });
    const unknown = await engine.submit({ kind: 'prompt', prompt: 'mystery-model' });
    const [a, b] = [
      await tasks.whenTask(known.id, (t) => t.status === 'failed'),
      await tasks.whenTask(unknown.id, (t) => t.status === 'failed'),
    ];
    // 600k uncached × $1.25 + 400k cached × $0.125 + 100k out × $10, per million.
    expect(a.costUsd).toBeCloseTo(1.8, 10);
    // The fallback: $3, $0.30, $15.
    expect(b.costUsd).toBeCloseTo(1.8 + 0.12 + 1.5, 10);
    const byTask = new Map(ledger.records.map((r) => [r.taskId, r]));
    expect(byTask.get(known.id)).toMatchObject({ agent: 'codex', model: 'gpt-5-codex', pricedBy: 'table' });
    expect(byTask.get(unknown.id)).toMatchObject({ model: 'mystery-model', pricedBy: 'fallback' });
    expect(await ledger.summary({ since: '2026-11-23' })).toMatchObject([
      { day: '2026-11-23', project: 'app', agent: 'codex', model: 'gpt-5-codex', runs: 1, fallbackRuns: 0 },
      { day: '2026-11-23', project: 'app', agent: 'codex', model: 'mystery-model', runs: 1, fallbackRuns: 1 },
    ]);
  });
});

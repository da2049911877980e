// The real observe store and sink, to prove they fit this lib's structural ports. Only tests import
// observe (a devDependency): the source needs only the ports' shapes.
import { type EventStore, type TelemetryEventDraft, type TelemetrySink } from '@agent-harness/observe';
import { InMemoryEventStore, RecordingTelemetrySink } from '@agent-harness/observe/testing';
import { AppError } from '@agent-harness/core';
import { beforeEach, describe, expect, it } from 'vitest';
import { GovernanceStore, InMemoryGovernanceStore } from './governance-store.js';
import type { SkillGovernanceState } from './governance.types.js';
import { runGovernanceTick, type TaskOutcome } from './run-governance-tick.js';
import { skillUsedEvent, type SkillEventReader, type SkillEventSink } from './skill-events.js';

const NOW = new Date('2026-11-20T00:00:00.000Z');
const hoursAgo = (hours: number, from = NOW): string => new Date(from.getTime() - hours * 3_600_000).toISOString();

let events: InMemoryEventStore;
let store: InMemoryGovernanceStore;
let telemetry: RecordingTelemetrySink;
let outcomes: Map<string, TaskOutcome>;
let asked: string[][];

beforeEach(() => {
  events = new InMemoryEventStore();
  store = new InMemoryGovernanceStore();
  telemetry = new RecordingTelemetrySink();
  outcomes = new Map();
  asked = [];
});

const taskOutcomes = (taskIds: string[]): Promise<Map<string, TaskOutcome>> => {
  asked.push(taskIds);
  return Promise.resolve(
    new Map(taskIds.flatMap((id) => (outcomes.has(id) ? [[id, outcomes.get(id) ?? 'unknown']] : []))),
  );
};

async function use(taskId: string, skillId: string, ts: string): Promise<void> {
  const draft: TelemetryEventDraft = skillUsedEvent({
    project: 'app',
    taskId,
    skillId,
    skillName: skillId.split(':')[1] ?? '',
    ts,
  });
  await events.append([{ ...draft, ts }]);
}

/** What a TelemetryEmitter would do with the recorded drafts: store them. */
async function flushTelemetry(): Promise<void> {
  await events.append(telemetry.events.map((draft) => ({ ...draft, ts: draft.ts ?? NOW.toISOString() })));
  telemetry.events.length = 0;
}

const tick = (now = NOW) => runGovernanceTick({ events, store, taskOutcomes, telemetry, now });

describe('runGovernanceTick', () => {
  it('scores unique (task, skill) pairs by task outcome, saves them and reports the tick', async () => {
    for (let i = 0; i < 4; i++) {
      await use(`t${String(i)}`, 'data:good', hoursAgo(10 - i));
      outcomes.set(`t${String(i)}`, 'success');
    }
    await use('t0', 'data:good', hoursAgo(1)); // the same pair again: one sample
    await use('t9', 'data:bad', hoursAgo(2));
    outcomes.set('t9', 'fail');
    await use('t-running', 'data:good', hoursAgo(2)); // unknown outcome: ignored

    const summary = await tick();

    expect(summary).toMatchObject({
      since: hoursAgo(14 * 24),
      until: NOW.toISOString(),
      usesRead: 7,
      truncated: false,
      pairs: 6,
      outcomes: 5,
      scored: 2,
      statusCounts: { active: 1, watch: 1, quarantine: 0, retired: 0 },
      transitions: [{ skillId: 'data:bad', from: 'active', to: 'watch' }],
    });
    const states = await store.load();
    expect(states.get('data:good')).toMatchObject({ samples: 4, status: 'active', lastScoredAt: NOW.toISOString() });
    expect(states.get('data:good')?.qualityScore).toBeCloseTo(0.6, 10);
    expect(states.get('data:bad')).toMatchObject({ samples: 1, status: 'watch' });

    expect(telemetry.events).toEqual([
      {
        ts: NOW.toISOString(),
        hook: 'skill_governance_tick',
        decision: 'pass',
        tool: 'skills',
        reason: 'scored=2 active=1 watch=1 quarantine=0 retired=0',
        detail: `since=${hoursAgo(14 * 24)} uses=7 pairs=6 outcomes=5`,
        content: JSON.stringify([{ skillId: 'data:bad', from: 'active', to: 'watch' }]),
      },
      {
        ts: NOW.toISOString(),
        hook: 'skill_status_changed',
        decision: 'warn',
        tool: 'data:bad',
        reason: 'active→watch',
      },
    ]);
  });

  it('reads only since the last tick, so a use is scored once', async () => {
    await use('t1', 'data:x', hoursAgo(5));
    outcomes.set('t1', 'success');
    await tick();
    await flushTelemetry();
    const later = new Date(NOW.getTime() + 24 * 3_600_000);
    await use('t2', 'data:x', hoursAgo(1, later));
    outcomes.set('t2', 'success');

    const summary = await runGovernanceTick({ events, store, taskOutcomes, telemetry, now: later });

    expect(summary).toMatchObject({ since: NOW.toISOString(), usesRead: 1, scored: 1 });
    expect((await store.load()).get('data:x')?.samples).toBe(2);
  });

  it('does not score the same uses twice when the last tick event was lost', async () => {
    await use('t1', 'data:x', hoursAgo(5));
    outcomes.set('t1', 'fail');
    await tick(); // no flushTelemetry: the tick event never reached the store
    const later = new Date(NOW.getTime() + 3_600_000);

    const summary = await runGovernanceTick({ events, store, taskOutcomes, now: later });

    expect(summary).toMatchObject({ since: NOW.toISOString(), usesRead: 0, scored: 0 });
    expect((await store.load()).get('data:x')?.samples).toBe(1);
  });

  it('looks back at most maxWindowDays', async () => {
    await use('old', 'data:x', hoursAgo(15 * 24));
    await use('new', 'data:x', hoursAgo(13 * 24));
    outcomes.set('old', 'fail');
    outcomes.set('new', 'success');
    expect(await tick()).toMatchObject({ usesRead: 1, scored: 1 });
    expect((await store.load()).get('data:x')?.samples).toBe(1);

    const short = await runGovernanceTick({
      events,
      store: new InMemoryGovernanceStore(),
      taskOutcomes,
      now: NOW,
      maxWindowDays: 1,
    });
    expect(short).toMatchObject({ since: hoursAgo(24), usesRead: 0 });
  });

  it('pages through many uses and asks for outcomes 500 tasks at a time', async () => {
    await events.append(
      Array.from({ length: 2500 }, (_, i) => ({
        ...skillUsedEvent({ project: 'app', taskId: `t${String(i)}`, skillId: 'data:x', skillName: 'x' }),
        ts: hoursAgo(1),
      })),
    );
    for (let i = 0; i < 2500; i++) outcomes.set(`t${String(i)}`, i % 2 === 0 ? 'success' : 'fail');

    const summary = await tick();

    expect(summary).toMatchObject({ usesRead: 2500, pairs: 2500, outcomes: 2500, truncated: false });
    expect(asked.map((batch) => batch.length)).toEqual([500, 500, 500, 500, 500]);
    expect((await store.load()).get('data:x')?.samples).toBe(2500);
  });

  it('stops at maxEvents and says so', async () => {
    await events.append(
      Array.from({ length: 30 }, (_, i) => ({
        ...skillUsedEvent({ project: 'app', taskId: `t${String(i)}`, skillId: 'data:x', skillName: 'x' }),
        ts: hoursAgo(1),
      })),
    );
    const summary = await runGovernanceTick({ events, store, taskOutcomes, telemetry, now: NOW, maxEvents: 20 });
    expect(summary).toMatchObject({ usesRead: 20, truncated: true });
    expect(telemetry.ofHook('skill_governance_tick')[0]?.detail).toMatch(/ truncated=true$/);
  });

  it('reports a skill back to active as pass', async () => {
    store = new InMemoryGovernanceStore([
      { skillId: 'data:x', qualityScore: 0.59, samples: 12, status: 'watch', canaryRatio: 1, usageCount: 0 },
    ]);
    for (let i = 0; i < 3; i++) {
      await use(`t${String(i)}`, 'data:x', hoursAgo(1));
      outcomes.set(`t${String(i)}`, 'success');
    }
    await tick();
    expect(telemetry.ofHook('skill_status_changed')).toEqual([
      expect.objectContaining({ decision: 'pass', tool: 'data:x', reason: 'watch→active' }),
    ]);
  });

  it('fails without emitting when the stored history cannot be read', async () => {
    class BrokenStore extends GovernanceStore {
      load(): Promise<Map<string, SkillGovernanceState>> {
        return Promise.reject(new AppError('INTERNAL', 'skill governance file /x is corrupt'));
      }
      save(): Promise<void> {
        return Promise.resolve();
      }
    }
    await expect(
      runGovernanceTick({ events, store: new BrokenStore(), taskOutcomes, telemetry, now: NOW }),
    ).rejects.toThrow(/corrupt/);
    expect(telemetry.events).toEqual([]);
  });

  it('refuses a bad window', async () => {
    await expect(runGovernanceTick({ events, store, taskOutcomes, now: NOW, maxWindowDays: 0 })).rejects.toMatchObject({
      code: 'INVALID_ARGUMENT',
    });
  });

  it("fits observe's EventStore and TelemetrySink as they are", () => {
    // The ports' own types, not the in-memory classes: any EventStore and TelemetrySink will do.
    const port: EventStore = events;
    const reader: SkillEventReader = port;
    const observeSink: TelemetrySink = telemetry;
    const sink: SkillEventSink = observeSink;
    const draft: TelemetryEventDraft = skillUsedEvent({ project: 'p', taskId: 't', skillId: 'data:x', skillName: 'x' });
    expect(reader).toBe(events);
    expect(sink).toBe(telemetry);
    expect(draft.hook).toBe('skill_used');
  });
});

describe('skillUsedEvent', () => {
  it('fills hook, decision, tool = skill id, reason = name and the task', () => {
    expect(
      skillUsedEvent({
        project: 'app',
        taskId: 't1',
        skillId: 'builtin:review',
        skillName: 'review',
        ts: NOW.toISOString(),
      }),
    ).toEqual({
      ts: NOW.toISOString(),
      project: 'app',
      taskId: 't1',
      hook: 'skill_used',
      decision: 'pass',
      tool: 'builtin:review',
      reason: 'review',
    });
  });
});

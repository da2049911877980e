import type { LeaseCheck, StoredTaskEvent } from '@agent-harness/queue';
import { InMemoryTaskRepository, ScriptedAgentRunner } from '@agent-harness/testing';
import { firstValueFrom, toArray } from 'rxjs';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { FAILS, unitEngines } from '../test/unit-engine.js';

/** The id the unit engine gives its first task. */
const FIRST_ID = '00000001-0000-4000-8000-000000000000';

// Live events and the heartbeat's failure path, on in-memory ports and a fake clock.
describe('TaskEngine events and heartbeat (unit)', () => {
  const engines = unitEngines();
  beforeEach(() => {
    vi.useFakeTimers({ now: new Date('2026-11-23T10:00:00.000Z') });
  });
  afterEach(async () => {
    await engines.stopAll();
    vi.useRealTimers();
  });

  it('streams every stored event of a task to a watcher, in order, and ends the stream after the end event', async () => {
    const claude = new ScriptedAgentRunner('claude', [
      { events: [{ type: 'text', text: 'looking' }], outcome: FAILS.outcome },
    ]);
    const { engine, tasks } = engines.make({ agents: [claude] });
    await engine.start();
    const watched = firstValueFrom(engine.watch(FIRST_ID).pipe(toArray()));
    const submitted = await engine.submit({ kind: 'prompt', prompt: 'x' });
    expect(submitted.id).toBe(FIRST_ID);
    const live: StoredTaskEvent[] = await watched;
    // Everything stored, the submit's `queued` first, exactly as stored: nothing skipped, nothing invented.
    expect(live).toEqual(await tasks.eventsAfter(FIRST_ID, 0, 1000));
    expect(live.map((e) => e.seq)).toEqual(live.map((_, i) => i + 1));
    const statuses = live.filter((e) => e.kind === 'status').map((e) => (e.data as { to: string }).to);
    expect(statuses).toEqual(['queued', 'preparing', 'running', 'failed']);
    expect(live.filter((e) => e.kind === 'agent').map((e) => (e.data as { type: string }).type)).toEqual([
      'text',
      'completed',
    ]);
    expect(live.at(-1)).toMatchObject({ kind: 'end', data: { status: 'failed', failure_class: 'agent_error' } });
  });

  it('logs a heartbeat that cannot renew its leases and keeps running the task', async () => {
    class FailingLeases extends InMemoryTaskRepository {
      override renewLeases(): Promise<LeaseCheck> {
        return Promise.reject(new Error('database is locked'));
      }
    }
    const claude = new ScriptedAgentRunner('claude', [{ hold: true }]);
    const { engine, tasks, logs } = engines.make({ agents: [claude], tasks: new FailingLeases(), leaseMs: 30_000 });
    await engine.start();
    const submitted = await engine.submit({ kind: 'prompt', prompt: 'hold' });
    await claude.whenCalled(1);
    await vi.advanceTimersByTimeAsync(10_000);
    expect(logs).toContain('error: could not renew task leases: database is locked');
    expect((await tasks.get(submitted.id))?.status).toBe('running');
  });
});

import type { AgentEvent } from '@agent-harness/core';
import { firstValueFrom, toArray } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { ScriptedAgentRunner } from './scripted-agent-runner.js';

const request = { prompt: 'do it', cwd: '/work/t1' };

describe('ScriptedAgentRunner', () => {
  it('plays its scripts in order: the events, one completed event, and the result as data', async () => {
    const text: AgentEvent = { type: 'text', text: 'working' };
    const runner = new ScriptedAgentRunner('claude', [
      { events: [text], outcome: { finalText: 'Created it', sessionId: 's1' } },
      {
        outcome: { ok: false, reason: 'rate_limited', message: 'slow down' },
        rateLimitResetAt: '2026-11-23T11:00:00.000Z',
      },
    ]);
    const first = runner.run(request);
    const events = await firstValueFrom(first.events$.pipe(toArray()));
    expect(events.map((e) => e.type)).toEqual(['text', 'completed']);
    expect(await first.result).toMatchObject({
      ok: true,
      reason: 'completed',
      finalText: 'Created it',
      sessionId: 's1',
      agent: 'claude',
    });
    const second = await runner.run({ ...request, resumeSessionId: 's1' }).result;
    expect(second).toMatchObject({ ok: false, reason: 'rate_limited', rateLimitResetAt: '2026-11-23T11:00:00.000Z' });
    expect(runner.calls.map((c) => c.request.resumeSessionId)).toEqual([undefined, 's1']);
  });

  it('ends a run it has no script for as failed, saying so, instead of rejecting', async () => {
    const runner = new ScriptedAgentRunner('codex', []);
    expect(await runner.run(request).result).toMatchObject({
      ok: false,
      reason: 'failed',
      message: 'ScriptedAgentRunner "codex": no script for run 1',
    });
  });

  it('holds a run open until released, and ends an aborted one as cancelled', async () => {
    const runner = new ScriptedAgentRunner('claude', [{ hold: true }, { hold: true }]);
    const released = runner.run(request);
    const controller = new AbortController();
    const aborted = runner.run({ ...request, signal: controller.signal });
    await runner.whenCalled(2);
    expect(runner.holding).toBe(2);
    controller.abort();
    expect(await aborted.result).toMatchObject({ ok: false, reason: 'cancelled' });
    expect(runner.holding).toBe(1);
    runner.release();
    expect(await released.result).toMatchObject({ ok: true });
    expect(runner.holding).toBe(0);
  });
});

import type { AgentEvent } from '@agent-harness/core';
import { firstValueFrom, toArray } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { AgentEventReplay } from './event-replay.js';

const text = (n: number, chars = 10): AgentEvent => ({ type: 'text', text: String(n).padEnd(chars, '.') });

describe('AgentEventReplay', () => {
  it('gives live subscribers every event and late ones what it kept, then completes', async () => {
    const replay = new AgentEventReplay();
    const early: AgentEvent[] = [];
    replay.events$.subscribe((e) => early.push(e));
    for (let i = 0; i < 3; i++) replay.next(text(i));
    const late = firstValueFrom(replay.events$.pipe(toArray()));
    replay.next(text(3));
    replay.complete();
    expect(early).toEqual([0, 1, 2, 3].map((i) => text(i)));
    expect(await late).toEqual([0, 1, 2, 3].map((i) => text(i)));
    // After the end: what it kept, then complete.
    expect(await firstValueFrom(replay.events$.pipe(toArray()))).toEqual([0, 1, 2, 3].map((i) => text(i)));
  });

  it('keeps the latest events, bounded by count and by size', async () => {
    const byCount = new AgentEventReplay(3, 1_000_000);
    for (let i = 0; i < 5000; i++) byCount.next(text(i));
    byCount.complete();
    expect(await firstValueFrom(byCount.events$.pipe(toArray()))).toEqual([4997, 4998, 4999].map((i) => text(i)));

    // 1 KB events, 10 KB kept: the last 9 (each counts its text and a little more).
    const bySize = new AgentEventReplay(5000, 10_000);
    for (let i = 0; i < 3000; i++) bySize.next(text(i, 1000));
    bySize.complete();
    const kept = await firstValueFrom(bySize.events$.pipe(toArray()));
    expect(kept).toEqual([2991, 2992, 2993, 2994, 2995, 2996, 2997, 2998, 2999].map((i) => text(i, 1000)));
  });

  it('keeps the newest event even when it alone is over the size', async () => {
    const replay = new AgentEventReplay(10, 100);
    replay.next(text(1, 50));
    replay.next(text(2, 5000));
    replay.complete();
    expect(await firstValueFrom(replay.events$.pipe(toArray()))).toEqual([text(2, 5000)]);
  });
});

import type { StoredTaskEvent } from '@agent-harness/queue';
import { firstValueFrom, toArray } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { TaskEventsHub } from './task-events-hub.js';

function stored(taskId: string, seq: number, kind: StoredTaskEvent['kind'] = 'log'): StoredTaskEvent {
  return { taskId, seq, kind, data: { message: `${taskId}#${String(seq)}` }, createdAt: '2026-11-23T10:00:00.000Z' };
}

describe('TaskEventsHub', () => {
  it('hands every task’s events to a watchAll subscriber in publish order, and each task’s only to its watchers', () => {
    const hub = new TaskEventsHub();
    const all: string[] = [];
    const ofA: string[] = [];
    hub.watchAll().subscribe((e) => all.push(`${e.taskId}#${String(e.seq)}`));
    hub.watch('a').subscribe((e) => ofA.push(`${e.taskId}#${String(e.seq)}`));
    hub.publish(stored('a', 1));
    hub.publish(stored('b', 1));
    hub.publish(stored('a', 2));
    expect(all).toEqual(['a#1', 'b#1', 'a#2']);
    expect(ofA).toEqual(['a#1', 'a#2']);
  });

  it('keeps the watchAll feed open when one task closes, completes it on closeAll, and serves new watchers after', async () => {
    const hub = new TaskEventsHub();
    const first = firstValueFrom(hub.watchAll().pipe(toArray()));
    hub.publish(stored('a', 1));
    hub.close('a');
    hub.publish(stored('b', 1, 'end'));
    hub.closeAll();
    expect((await first).map((e) => e.taskId)).toEqual(['a', 'b']);

    // A server that stops its engine and starts it again: the next watcher is live, not completed.
    const later: string[] = [];
    const subscription = hub.watchAll().subscribe((e) => later.push(e.taskId));
    hub.publish(stored('c', 1));
    expect(later).toEqual(['c']);
    expect(subscription.closed).toBe(false);
  });

  it('stops delivering to a watchAll subscriber that unsubscribed', () => {
    const hub = new TaskEventsHub();
    const seen: number[] = [];
    const subscription = hub.watchAll().subscribe((e) => seen.push(e.seq));
    hub.publish(stored('a', 1));
    subscription.unsubscribe();
    hub.publish(stored('a', 2));
    expect(seen).toEqual([1]);
  });
});

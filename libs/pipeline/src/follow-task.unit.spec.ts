import type { StoredTaskEvent } from '@agent-harness/queue';
import { InMemoryTaskRepository, taskFixture } from '@agent-harness/testing';
import { describe, expect, it } from 'vitest';
import { followTask, isStoredEvent, type FollowFrom, type FollowTaskOptions } from './follow-task.js';
import { TaskEventsHub } from './task-events-hub.js';

const ID = '00000001-0000-4000-8000-000000000000';

/** A task with `logs` stored log events after its first `queued`, the hub live events go through. */
async function setUp(logs: number, status: 'running' | 'done' = 'running') {
  const tasks = new InMemoryTaskRepository();
  await tasks.create(taskFixture(ID, { status: 'queued' }), { kind: 'status', data: { from: null, to: 'queued' } });
  const hub = new TaskEventsHub();
  const store = async (kind: StoredTaskEvent['kind'], data: unknown = {}): Promise<StoredTaskEvent> => {
    const event = await tasks.appendEvent(ID, { kind, data });
    hub.publish(event);
    return event;
  };
  for (let i = 0; i < logs; i++) await tasks.appendEvent(ID, { kind: 'log', data: { i } });
  if (status === 'done') {
    const task = (await tasks.get(ID))!;
    await tasks.update(ID, task.version, { status: 'done', finishedAt: '2026-12-07T00:00:00.000Z' });
  }
  return { tasks, hub, store };
}

/** Follows until it completes (or errors); what it emitted, and how it stopped. */
function collect(
  deps: Awaited<ReturnType<typeof setUp>>,
  from: FollowFrom,
  options?: FollowTaskOptions,
): { events: StoredTaskEvent[]; done: Promise<'complete' | 'error'> } {
  const events: StoredTaskEvent[] = [];
  const done = new Promise<'complete' | 'error'>((resolve) => {
    followTask({ watch: (id) => deps.hub.watch(id), tasks: deps.tasks }, ID, from, options).subscribe({
      next: (event) => events.push(event),
      complete: () => {
        resolve('complete');
      },
      error: () => {
        resolve('error');
      },
    });
  });
  return { events, done };
}

describe('followTask: one task, stored then live, one end rule', () => {
  it('replays what is stored after `from` in pages at the pace asked, then goes live without gap or repeat', async () => {
    const deps = await setUp(1200);
    let pages = 0;
    let liveAt: number | undefined;
    const followed = collect(deps, 100, {
      paced: async () => {
        pages += 1;
        // Written while the store is read: buffered, then sent once, in order.
        if (pages === 1) await deps.store('log', { live: 1 });
      },
      live: () => (liveAt = followed.events.length),
    });
    await new Promise((r) => setTimeout(r, 20));
    await deps.store('log', { live: 2 });
    await deps.store('end', { status: 'done' });
    await deps.store('log', { after: 'end' });
    expect(await followed.done).toBe('complete');
    const seqs = followed.events.map((e) => e.seq);
    expect(seqs).toEqual(Array.from({ length: 1204 - 100 }, (_, i) => 101 + i));
    expect(followed.events.at(-1)!.kind).toBe('end');
    expect(pages).toBe(2);
    // The event written during the replay was stored before the next page: replayed, and its live copy dropped.
    expect(liveAt).toBe(1102);
  });

  it("from 'now' gives only live events, and an ended task's stored end at once", async () => {
    const running = await setUp(3);
    const live = collect(running, 'now');
    await new Promise((r) => setTimeout(r, 5));
    await running.store('log');
    await running.store('end', { status: 'done' });
    expect(await live.done).toBe('complete');
    expect(live.events.map((e) => [e.seq, e.kind])).toEqual([
      [5, 'log'],
      [6, 'end'],
    ]);

    const ended = await setUp(3);
    const end = await ended.tasks.appendEvent(ID, { kind: 'end', data: { status: 'done' } });
    const task = (await ended.tasks.get(ID))!;
    await ended.tasks.update(ID, task.version, { status: 'done' });
    const late = collect(ended, 'now');
    expect(await late.done).toBe('complete');
    expect(late.events).toEqual([end]);
    // Resuming past the end gets the end again: every follower learns how the task ended.
    const resumed = collect(ended, end.seq);
    expect(await resumed.done).toBe('complete');
    expect(resumed.events).toEqual([end]);
    expect(isStoredEvent(end)).toBe(true);
  });

  it('replays a reopened task past its earlier end (a follow-up), also across a page, and ends at the last end', async () => {
    // 498 logs after the first status: the first end is seq 500, the last of the first page.
    const deps = await setUp(498);
    await deps.tasks.appendEvent(ID, { kind: 'end', data: { status: 'done' } });
    await deps.tasks.appendEvent(ID, { kind: 'status', data: { from: 'done', to: 'queued' } });
    await deps.tasks.appendEvent(ID, { kind: 'log', data: { round: 'follow_up' } });
    const followed = collect(deps, 0);
    await new Promise((r) => setTimeout(r, 20));
    // Still following: the task was reopened, its next end is still to come.
    expect(followed.events.map((e) => e.seq).at(-1)).toBe(502);
    expect(followed.events.filter((e) => e.kind === 'end').map((e) => e.seq)).toEqual([500]);
    await deps.store('end', { status: 'done' });
    expect(await followed.done).toBe('complete');
    expect(followed.events.filter((e) => e.kind === 'end').map((e) => e.seq)).toEqual([500, 503]);
  });

  it('gives the live end to a follower that started past it', async () => {
    const deps = await setUp(3);
    const ahead = collect(deps, 1000);
    await new Promise((r) => setTimeout(r, 5));
    await deps.store('log');
    const end = await deps.store('end', { status: 'cancelled' });
    expect(await ahead.done).toBe('complete');
    expect(ahead.events).toEqual([end]);
  });

  it('builds the end from the row when a finished task has none stored', async () => {
    const deps = await setUp(2, 'done');
    const followed = collect(deps, 0);
    expect(await followed.done).toBe('complete');
    const last = followed.events.at(-1)!;
    expect(followed.events.map((e) => e.seq)).toEqual([1, 2, 3, 3]);
    expect(last).toMatchObject({ kind: 'end', seq: 3, data: { status: 'done' } });
    expect(isStoredEvent(last)).toBe(false);
  });

  it('completes without an end when the live feed closes (a shutdown), during the replay too', async () => {
    const deps = await setUp(2);
    const followed = collect(deps, 0);
    await new Promise((r) => setTimeout(r, 5));
    deps.hub.closeAll();
    expect(await followed.done).toBe('complete');
    expect(followed.events.map((e) => e.kind)).toEqual(['status', 'log', 'log']);

    const during = await setUp(2);
    const early = collect(during, 0, { paced: () => Promise.resolve() });
    during.hub.closeAll();
    expect(await early.done).toBe('complete');
  });

  it('reads from the store the live events that were never announced, in order, before a later one', async () => {
    const deps = await setUp(1);
    const followed = collect(deps, 0);
    await new Promise((r) => setTimeout(r, 5));
    await deps.store('log', { live: 1 });
    const fromNow = collect(deps, 'now');
    await new Promise((r) => setTimeout(r, 5));
    // Stored but never announced (a fleet server killed between the two), then announced ones.
    await deps.tasks.appendEvent(ID, { kind: 'log', data: { unannounced: 1 } });
    await deps.tasks.appendEvent(ID, { kind: 'log', data: { unannounced: 2 } });
    await deps.store('log', { live: 2 });
    await deps.store('end', { status: 'done' });
    expect(await followed.done).toBe('complete');
    expect(followed.events.map((e) => e.seq)).toEqual([1, 2, 3, 4, 5, 6, 7]);
    expect(followed.events.map((e) => e.data)).toContainEqual({ unannounced: 2 });
    // From 'now', the first live event is where it starts: nothing before it is read.
    expect(await fromNow.done).toBe('complete');
    expect(fromNow.events.map((e) => e.seq)).toEqual([6, 7]);
  });

  it('errors when the store cannot be read, and stops following live', async () => {
    const deps = await setUp(1);
    deps.tasks.eventsAfter = () => Promise.reject(new Error('database closed'));
    const followed = collect(deps, 0);
    expect(await followed.done).toBe('error');
    expect(deps.hub.hasWatchers(ID)).toBe(false);
  });
});

import type { ProjectCatalog, TaskRepository } from '@agent-harness/queue';
import { describe, expect, it } from 'vitest';
import { TaskDispatcher } from './task-dispatcher.js';
import type { TaskRecorder } from './task-recorder.js';

/**
 * A dispatcher whose every look reads the queued count through `count` (nothing is ever queued,
 * so a look ends there); it records the looks it made.
 */
function dispatcher(count: () => Promise<number>) {
  const looks: number[] = [];
  const tasks = {
    countWithStatus: () => {
      looks.push(looks.length + 1);
      return count();
    },
    renewLeases: () => Promise.resolve({ lost: [], cancelRequested: [] }),
  } as unknown as TaskRepository;
  const errors: string[] = [];
  const subject = new TaskDispatcher({
    tasks,
    projects: { list: () => Promise.resolve([]) } as unknown as ProjectCatalog,
    recorder: {} as TaskRecorder,
    limits: { maxConcurrentTasks: 2 },
    serverId: 's1',
    leaseMs: 60_000,
    heartbeatMs: 20_000,
    tickMs: 60_000,
    now: () => new Date(),
    logger: { error: (message) => errors.push(message) },
    execute: () => Promise.resolve(),
  });
  return { subject, looks, errors };
}

/** A promise and its resolver, to hold a look open. */
function gate() {
  let open = (): void => undefined;
  const promise = new Promise<void>((resolve) => {
    open = resolve;
  });
  return { promise, open };
}

describe('TaskDispatcher.requestTick: the promise a submit waits on', () => {
  it('settles at once before start and after stop: no look runs, nobody waits', async () => {
    const { subject, looks } = dispatcher(() => Promise.resolve(0));
    await subject.requestTick();
    expect(looks).toEqual([]);
    subject.start();
    await subject.stop();
    await subject.requestTick();
    expect(looks.length).toBeLessThanOrEqual(1);
  });

  it('a request made while a look runs settles only after the next look', async () => {
    const held = gate();
    let calls = 0;
    const { subject, looks } = dispatcher(async () => {
      calls += 1;
      if (calls === 1) await held.promise;
      return 0;
    });
    subject.start();
    // The first look (from start) is held open; a request now needs a look that begins after it.
    let settled = false;
    const waiting = subject.requestTick().then(() => {
      settled = true;
    });
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(settled).toBe(false);
    held.open();
    await waiting;
    expect(looks).toEqual([1, 2]);
    await subject.stop();
  });

  it('settles when the look throws, and the next request still gets a look of its own', async () => {
    let calls = 0;
    const { subject, looks, errors } = dispatcher(() => {
      calls += 1;
      return calls === 2 ? Promise.reject(new Error('database is locked')) : Promise.resolve(0);
    });
    subject.start();
    await subject.requestTick();
    expect(errors.join('\n')).toContain('database is locked');
    await subject.requestTick();
    expect(looks.length).toBe(3);
    await subject.stop();
  });

  it('settles the waiting requests when the dispatcher stops during a look', async () => {
    const held = gate();
    const { subject } = dispatcher(async () => {
      await held.promise;
      return 0;
    });
    subject.start();
    const waiting = subject.requestTick();
    const stopped = subject.stop();
    held.open();
    await Promise.all([waiting, stopped]);
  });
});

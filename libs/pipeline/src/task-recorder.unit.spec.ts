import { REDACTED_SECRET, SecretRedactor } from '@agent-harness/core';
import type { StoredTaskEvent, Task } from '@agent-harness/queue';
import { InMemoryTaskRepository } from '@agent-harness/testing';
import { describe, expect, it } from 'vitest';
import { TaskEventsHub } from './task-events-hub.js';
import { TaskRecorder } from './task-recorder.js';

const SECRET = 'ghp_CANARYsecret0123456789';
const queued: Task = {
  id: 't1',
  project: 'app',
  kind: 'prompt',
  prompt: 'x',
  status: 'queued',
  attempt: 1,
  inputTokens: 0,
  outputTokens: 0,
  validationRetries: 0,
  reviewRounds: 0,
  createdAt: '2026-11-23T10:00:00.000Z',
  updatedAt: '2026-11-23T10:00:00.000Z',
  version: 1,
};

async function recorder(): Promise<{
  recorder: TaskRecorder;
  tasks: InMemoryTaskRepository;
  published: StoredTaskEvent[];
  logs: string[];
}> {
  const tasks = new InMemoryTaskRepository();
  await tasks.create(queued, { kind: 'status', data: { from: null, to: 'queued' } });
  const events = new TaskEventsHub();
  const published: StoredTaskEvent[] = [];
  events.watch('t1').subscribe((e) => published.push(e));
  const logs: string[] = [];
  const now = () => new Date('2026-11-23T10:00:05.000Z');
  return {
    recorder: new TaskRecorder({
      tasks,
      events,
      redactor: new SecretRedactor([SECRET]),
      now,
      logger: { log: (l) => logs.push(l) },
    }),
    tasks,
    published,
    logs,
  };
}

// The one way task rows and events are written (unit, in-memory repository).
describe('TaskRecorder (unit)', () => {
  it('refuses a move the state table forbids, writing and publishing nothing', async () => {
    const { recorder: r, tasks, published } = await recorder();
    await expect(
      r.update(queued, { status: 'done' }, { kind: 'status', data: { from: 'queued', to: 'done' } }),
    ).rejects.toMatchObject({
      code: 'INTERNAL',
      message: 'task t1: queued → done is not in the state table',
    });
    expect(await tasks.get('t1')).toEqual(queued);
    expect(published).toEqual([]);
  });

  it('refuses a move from a status that is no longer stored, even at the same version', async () => {
    const { recorder: r, tasks } = await recorder();
    // Read as running (allowed running → validating), but the stored row is still queued.
    const stale: Task = { ...queued, status: 'running' };
    await expect(r.update(stale, { status: 'validating' }, { kind: 'status', data: {} })).rejects.toMatchObject({
      code: 'CONFLICT',
    });
    expect(await tasks.get('t1')).toEqual(queued);
    expect((await tasks.eventsAfter('t1', 0, 10)).map((e) => e.seq)).toEqual([1]);
  });

  it('persists, then publishes the stored event, and logs one line per status change', async () => {
    const { recorder: r, tasks, published, logs } = await recorder();
    const started = await r.update(
      queued,
      { status: 'preparing' },
      { kind: 'status', data: { from: 'queued', to: 'preparing', reason: 'dispatched' } },
    );
    expect(started).toMatchObject({ status: 'preparing', version: 2, updatedAt: '2026-11-23T10:00:05.000Z' });
    expect(published).toEqual(await tasks.eventsAfter('t1', 1, 10));
    expect(published.map((e) => e.seq)).toEqual([2]);
    expect(logs).toEqual(['task t1 [app] queued → preparing (dispatched)']);
    // A change without a status move is not guarded by status, and publishes only what it stored.
    await r.update(started, { inputTokens: 5 });
    expect(published).toHaveLength(1);
  });

  it('redacts secrets from the error and the event it stores and publishes', async () => {
    const { recorder: r, tasks, published } = await recorder();
    await r.update(
      queued,
      { status: 'failed', error: `push failed: ${SECRET}` },
      { kind: 'status', data: { to: 'failed', reason: `token ${SECRET}` } },
    );
    await r.log('t1', 'log', { message: `echo ${SECRET}` });
    const stored = JSON.stringify([await tasks.get('t1'), await tasks.eventsAfter('t1', 0, 10), published]);
    expect(stored).not.toContain(SECRET);
    expect((await tasks.get('t1'))?.error).toBe(`push failed: ${REDACTED_SECRET}`);
    expect(published.map((e) => e.kind)).toEqual(['status', 'log']);
  });
});

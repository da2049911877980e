import { EventEmitter } from 'node:events';
import { TaskEventsHub, followTask } from '@agent-harness/pipeline';
import type { StoredTaskEvent } from '@agent-harness/queue';
import { InMemoryTaskRepository, taskFixture } from '@agent-harness/testing';
import type { Response } from 'express';
import { describe, expect, it } from 'vitest';
import { MAX_UNSENT_BYTES, streamTaskEvents } from './task-stream.js';

/**
 * The response of a client that never reads: everything written stays unsent (as in a socket
 * whose peer stopped reading), so `writableLength` only grows.
 */
class StalledResponse extends EventEmitter {
  readonly writes: string[] = [];
  writableLength = 0;
  destroyed = false;
  ended = false;
  status(): this {
    return this;
  }
  set(): this {
    return this;
  }
  flushHeaders(): void {
    // Headers are not what this test looks at.
  }
  write(chunk: string): boolean {
    this.writes.push(chunk);
    this.writableLength += Buffer.byteLength(chunk);
    return false;
  }
  end(): void {
    this.ended = true;
  }
  destroy(): void {
    this.destroyed = true;
    this.emit('close');
  }
}

const turn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

async function openStream(): Promise<{ res: StalledResponse; hub: TaskEventsHub; event: (seq: number) => void }> {
  const tasks = new InMemoryTaskRepository();
  const task = taskFixture('00000001-0000-4000-8000-000000000000', { status: 'running' });
  await tasks.create(task, { kind: 'status', data: { from: null, to: 'queued' } });
  const hub = new TaskEventsHub();
  const res = new StalledResponse();
  const engine = {
    follow: (id: string, from: number | 'now', options?: Parameters<typeof followTask>[3]) =>
      followTask({ watch: (taskId) => hub.watch(taskId), tasks }, id, from, options),
  };
  await streamTaskEvents(res as unknown as Response, { engine, tasks, heartbeatMs: 60_000 }, task.id, 1);
  // The (empty) replay is read before live events go straight out.
  await turn();
  const event = (seq: number): void => {
    const stored: StoredTaskEvent = {
      taskId: task.id,
      seq,
      kind: 'log',
      data: { message: 'x'.repeat(1000) },
      createdAt: '2026-11-25T00:00:00.000Z',
    };
    hub.publish(stored);
  };
  return { res, hub, event };
}

describe('task event stream (unit)', () => {
  it('sends the events that arrive together in one write', async () => {
    const { res, event } = await openStream();
    for (let seq = 2; seq <= 6; seq++) event(seq);
    await turn();
    expect(res.writes).toHaveLength(1);
    expect([...(res.writes[0] ?? '').matchAll(/^id: (\d+)$/gm)].map((m) => Number(m[1]))).toEqual([2, 3, 4, 5, 6]);
  });

  it('cuts a client that stopped reading once its unsent events pass the bound, and writes no more', async () => {
    const { res, event } = await openStream();
    let seq = 2;
    while (!res.destroyed && seq < 2000) {
      event(seq++);
      await turn();
    }
    expect(res.destroyed).toBe(true);
    // Cut within one event of the bound: a stalled client never holds a busy task's whole output.
    expect(res.writableLength).toBeLessThan(MAX_UNSENT_BYTES + 2000);
    const writes = res.writes.length;
    event(seq++);
    await turn();
    expect(res.writes).toHaveLength(writes);
  });
});

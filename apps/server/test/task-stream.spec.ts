import type { CreateTaskResponse, TaskDetail } from '@agent-harness/core';
import { afterEach, describe, expect, it } from 'vitest';
import { isErrorBody, send, startTestServer, type TestServer } from './support/test-server.js';

interface Stream {
  readonly ids: number[];
  readonly kinds: string[];
  readonly raw: string;
}

/** Opens a task's event stream; the server subscribes to live events before it sends the headers. */
async function openStream(server: TestServer, id: string, lastEventId?: string): Promise<Response> {
  const res = await fetch(`${server.url}/tasks/${id}/stream`, {
    headers: lastEventId === undefined ? {} : { 'last-event-id': lastEventId },
    signal: AbortSignal.timeout(15_000),
  });
  expect(res.status).toBe(200);
  return res;
}

/** Reads an open stream to its end; fails (instead of hanging) if it stays open 15 s. */
async function readToEnd(res: Response): Promise<Stream> {
  const raw = await res.text();
  return {
    raw,
    ids: [...raw.matchAll(/^id: (\d+)$/gm)].map((m) => Number(m[1])),
    kinds: [...raw.matchAll(/^event: (\w+)$/gm)].map((m) => m[1] ?? ''),
  };
}

async function readStream(server: TestServer, id: string, lastEventId?: string): Promise<Stream> {
  return readToEnd(await openStream(server, id, lastEventId));
}

async function submit(server: TestServer, body: Record<string, unknown>): Promise<string> {
  const res = await send(`${server.url}/tasks`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ project: 'app', ...body }),
  });
  expect(res.status, res.text).toBe(202);
  return (res.json as CreateTaskResponse).task_id;
}

async function waitForStatus(server: TestServer, id: string, statuses: readonly string[]): Promise<string> {
  for (let i = 0; i < 600; i++) {
    const status = ((await send(`${server.url}/tasks/${id}`)).json as TaskDetail).status;
    if (statuses.includes(status)) return status;
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error(`task ${id} never reached ${statuses.join('/')}`);
}

describe('task event streams always end when their task ends', () => {
  let server: TestServer | undefined;
  afterEach(async () => {
    await server?.close();
    server = undefined;
  });

  it("a finished task's stream resumed before its end sends the rest; at or past the end it answers 204", async () => {
    server = await startTestServer({ scenario: { edits: [{ path: 'f.txt', content: 'x\n' }] } });
    const id = await submit(server, { prompt: 'write f.txt' });
    await waitForStatus(server, id, ['done', 'failed']);
    const whole = await readStream(server, id);
    expect(whole.kinds.at(-1)).toBe('end');
    const endSeq = whole.ids.at(-1) ?? 0;
    const resumed = await readStream(server, id, String(endSeq - 1));
    expect(resumed.kinds).toEqual(['end']);
    expect(resumed.ids).toEqual([endSeq]);
    // 204 is how SSE tells a client (a standard EventSource) to stop reconnecting.
    for (const from of [endSeq, endSeq + 1, 1_000_000]) {
      const res = await fetch(`${server.url}/tasks/${id}/stream`, {
        headers: { 'last-event-id': String(from) },
        signal: AbortSignal.timeout(15_000),
      });
      expect(res.status, `Last-Event-ID ${String(from)}`).toBe(204);
      expect(await res.text()).toBe('');
    }
  });

  it('a live stream opened past the last event still gets the end event when the task is cancelled', async () => {
    server = await startTestServer({ scenario: { hang: 'after_init' } });
    const id = await submit(server, { prompt: 'hang' });
    await waitForStatus(server, id, ['running']);
    const open = await Promise.all([
      openStream(server, id, '1000'),
      openStream(server, id, '2'),
      openStream(server, id),
    ]);
    expect((await send(`${server.url}/tasks/${id}/cancel`, { method: 'POST' })).status).toBe(200);
    const [past, middle, whole] = await Promise.all([readToEnd(open[0]), readToEnd(open[1]), readToEnd(open[2])]);
    expect(past.kinds).toEqual(['end']);
    expect(middle.kinds.at(-1)).toBe('end');
    expect(middle.ids[0]).toBe(3);
    expect(whole.ids).toEqual(whole.ids.map((_, i) => i + 1));
    expect(past.ids).toEqual([whole.ids.at(-1)]);
    expect(past.raw).toContain('"status":"cancelled"');
  });

  it('an open stream of a running task ends when the server shuts down, so it never holds the shutdown', async () => {
    const running = await startTestServer({ scenario: { hang: 'after_init' } });
    server = running;
    const id = await submit(running, { prompt: 'hang' });
    await waitForStatus(running, id, ['running']);
    const open = await openStream(running, id);
    const started = Date.now();
    await running.close();
    server = undefined;
    const stream = await readToEnd(open);
    expect(stream.ids).toEqual(stream.ids.map((_, i) => i + 1));
    // Well within the 15 s a held connection would have taken (the stream's own read timeout).
    expect(Date.now() - started).toBeLessThan(12_000);
  });

  it('refuses a Last-Event-ID that is not a plain non-negative integer', async () => {
    server = await startTestServer();
    const id = await submit(server, { prompt: 'x' });
    for (const bad of ['-1', '1.5', '1e3', 'abc', '0x1f', '1234567890123456']) {
      const res = await send(`${server.url}/tasks/${id}/stream`, { headers: { 'last-event-id': bad } });
      expect(res.status, bad).toBe(400);
      expect(isErrorBody(res.json)).toBe(true);
    }
  });
});

import type { CreateTaskResponse, TaskSummary } from '@agent-harness/core';
import { afterEach, describe, expect, it } from 'vitest';
import { LIBRARY_FILES, OPEN_WEB_PATHS, WEB_ASSET_TYPES } from '../src/web/web-assets.js';
import { isErrorBody, rawRequest, send, startTestServer, type TestServer } from './support/test-server.js';

const TOKEN = 'a-long-enough-token-0123456789';

/** One server-sent event: its `event:` and parsed `data:`; heartbeats are counted apart. */
interface Frame {
  readonly event: string;
  readonly data: unknown;
}

/** Reads a feed's frames as they come; `next()` fails (instead of hanging) after 20 s. */
function frameReader(res: Response): { next(): Promise<Frame | undefined>; heartbeats(): number; cancel(): void } {
  if (res.body === null) throw new Error('no body');
  const reader: ReadableStreamDefaultReader<Uint8Array> = res.body.getReader();
  const decoder = new TextDecoder();
  let pending = '';
  let heartbeats = 0;
  const ready: Frame[] = [];
  return {
    heartbeats: () => heartbeats,
    cancel: () => void reader.cancel(),
    async next() {
      const deadline = Date.now() + 20_000;
      while (ready.length === 0) {
        if (Date.now() > deadline) throw new Error('no frame within 20 s');
        const { value, done } = await reader.read();
        if (done) return undefined;
        pending += decoder.decode(value, { stream: true });
        let end: number;
        while ((end = pending.indexOf('\n\n')) !== -1) {
          const block = pending.slice(0, end);
          pending = pending.slice(end + 2);
          if (block.startsWith(':')) {
            heartbeats++;
            continue;
          }
          expect(block, 'a feed frame has no id').not.toMatch(/^id:/m);
          const event = /^event: (.*)$/m.exec(block)?.[1] ?? 'message';
          const data = /^data: (.*)$/m.exec(block)?.[1] ?? '';
          ready.push({ event, data: JSON.parse(data) as unknown });
        }
      }
      return ready.shift();
    },
  };
}

async function submit(server: TestServer, prompt: string, headers: Record<string, string> = {}): Promise<string> {
  const res = await send(`${server.url}/tasks`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify({ project: 'app', prompt }),
  });
  expect(res.status, res.text).toBe(202);
  return (res.json as CreateTaskResponse).task_id;
}

describe('web dashboard files', () => {
  let server: TestServer | undefined;
  afterEach(async () => {
    await server?.close();
    server = undefined;
  });

  it('serves the page at / with strict security headers and no inline script or style', async () => {
    server = await startTestServer();
    const res = await send(`${server.url}/`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/html; charset=utf-8');
    const csp = res.headers.get('content-security-policy') ?? '';
    expect(csp).toContain("default-src 'self'");
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).not.toMatch(/unsafe-inline|unsafe-eval|\*/);
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    expect(res.headers.get('x-frame-options')).toBe('DENY');
    expect(res.headers.get('referrer-policy')).toBe('no-referrer');
    expect(res.text).toContain('<script type="module" src="/web/app.js"></script>');
    // Every script has a src (CSP would refuse inline code anyway); no style attributes or blocks.
    expect(res.text).not.toMatch(/<script(?![^>]*\ssrc=)[^>]*>/);
    expect(res.text).not.toMatch(/\sstyle=|<style/);
    expect(res.text).not.toMatch(/https?:\/\//);
  });

  it('serves each listed file with its type and the same headers, and nothing else', async () => {
    server = await startTestServer();
    for (const [name, type] of Object.entries(WEB_ASSET_TYPES)) {
      if (name === 'index.html') continue;
      const res = await send(`${server.url}/web/${name}`);
      expect(res.status, name).toBe(200);
      expect(res.headers.get('content-type'), name).toBe(type);
      expect(res.headers.get('x-content-type-options'), name).toBe('nosniff');
      expect(res.headers.get('content-security-policy'), name).toContain("default-src 'self'");
      // Offline: no CDN, no other origin; and no data ever written as markup. (The chart library's
      // comments name its home page and the pages its code cites: links, never loaded.)
      if (!(name in LIBRARY_FILES)) expect(res.text, name).not.toMatch(/https?:\/\/(?!www\.w3\.org\/2000\/svg)/);
      expect(res.text, name).not.toMatch(/innerHTML|outerHTML|insertAdjacentHTML|document\.write/);
    }
    for (const path of [
      '/web/nope.js',
      '/web/index.html',
      '/web/..%2Fpackage.json',
      '/web/%2e%2e/src/main.ts',
      '/web/',
    ]) {
      const res = await rawRequest(server.url, { path });
      expect(res.status, path).toBe(404);
      expect(isErrorBody(res.json), path).toBe(true);
    }
  });

  it('answers a repeated request with 304 when the file did not change', async () => {
    server = await startTestServer();
    const first = await send(`${server.url}/web/app.js`);
    const etag = first.headers.get('etag');
    expect(etag).toBeTruthy();
    // Through node:http: fetch adds `cache-control: no-cache` to a conditional request.
    const again = await rawRequest(server.url, { path: '/web/app.js', headers: { 'if-none-match': etag ?? '' } });
    expect(again.status).toBe(304);
  });

  it('with a token, serves the page and its files without it, but no API route and no unknown path', async () => {
    server = await startTestServer({ token: TOKEN });
    for (const path of OPEN_WEB_PATHS) expect((await send(`${server.url}${path}`)).status, path).toBe(200);
    for (const path of ['/api/tasks/stream', '/tasks', '/api/dashboard', '/web/nope.js', '/webx/app.js']) {
      const res = await send(`${server.url}${path}`);
      expect(res.status, path).toBe(401);
      expect(res.headers.get('www-authenticate')).toBe('Bearer');
    }
    const feed = await fetch(`${server.url}/api/tasks/stream`, { headers: { authorization: `Bearer ${TOKEN}` } });
    expect(feed.status).toBe(200);
    await feed.body?.cancel();
  });
});

describe('GET /api/tasks/stream (every task, live)', () => {
  let server: TestServer | undefined;
  afterEach(async () => {
    await server?.close();
    server = undefined;
  });

  it('says ready, then sends each task summary after every status change, through to done', async () => {
    server = await startTestServer({ sseHeartbeatMs: 20 });
    const res = await fetch(`${server.url}/api/tasks/stream`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toContain('text/event-stream');
    const frames = frameReader(res);
    expect(await frames.next()).toEqual({ event: 'ready', data: {} });
    const id = await submit(server, 'write f.txt');
    const seen: string[] = [];
    for (;;) {
      const frame = await frames.next();
      expect(frame?.event).toBe('task');
      const task = frame?.data as TaskSummary;
      expect(task.id).toBe(id);
      expect(task).toMatchObject({ project: 'app', kind: 'prompt', title: 'write f.txt' });
      seen.push(task.status);
      if (task.status === 'done' || task.status === 'failed') break;
    }
    expect(seen[0]).toBe('queued');
    expect(seen).toContain('running');
    expect(seen.at(-1)).toBe('done');
    expect(frames.heartbeats()).toBeGreaterThan(0);
    frames.cancel();
  });

  it('gives every watcher the same frames, and ends the feed when the server stops', async () => {
    server = await startTestServer();
    const [a, b] = await Promise.all([
      fetch(`${server.url}/api/tasks/stream`).then(frameReader),
      fetch(`${server.url}/api/tasks/stream`).then(frameReader),
    ]);
    await a.next();
    await b.next();
    const id = await submit(server, 'write f.txt');
    const first = [await a.next(), await b.next()];
    expect(first.map((f) => (f?.data as TaskSummary).id)).toEqual([id, id]);
    expect(first[0]).toEqual(first[1]);
    const stopping = server.close();
    server = undefined;
    // Drained to its end: the feed closes instead of holding the shutdown.
    for (let frame = await a.next(); frame !== undefined; frame = await a.next()) expect(frame.event).toBe('task');
    b.cancel();
    await stopping;
  });
});

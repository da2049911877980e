import { join } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import type { ErrorBody, TaskDetail } from '@agent-harness/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isErrorBody, send, startTestServer, type ReadResponse, type TestServer } from './support/test-server.js';

const TWIN_A = '0f1c2d3e-aaaa-4000-8000-000000000001';
const TWIN_B = '0f1c2d3e-bbbb-4000-8000-000000000002';
const DONE = '7a7a7a7a-0000-4000-8000-000000000003';
const WAITING = '5b5b5b5b-0000-4000-8000-000000000004';

/** Tasks written straight into the server's database: ids of our choosing, and none the engine will start. */
function insertTasks(dataDir: string): void {
  const db = new BetterSqlite3(join(dataDir, 'harness.db'));
  const now = new Date().toISOString();
  const task = db.prepare(
    `INSERT INTO tasks (id, project, kind, prompt, status, attempt, not_before, input_tokens, output_tokens, created_at, updated_at, version, last_event_seq) VALUES (?, 'app', 'prompt', 'x', ?, 1, '2999-01-01T00:00:00.000Z', 0, 0, ?, ?, 1, ?)`,
  );
  const event = db.prepare(`INSERT INTO task_events (task_id, seq, kind, data, created_at) VALUES (?, ?, ?, ?, ?)`);
  for (const [id, status] of [
    [TWIN_A, 'done'],
    [TWIN_B, 'done'],
    [DONE, 'done'],
    [WAITING, 'queued'],
  ] as const) {
    // Event numbers come from the row: it says how many the task has.
    task.run(id, status, now, now, status === 'done' ? 2 : 1);
    event.run(id, 1, 'status', '{"from":null,"to":"queued"}', now);
    if (status === 'done') event.run(id, 2, 'end', '{"status":"done"}', now);
  }
  db.close();
}

describe('task ids by unique prefix (at least 8 characters)', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer();
    insertTasks(server.dataDir.path);
  });
  afterAll(async () => {
    await server.close();
  });

  const get = (path: string, init?: RequestInit): Promise<ReadResponse> => send(`${server.url}${path}`, init);
  const expectError = (res: ReadResponse, status: number, message: RegExp): void => {
    expect(res.status, res.text).toBe(status);
    expect(isErrorBody(res.json)).toBe(true);
    expect((res.json as ErrorBody).error.message).toMatch(message);
  };

  it('GET /tasks/:id finds a task by a unique prefix, in either case', async () => {
    for (const given of ['7a7a7a7a', '7A7A7A7A', '7a7a7a7a-0000', DONE, '0f1c2d3e-a']) {
      const res = await get(`/tasks/${given}`);
      expect(res.status, given).toBe(200);
      expect((res.json as TaskDetail).id).toBe(given === '0f1c2d3e-a' ? TWIN_A : DONE);
    }
  });

  it('answers 409 naming how many match, 404 for none, 400 for a prefix under 8 characters', async () => {
    expectError(await get('/tasks/0f1c2d3e'), 409, /^task id prefix 0f1c2d3e matches 2 tasks; give more characters$/);
    expectError(await get('/tasks/deadbeef'), 404, /^no task deadbeef$/);
    expectError(await get('/tasks/0f1c2d3'), 400, /at least 8 characters/);
    // Not id characters: LIKE wildcards and the rest are simply no task.
    for (const given of ['0f1c2d3_', '0f1c%25%25%25%25', 'no-such-task'])
      expectError(await get(`/tasks/${given}`), 404, /^no task /);
    // The id goes through task_get's input, as over JSON-RPC: a NUL character is named.
    expectError(await get('/tasks/%00'), 400, /^task_id must not contain NUL characters$/);
    expectError(await get(`/tasks/${'a'.repeat(101)}/cancel`, { method: 'POST' }), 400, /^task_id must be/);
  });

  it('streams and cancels by prefix too', async () => {
    const stream = await fetch(`${server.url}/tasks/7a7a7a7a/stream`, { signal: AbortSignal.timeout(15_000) });
    expect(await stream.text()).toMatch(/^id: 1\nevent: status\n[\s\S]*id: 2\nevent: end\n/);
    expectError(await get('/tasks/0f1c2d3e/stream'), 409, /matches 2 tasks/);
    const cancelled = await get('/tasks/5b5b5b5b/cancel', { method: 'POST' });
    expect(cancelled.status, cancelled.text).toBe(200);
    expect(cancelled.json).toMatchObject({ id: WAITING, status: 'cancelled' });
    expectError(await get('/tasks/0f1c2d3e/cancel', { method: 'POST' }), 409, /matches 2 tasks/);
    expectError(await get('/tasks/deadbeef/cancel', { method: 'POST' }), 404, /no task deadbeef/);
  });
});

import { join } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import type { ErrorBody, TaskListResponse } from '@agent-harness/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { send, startTestServer, type TestServer } from './support/test-server.js';

const STORED = 23;

/** Finished tasks written straight into the server's database (the engine starts none of them). */
function insertTasks(dataDir: string): string[] {
  const db = new BetterSqlite3(join(dataDir, 'harness.db'));
  const insert = db.prepare(
    `INSERT INTO tasks (id, project, kind, prompt, status, attempt, input_tokens, output_tokens, created_at, updated_at, version) VALUES (?, 'app', 'prompt', 'x', ?, 1, 0, 0, ?, ?, 1)`,
  );
  const ids: string[] = [];
  for (let i = 0; i < STORED; i++) {
    const id = `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`;
    // Three tasks per second: the cursor must break created_at ties by id.
    const at = new Date(Date.UTC(2026, 10, 1, 0, 0, Math.floor(i / 3))).toISOString();
    insert.run(id, i % 2 === 0 ? 'done' : 'failed', at, at);
    ids.push(id);
  }
  db.close();
  return ids.reverse();
}

describe('GET /tasks paging by offset and by cursor', () => {
  let server: TestServer;
  let newestFirst: string[];
  beforeAll(async () => {
    server = await startTestServer();
    newestFirst = insertTasks(server.dataDir.path);
  });
  afterAll(async () => {
    await server.close();
  });

  const list = async (query: string): Promise<TaskListResponse> => {
    const res = await send(`${server.url}/tasks?${query}`);
    expect(res.status, res.text).toBe(200);
    return res.json as TaskListResponse;
  };

  it('walks every task once by next_cursor, in the same order as offsets, with the total of the filter', async () => {
    const seen: string[] = [];
    let page = await list('limit=5');
    for (let pages = 0; pages < 20; pages++) {
      expect(page).toMatchObject({ total: STORED, limit: 5, offset: 0 });
      seen.push(...page.tasks.map((t) => t.id));
      if (page.next_cursor === null) break;
      page = await list(`limit=5&cursor=${page.next_cursor}`);
    }
    expect(seen).toEqual(newestFirst);
    expect(page.tasks).toHaveLength(STORED % 5);
    expect((await list('limit=5&offset=10')).tasks.map((t) => t.id)).toEqual(newestFirst.slice(10, 15));
    // An offset page hands out a cursor too; a full last page has none.
    const byOffset = await list('limit=5&offset=5');
    expect((await list(`limit=5&cursor=${String(byOffset.next_cursor)}`)).tasks.map((t) => t.id)).toEqual(
      newestFirst.slice(10, 15),
    );
    expect((await list(`limit=${String(STORED)}`)).next_cursor).toBeNull();
  });

  it('keeps the status filter across cursor pages', async () => {
    const first = await list('status=failed&limit=4');
    expect(first.total).toBe(11);
    const second = await list(`status=failed&limit=4&cursor=${String(first.next_cursor)}`);
    const failed = newestFirst.filter((id) => Number(id.slice(-12)) % 2 === 1);
    expect([...first.tasks, ...second.tasks].map((t) => t.id)).toEqual(failed.slice(0, 8));
  });

  it('refuses a cursor it did not make, and cursor with offset, with a 400 naming the parameter', async () => {
    const forged = (value: unknown): string => Buffer.from(JSON.stringify(value)).toString('base64url');
    for (const cursor of [
      'x',
      '!!!',
      forged(['yesterday', 'a']),
      forged({ a: 1 }),
      forged(['2026-01-01T00:00:00.000Z', "a' OR 1=1"]),
      'A'.repeat(500),
      Buffer.from('not json').toString('base64url'),
    ]) {
      const res = await send(`${server.url}/tasks?cursor=${encodeURIComponent(cursor)}`);
      expect(res.status, cursor).toBe(400);
      expect((res.json as ErrorBody).error.message, cursor).toMatch(/cursor/);
    }
    const cursor = (await list('limit=1')).next_cursor;
    const both = await send(`${server.url}/tasks?offset=1&cursor=${String(cursor)}`);
    expect(both.status).toBe(400);
    expect((both.json as ErrorBody).error.message).toMatch(/cursor or offset/);
  });

  it('filters by agent and by words of the title (q), with the total of the filter; refuses an empty or long q', async () => {
    // The stored tasks' prompts are all "x"; none ran with an agent.
    expect((await list('q=X&limit=5')).total).toBe(STORED);
    expect((await list('q=nothing-like-this')).total).toBe(0);
    expect((await list('agent=claude')).total).toBe(0);
    const page = await list('q=x&status=done&limit=3');
    expect(page.total).toBe(12);
    expect(page.tasks).toHaveLength(3);
    for (const q of ['', 'y'.repeat(201)]) {
      const res = await send(`${server.url}/tasks?q=${q}`);
      expect(res.status, q).toBe(400);
      expect((res.json as ErrorBody).error.message).toMatch(/q must be 1 to 200 characters/);
    }
  });
});

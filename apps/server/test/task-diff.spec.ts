import type { CreateTaskResponse, ErrorBody, TaskArtifactsResponse, TaskDetail } from '@agent-harness/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { send, startTestServer, type TestServer } from './support/test-server.js';

// GET /tasks/:id/diff: a real task run by the scripted agent, its stored patch read back as text.

const TOKEN = 'task-diff-token-0123456789';
const auth = { authorization: `Bearer ${TOKEN}` };

async function submit(server: TestServer, prompt: string): Promise<string> {
  const res = await send(`${server.url}/tasks`, {
    method: 'POST',
    headers: { ...auth, 'content-type': 'application/json' },
    body: JSON.stringify({ project: 'app', prompt }),
  });
  expect(res.status, res.text).toBe(202);
  return (res.json as CreateTaskResponse).task_id;
}

async function waitForEnd(server: TestServer, id: string): Promise<TaskDetail> {
  for (let i = 0; i < 1200; i++) {
    const task = (await send(`${server.url}/tasks/${id}`, { headers: auth })).json as TaskDetail;
    if (['done', 'failed', 'cancelled'].includes(task.status)) return task;
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error(`task ${id} never ended`);
}

describe('GET /tasks/:id/diff', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer({
      token: TOKEN,
      scenario: { edits: [{ path: 'notes/raw.txt', content: 'first line\nsecond line\n' }], text: 'Wrote it.' },
    });
  });
  afterAll(async () => {
    await server.close();
  });

  it("answers the task's latest stored patch as text/plain, by whole id or prefix, with the token", async () => {
    const id = await submit(server, 'write notes/raw.txt');
    expect((await waitForEnd(server, id)).status).toBe('done');

    const res = await send(`${server.url}/tasks/${id.slice(0, 8)}/diff`, { headers: auth });
    expect(res.status, res.text).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/plain; charset=utf-8');
    expect(res.headers.get('content-disposition')).toBe(`attachment; filename="harness-${id.slice(0, 8)}.diff"`);
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    expect(res.text).toMatch(/^diff --git a\/notes\/raw\.txt b\/notes\/raw\.txt$/m);
    expect(res.text).toContain('+first line\n+second line');
    // The same text the artifacts list as the task's last diff.
    const artifacts = (await send(`${server.url}/tasks/${id}/artifacts`, { headers: auth }))
      .json as TaskArtifactsResponse;
    expect(res.text).toBe(artifacts.filter((a) => a.artifact_type === 'diff').at(-1)?.content);
    expect((await send(`${server.url}/tasks/${id.toUpperCase()}/diff`, { headers: auth })).text).toBe(res.text);

    // Like every API route, it needs the token.
    const anonymous = await send(`${server.url}/tasks/${id}/diff`);
    expect(anonymous.status).toBe(401);
  });

  it('is a 404 NOT_FOUND for a task without a commit and for an unknown task, a 400 for a short prefix', async () => {
    // A task whose agent changes nothing fails before any commit.
    const unchanged = await startTestServer({ token: TOKEN, scenario: { text: 'Nothing to do.' } });
    try {
      const id = await submit(unchanged, 'change nothing');
      expect((await waitForEnd(unchanged, id)).status).toBe('failed');
      const res = await send(`${unchanged.url}/tasks/${id}/diff`, { headers: auth });
      expect(res.status).toBe(404);
      expect((res.json as ErrorBody).error).toMatchObject({
        code: 'NOT_FOUND',
        message: expect.stringMatching(/no commit yet/) as string,
      });
    } finally {
      await unchanged.close();
    }
    const unknown = await send(`${server.url}/tasks/0123456789abcdef0123456789abcdef/diff`, { headers: auth });
    expect(unknown.status).toBe(404);
    expect((unknown.json as ErrorBody).error.code).toBe('NOT_FOUND');
    expect((await send(`${server.url}/tasks/0f1c2d3/diff`, { headers: auth })).status).toBe(400);
  });
});

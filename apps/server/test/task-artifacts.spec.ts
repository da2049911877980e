import type {
  CreateTaskResponse,
  QueueStatsResponse,
  TaskArtifactsResponse,
  TaskDetail,
  UsageResponse,
} from '@agent-harness/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { send, startTestServer, type TestServer } from './support/test-server.js';

const auth = { authorization: 'Bearer server-token-0123456789' };

async function waitForEnd(server: TestServer, id: string): Promise<TaskDetail> {
  for (let i = 0; i < 1200; i++) {
    const task = (await send(`${server.url}/tasks/${id}`, { headers: auth })).json as TaskDetail;
    if (['done', 'failed', 'cancelled'].includes(task.status)) return task;
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error(`task ${id} never ended`);
}

describe("the original harness's surfaces: a task's artifacts, queue stats, token usage", () => {
  let server: TestServer;
  let taskId: string;
  // A token-like string in the change: the stored patch is redacted like every event.
  const secret = 'ghp_' + 'a1B2c3D4e5F6g7H8i9J0k1L2m3N4o5P6q7R8';

  beforeAll(async () => {
    server = await startTestServer({
      token: 'server-token-0123456789',
      scenario: {
        edits: [{ path: 'greeting.txt', content: 'hello from the agent\n' }],
        text: 'Wrote greeting.txt with a greeting.',
      },
    });
    const res = await send(`${server.url}/tasks`, {
      method: 'POST',
      headers: { ...auth, 'content-type': 'application/json' },
      body: JSON.stringify({ project: 'app', prompt: `write greeting.txt (do not leak ${secret})` }),
    });
    expect(res.status, res.text).toBe(202);
    taskId = (res.json as CreateTaskResponse).task_id;
  });

  afterAll(async () => {
    await server.close();
  });

  const get = (path: string) => send(`${server.url}${path}`, { headers: auth });

  it("GET /tasks/:id/artifacts: the commit's change, validation, and the agent's answer, oldest first", async () => {
    const task = await waitForEnd(server, taskId);
    expect(task.status).toBe('done');
    const res = await get(`/tasks/${taskId.slice(0, 8)}/artifacts`);
    expect(res.status, res.text).toBe(200);
    const artifacts = res.json as TaskArtifactsResponse;
    const types = artifacts.map((a) => a.artifact_type);
    expect(types).toContain('final_answer');
    expect(types).toContain('diff');
    for (const artifact of artifacts) {
      expect(artifact).toMatchObject({ task_id: taskId, turn: 1 });
      expect(Date.parse(artifact.created_at)).not.toBeNaN();
    }
    const diff = artifacts.find((a) => a.artifact_type === 'diff');
    expect(diff?.content).toContain('greeting.txt');
    expect(diff?.content).toContain('+hello from the agent');
    expect(artifacts.find((a) => a.artifact_type === 'final_answer')?.content).toBe(
      'Wrote greeting.txt with a greeting.',
    );
    // The answer comes after the agent ran, the change after it was committed.
    expect(types.indexOf('final_answer')).toBeLessThan(types.indexOf('diff'));
    const validation = artifacts.find((a) => a.artifact_type === 'validation');
    if (validation !== undefined) expect(JSON.parse(validation.content)).toHaveProperty('ok');
    expect(res.text).not.toContain(secret);
  });

  it('GET /tasks/:id/artifacts: 404 for an unknown task, 400 for a prefix too short', async () => {
    expect((await get('/tasks/0123456789abcdef0123456789abcdef/artifacts')).status).toBe(404);
    expect((await get('/tasks/0f1c2d3/artifacts')).status).toBe(400);
  });

  it('GET /api/queue-stats and the original path /projects/queue-stats: counts against limits', async () => {
    const res = await get('/api/queue-stats');
    expect(res.status).toBe(200);
    const stats = res.json as QueueStatsResponse;
    expect(stats.global).toEqual({ running: 0, queued: 0, limit: expect.any(Number) as number });
    expect(stats.projects['app']).toEqual({
      root: expect.any(String) as string,
      running: 0,
      queued: 0,
      limit: stats.global.limit,
    });
    expect((await get('/projects/queue-stats')).json).toEqual(stats);
  });

  it('GET /api/token-usage (the original path) answers the usage report', async () => {
    const usage = await get('/api/token-usage?since=today');
    expect(usage.status).toBe(200);
    expect(usage.json).toEqual((await get('/api/usage?since=today')).json as UsageResponse);
  });
});

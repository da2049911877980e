import { join } from 'node:path';
import {
  resolveConfig,
  type CreateTaskBatchResponse,
  type CreateTaskResponse,
  type TaskListResponse,
} from '@agent-harness/core';
import { inspectProjectDirectory } from '@agent-harness/runtime';
import {
  FAKE_AGENT_BIN_DIR,
  createTempDataDir,
  createTempGitRepo,
  fakeAgentEnv,
  startFakeGitHub,
  type FakeGitHub,
  type TempDir,
  type TempGitRepo,
} from '@agent-harness/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bootstrapServer, type RunningServer } from '../src/bootstrap.js';
import { httpRpc, type RpcMessage } from './support/rpc-clients.js';
import { send } from './support/test-server.js';

const TOKEN = 'ghp_one_task_per_work';

function rpcResult(message: RpcMessage | RpcMessage[] | undefined): Record<string, unknown> {
  if (message === undefined || Array.isArray(message) || message.result === undefined)
    throw new Error(`expected a result, got ${JSON.stringify(message)}`);
  return message.result;
}

// A second request for the same issue answers with the unfinished task doing it, on every surface.
describe('one task per piece of work: REST and JSON-RPC answer with the existing task', () => {
  let github: FakeGitHub;
  let dataDir: TempDir;
  let repo: TempGitRepo;
  let server: RunningServer;

  beforeAll(async () => {
    github = await startFakeGitHub({ token: TOKEN });
    github.addIssue('octo/app', 42, { title: 'Parser rejects valid input', body: 'It crashes.' });
    dataDir = await createTempDataDir();
    repo = await createTempGitRepo();
    const toml = [
      '[server]',
      'http_addr = "127.0.0.1:0"',
      `data_dir = ${JSON.stringify(dataDir.path)}`,
      '[github]',
      `api_url = ${JSON.stringify(github.url)}`,
      '[agents.claude]',
      `cli_path = ${JSON.stringify(join(FAKE_AGENT_BIN_DIR, 'claude'))}`,
      '[[projects]]',
      'name = "app"',
      `root = ${JSON.stringify(repo.path)}`,
      'repo = "octo/app"',
      '',
    ].join('\n');
    const resolved = resolveConfig({
      file: { path: '/x/h.toml', text: toml },
      env: { GITHUB_TOKEN: TOKEN },
      homeDir: '/h',
      cwd: '/',
      inspectDirectory: (path) => inspectProjectDirectory(path, { PATH: process.env['PATH'] }),
    });
    if (!resolved.ok) throw resolved.error;
    const config = resolved.value;
    // The agent never ends: the first task stays unfinished while the others are asked for.
    server = await bootstrapServer(config, {
      env: {
        PATH: process.env['PATH'],
        ...repo.gitEnv,
        GITHUB_TOKEN: TOKEN,
        ...fakeAgentEnv({ hang: 'before_output' }),
      },
    });
  });

  afterAll(async () => {
    await server.close();
    await github.close();
    await repo.cleanup();
    await dataDir.cleanup();
  });

  const post = (path: string, body: unknown) =>
    send(`${server.url}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });

  it('POST /tasks: 202 for the first request, 200 with existing: true for every later one (also concurrent)', async () => {
    const first = await post('/tasks', { project: 'app', issue: 42 });
    expect(first.status).toBe(202);
    // A free slot: it started before the answer.
    expect(first.json).toEqual({ task_id: expect.any(String) as string, status: 'running' });
    const id = (first.json as CreateTaskResponse).task_id;

    const again = await Promise.all(Array.from({ length: 20 }, () => post('/tasks', { project: 'app', issue: 42 })));
    for (const answer of again) {
      expect(answer.status).toBe(200);
      expect(answer.json).toMatchObject({ task_id: id, existing: true });
    }
    // Another issue is other work.
    const other = await post('/tasks', { project: 'app', issue: 43 });
    expect(other.status).toBe(202);
    expect((other.json as CreateTaskResponse).task_id).not.toBe(id);

    const batch = await post('/tasks/batch', { project: 'app', issues: [42, 44, 44] });
    expect(batch.status).toBe(202);
    const [b42, b44, b44again] = batch.json as CreateTaskBatchResponse;
    expect(b42).toMatchObject({ task_id: id, existing: true });
    expect(b44).toEqual({
      task_id: expect.any(String) as string,
      status: expect.stringMatching(/^(running|queued)$/) as string,
    });
    expect(b44again).toMatchObject({ task_id: b44?.task_id, existing: true });

    const listed = (await send(`${server.url}/tasks?limit=200`)).json as TaskListResponse;
    expect(listed.tasks.filter((t) => t.issue === 42).map((t) => t.id)).toEqual([id]);
    expect(listed.total).toBe(3);
  });

  it('JSON-RPC task_submit answers the existing task with existing: true', async () => {
    const submitted = await post('/tasks', { project: 'app', issue: 45 });
    const id = (submitted.json as CreateTaskResponse).task_id;
    const init = await httpRpc(server.url, { jsonrpc: '2.0', id: 1, method: 'initialize' });
    const headers = { 'harness-session': String(rpcResult(init.json)['session_id']) };
    await httpRpc(server.url, { jsonrpc: '2.0', method: 'initialized' }, headers);
    const answer = await httpRpc(
      server.url,
      { jsonrpc: '2.0', id: 2, method: 'task_submit', params: { project: 'app', issue: 45 } },
      headers,
    );
    expect(rpcResult(answer.json)).toMatchObject({ task_id: id, existing: true });
    const fresh = await httpRpc(
      server.url,
      { jsonrpc: '2.0', id: 3, method: 'task_submit', params: { project: 'app', issue: 46 } },
      headers,
    );
    expect(rpcResult(fresh.json)).toEqual({
      task_id: expect.any(String) as string,
      status: expect.stringMatching(/^(running|queued)$/) as string,
    });
  });
});

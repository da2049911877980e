import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { FAKE_AGENT_BIN_DIR, createTempDataDir, createTempGitRepo, fakeAgentToml } from '@agent-harness/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bootstrapStdio } from '../src/bootstrap.js';
import { httpRpc, WsRpcClient, type RpcMessage } from './support/rpc-clients.js';
import { startTestServer, testConfig, type TestServer } from './support/test-server.js';

const TOKEN = 'rpc-test-token-0123456789';
const auth = { authorization: `Bearer ${TOKEN}` };

function result(message: RpcMessage | RpcMessage[] | undefined): Record<string, unknown> {
  if (message === undefined || Array.isArray(message) || message.result === undefined)
    throw new Error(`expected a result, got ${JSON.stringify(message)}`);
  return message.result;
}

function errorOf(message: RpcMessage | RpcMessage[] | undefined): { code: number; message: string } {
  if (message === undefined || Array.isArray(message) || message.error === undefined)
    throw new Error(`expected an error, got ${JSON.stringify(message)}`);
  return message.error;
}

describe('JSON-RPC over HTTP and WebSocket', () => {
  let server: TestServer;

  beforeAll(async () => {
    server = await startTestServer({ token: TOKEN });
  });

  afterAll(async () => {
    await server.close();
  });

  describe('POST /rpc', () => {
    async function session(): Promise<Record<string, string>> {
      const init = await httpRpc(server.url, { jsonrpc: '2.0', id: 1, method: 'initialize' }, auth);
      const sessionId = result(init.json)['session_id'];
      expect(typeof sessionId).toBe('string');
      const headers = { ...auth, 'harness-session': String(sessionId) };
      const done = await httpRpc(server.url, { jsonrpc: '2.0', method: 'initialized' }, headers);
      // A notification gets no answer.
      expect(done.status).toBe(204);
      return headers;
    }

    it('needs the bearer token like every REST route', async () => {
      const res = await httpRpc(server.url, { jsonrpc: '2.0', id: 1, method: 'initialize' });
      expect(res.status).toBe(401);
    });

    it('refuses every method before the handshake; a session is per header, or per principal without one', async () => {
      const before = await httpRpc(server.url, { jsonrpc: '2.0', id: 1, method: 'agent_list' }, auth);
      expect(errorOf(before.json).code).toBe(-32003);
      // Over HTTP the error says how the handshake holds: by the session id in a header.
      expect(errorOf(before.json).message).toContain('Harness-Session header');

      const headers = await session();
      const agents = await httpRpc(server.url, { jsonrpc: '2.0', id: 2, method: 'agent_list' }, headers);
      expect(result(agents.json)['default_agent']).toBeTypeOf('string');

      // A call without the header is its principal's (this token's): the usage guide's separate curl
      // calls share the handshake `session()` made without a header.
      const sameToken = await httpRpc(server.url, { jsonrpc: '2.0', id: 3, method: 'agent_list' }, auth);
      expect(result(sameToken.json)['default_agent']).toBeTypeOf('string');
      // A repeated `initialize` without the header answers again and interrupts nobody's calls.
      const reinit = await httpRpc(server.url, { jsonrpc: '2.0', id: 5, method: 'initialize' }, auth);
      expect(result(reinit.json)['session_id']).toBe(headers['harness-session']);
      const still = await httpRpc(server.url, { jsonrpc: '2.0', id: 6, method: 'agent_list' }, auth);
      expect(result(still.json)['default_agent']).toBeTypeOf('string');
      // However the header spells the scheme, it is the same token: the same session.
      const spelled = await httpRpc(
        server.url,
        { jsonrpc: '2.0', id: 7, method: 'agent_list' },
        { authorization: `bearer   ${TOKEN}` },
      );
      expect(result(spelled.json)['default_agent']).toBeTypeOf('string');
      // The session the header names answers as before.
      const named = await httpRpc(server.url, { jsonrpc: '2.0', id: 8, method: 'agent_list' }, headers);
      expect(result(named.json)['default_agent']).toBeTypeOf('string');
      // A made-up session id opens nothing either.
      const forged = await httpRpc(
        server.url,
        { jsonrpc: '2.0', id: 4, method: 'agent_list' },
        { ...auth, 'harness-session': '00000000-0000-4000-8000-000000000000' },
      );
      expect(errorOf(forged.json).message).toContain('unknown or expired session');
      expect(errorOf(forged.json).message).toContain('Harness-Session');
      // The call's own id, so a client can settle it.
      expect(forged.json).toMatchObject({ id: 4, error: { code: -32003 } });
    });

    it('answers a batch under an unknown session with an array, each call under its own id', async () => {
      const forged = { ...auth, 'harness-session': '00000000-0000-4000-8000-000000000000' };
      const batch = await httpRpc(
        server.url,
        [
          { jsonrpc: '2.0', id: 'x', method: 'agent_list' },
          { jsonrpc: '2.0', method: 'initialized' },
          { jsonrpc: '2.0', id: 7, method: 'gc_status' },
        ],
        forged,
      );
      expect((batch.json as RpcMessage[]).map((a) => [a.id, a.error?.code])).toEqual([
        ['x', -32003],
        [7, -32003],
      ]);
      // Only notifications: nothing to answer.
      const quiet = await httpRpc(server.url, [{ jsonrpc: '2.0', method: 'initialized' }], forged);
      expect(quiet.status).toBe(204);
    });

    it("takes the original harness's project_id and project_root for project (null: the default project)", async () => {
      const headers = await session();
      const load = async (params: unknown) =>
        (await httpRpc(server.url, { jsonrpc: '2.0', id: 9, method: 'rule_load', params }, headers)).json as RpcMessage;
      const byName = result(await load({ project: 'app' }));
      expect(result(await load({ project_id: null }))).toEqual(byName);
      expect(result(await load({ project_id: 'app' }))).toEqual(byName);
      expect(result(await load({ project_root: server.repo.path }))).toEqual(byName);
      const both = await load({ project: 'app', project_id: 'other' });
      expect(both.error).toMatchObject({ code: -32602 });
      expect(both.error?.message).toContain('give the project once');
    });

    it('answers a batch over the size limit with an array of errors under each call id', async () => {
      const headers = await session();
      const calls = Array.from({ length: 101 }, (_, i) => ({ jsonrpc: '2.0', id: i, method: 'gc_status' }));
      const res = await httpRpc(server.url, calls, headers);
      const answers = res.json as RpcMessage[];
      expect(answers.map((a) => a.id)).toEqual(calls.map((c) => c.id));
      expect(answers.every((a) => a.error?.code === -32600)).toBe(true);
    });

    it('answers a parse error with -32700 and id null, never an HTTP error', async () => {
      const res = await httpRpc(server.url, '{"jsonrpc": "2.0", "id": 1, "method": ', auth);
      expect(res.status).toBe(200);
      expect(res.json).toMatchObject({ id: null, error: { code: -32700 } });
    });

    it('answers a batch entry by entry, an invalid entry with -32600, and notifications not at all', async () => {
      const headers = await session();
      const res = await httpRpc(
        server.url,
        [
          { jsonrpc: '2.0', id: 'a', method: 'gc_status' },
          42,
          { jsonrpc: '1.0', id: 'b', method: 'gc_status' },
          { jsonrpc: '2.0', method: 'gc_status' },
          { jsonrpc: '2.0', id: 'c', method: 'no_such_method' },
          { jsonrpc: '2.0', id: 'd', method: 'task_get', params: { task_id: 7 } },
        ],
        headers,
      );
      expect(Array.isArray(res.json)).toBe(true);
      const answers = res.json as RpcMessage[];
      expect(answers.map((a) => [a.id, a.error?.code ?? 'ok'])).toEqual([
        ['a', 'ok'],
        [null, -32600],
        ['b', -32600],
        ['c', -32601],
        ['d', -32602],
      ]);
      expect(answers[4]?.error?.message).toContain('task_id must be a string');
    });

    it('submits a task and reads it back with the same answers as REST', async () => {
      const headers = await session();
      const submitted = await httpRpc(
        server.url,
        { jsonrpc: '2.0', id: 1, method: 'task_submit', params: { prompt: 'Add f.txt', project: 'app' } },
        headers,
      );
      const taskId = String(result(submitted.json)['task_id']);
      const got = await httpRpc(
        server.url,
        { jsonrpc: '2.0', id: 2, method: 'task_get', params: { task_id: taskId.slice(0, 8) } },
        headers,
      );
      expect(result(got.json)).toMatchObject({ id: taskId, project: 'app' });
      const rest = (await (await fetch(`${server.url}/tasks/${taskId}`, { headers: auth })).json()) as {
        id: string;
      };
      expect(rest.id).toBe(taskId);
      // Unknown fields are refused, as in POST /tasks.
      const bad = await httpRpc(
        server.url,
        { jsonrpc: '2.0', id: 3, method: 'task_submit', params: { prompt: 'x', sneaky: true } },
        headers,
      );
      expect(errorOf(bad.json)).toMatchObject({ code: -32602 });
      expect(errorOf(bad.json).message).toContain('sneaky');
      // Subscribing needs a transport that can push.
      const subscribe = await httpRpc(
        server.url,
        { jsonrpc: '2.0', id: 4, method: 'task_subscribe', params: { task_id: taskId } },
        headers,
      );
      expect(errorOf(subscribe.json).code).toBe(-32010);
    });
  });

  describe('/ws', () => {
    it('refuses an upgrade without the token, and from another site', async () => {
      await expect(WsRpcClient.connect(server.url)).rejects.toThrow('401');
      await expect(WsRpcClient.connect(server.url, { ...auth, origin: 'https://evil.example' })).rejects.toThrow('403');
    });

    it('answers only the connection that completed its handshake', async () => {
      const a = await WsRpcClient.connect(server.url, auth);
      const b = await WsRpcClient.connect(server.url, auth);
      try {
        await a.handshake();
        expect((await a.call('agent_list')).result).toBeDefined();
        expect((await b.call('agent_list')).error?.code).toBe(-32003);
        // `initialized` before `initialize` is an invalid request; b stays closed.
        expect((await b.call('initialized')).error?.code).toBe(-32600);
        expect((await b.call('agent_list')).error?.code).toBe(-32003);
      } finally {
        await a.close();
        await b.close();
      }
    });

    it('pushes the status changes and agent events of a submitted task until it is done', async () => {
      const client = await WsRpcClient.connect(server.url, auth);
      try {
        await client.handshake();
        const submitted = await client.call('task_submit', { prompt: 'Add f.txt', project: 'app' });
        const taskId = String(submitted.result?.['task_id']);
        const end = await client.waitFor(
          (n) =>
            n.method === 'task/event' &&
            n.params?.['task_id'] === taskId &&
            (n.params['event'] as { kind: string }).kind === 'end',
        );
        expect((end.params?.['event'] as { data: { status: string } }).data.status).toBe('done');
        const statuses = client.notifications
          .filter((n) => n.method === 'task/status_changed' && n.params?.['task_id'] === taskId)
          .map((n) => n.params?.['to']);
        expect(statuses[0]).toBe('queued');
        expect(statuses.at(-1)).toBe('done');
        expect(
          client.notifications.some(
            (n) => n.method === 'task/event' && (n.params?.['event'] as { kind: string }).kind === 'agent',
          ),
        ).toBe(true);
        // Sequence numbers arrive in order with no repeat.
        const seqs = client.notifications
          .filter((n) => n.method === 'task/event' && n.params?.['task_id'] === taskId)
          .map((n) => (n.params?.['event'] as { seq: number }).seq);
        expect(seqs).toEqual([...new Set(seqs)].sort((x, y) => x - y));
      } finally {
        await client.close();
      }
    });

    it('edits an exec plan, and a task linked to a milestone ticks it when done', async () => {
      const client = await WsRpcClient.connect(server.url, auth);
      try {
        await client.handshake();
        const init = await client.call('exec_plan_init', {
          spec: '# Ship the parser\n\n## Milestones\n- [ ] Tokenizer\n- [ ] Grammar\n',
          project: 'app',
        });
        const plan = init.result?.['plan'] as { id: string; purpose: string; status: string };
        expect(plan).toMatchObject({ purpose: 'Ship the parser', status: 'draft' });
        expect(init.result?.['markdown']).toContain('# ExecPlan: Ship the parser');
        const activated = await client.call('exec_plan_update', { plan_id: plan.id, update: { action: 'activate' } });
        expect((activated.result?.['plan'] as { status: string }).status).toBe('active');
        const bad = await client.call('exec_plan_update', { plan_id: plan.id, update: { action: 'explode' } });
        expect(bad.error?.code).toBe(-32602);
        // Half a link is refused before anything is queued.
        const half = await client.call('task_submit', { prompt: 'x', plan_id: plan.id });
        expect(half.error?.message).toContain('plan_id and milestone together');

        const submitted = await client.call('task_submit', {
          prompt: 'Add f.txt',
          project: 'app',
          plan_id: plan.id,
          milestone: 0,
        });
        const taskId = String(submitted.result?.['task_id']);
        await client.waitFor(
          (n) =>
            n.method === 'task/event' &&
            n.params?.['task_id'] === taskId &&
            (n.params['event'] as { kind: string }).kind === 'end',
        );
        // The tick follows the task's end event: poll briefly.
        let progress: unknown;
        for (let i = 0; i < 50; i += 1) {
          const status = await client.call('exec_plan_status', { plan_id: plan.id.slice(0, 8) });
          progress = status.result?.['progress'];
          if ((progress as { done: number }).done === 1) break;
          await new Promise((r) => setTimeout(r, 100));
        }
        expect(progress).toEqual({ done: 1, total: 2 });
      } finally {
        await client.close();
      }
    });

    it('a long call does not hold the messages after it: they are answered while it runs', async () => {
      const client = await WsRpcClient.connect(server.url, auth);
      try {
        await client.handshake();
        const order: string[] = [];
        // A cross review runs an agent: it takes far longer than listing the methods.
        const review = client.call('cross_review', { project: 'app' }).then((answer) => {
          order.push('cross_review');
          return answer;
        });
        const methods = client.call('methods').then((answer) => {
          order.push('methods');
          return answer;
        });
        await Promise.all([review, methods]);
        expect(order).toEqual(['methods', 'cross_review']);
        expect((await review).result ?? (await review).error).toBeDefined();
      } finally {
        await client.close();
      }
    });

    it('answers gc_run and learn_rules when done (the report), with progress notifications on the way', async () => {
      const client = await WsRpcClient.connect(server.url, auth);
      try {
        await client.handshake();
        const report = await client.call('gc_run', { project: 'app' });
        expect(report.result).toMatchObject({ project: 'app' });
        const progress = client.notifications.filter((n) => n.method === 'job/progress');
        expect(progress.length).toBeGreaterThan(0);
        expect(progress[0]?.params).toMatchObject({ kind: 'gc_run' });
        // Blocking calls do not also announce their end.
        expect(client.notifications.some((n) => n.method === 'job/completed')).toBe(false);
        const learned = await client.call('learn_rules', { project_root: server.repo.path });
        expect(learned.result).toMatchObject({ project: 'app' });
        expect(learned.error).toBeUndefined();
        const wrong = await client.call('learn_skills', { project: 'app', async: 'yes' });
        expect(wrong.error).toMatchObject({
          code: -32602,
          message: expect.stringContaining('async must be true or false') as string,
        });
      } finally {
        await client.close();
      }
    });

    it('runs gc_run as a job with async: an id at once, then job/completed with the report', async () => {
      const client = await WsRpcClient.connect(server.url, auth);
      try {
        await client.handshake();
        const started = await client.call('gc_run', { project: 'app', async: true });
        const jobId = String(started.result?.['job_id']);
        expect(started.result?.['status']).toBe('running');
        const done = await client.waitFor((n) => n.method === 'job/completed' && n.params?.['job_id'] === jobId);
        expect(done.params).toMatchObject({ kind: 'gc_run', status: 'done', result: { project: 'app' } });
        const status = await client.call('job_status', { job_id: jobId });
        expect(status.result).toMatchObject({ job_id: jobId, status: 'done' });
      } finally {
        await client.close();
      }
    });
  });
});

/** One call of the shared method set, and what its answer must hold on every transport. */
const METHOD_SET: readonly { method: string; params?: unknown; check: (result: Record<string, unknown>) => void }[] = [
  {
    method: 'agent_list',
    check: (r) => {
      expect(r['default_agent']).toBeTypeOf('string');
    },
  },
  {
    method: 'task_list',
    params: { limit: 5 },
    check: (r) => {
      expect(r).toMatchObject({ limit: 5, offset: 0 });
    },
  },
  {
    method: 'gc_status',
    check: (r) => {
      expect(r['counts']).toMatchObject({ pending: 0 });
    },
  },
  {
    method: 'gc_drafts',
    params: { project: 'app' },
    check: (r) => {
      expect(r['drafts']).toEqual([]);
    },
  },
  {
    method: 'skill_list',
    params: { query: 'review' },
    check: (r) => {
      expect(r['skills']).not.toEqual([]);
    },
  },
  {
    method: 'skill_get',
    params: { skill_id: 'builtin:review' },
    check: (r) => {
      expect(r['content']).toBeTypeOf('string');
    },
  },
  {
    method: 'rule_load',
    params: { project: 'app' },
    check: (r) => {
      expect(r['rules_count']).toBeGreaterThan(0);
    },
  },
  {
    method: 'rule_check',
    params: { project: 'app' },
    check: (r) => {
      expect(r['scan_id']).toBeTypeOf('string');
    },
  },
  {
    method: 'health_check',
    params: { project: 'app' },
    check: (r) => {
      expect(r['grade']).toBeTypeOf('string');
    },
  },
  {
    method: 'event_query',
    params: { hook: 'rule_scan', limit: 5 },
    check: (r) => {
      expect(r['events']).not.toEqual([]);
    },
  },
  {
    method: 'exec_plan_list',
    check: (r) => {
      expect(r['plans']).toBeInstanceOf(Array);
    },
  },
  {
    method: 'methods',
    check: (r) => {
      expect(r['methods']).toEqual(
        expect.arrayContaining(['gc_run', 'learn_rules', 'learn_skills', 'exec_plan_init', 'task_cancel']),
      );
    },
  },
];

describe('the same method set on HTTP, WebSocket and stdio', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer();
  });
  afterAll(async () => {
    await server.close();
  });

  async function expectMethodSet(call: (method: string, params?: unknown) => Promise<RpcMessage>): Promise<void> {
    for (const { method, params, check } of METHOD_SET) {
      const answer = await call(method, params);
      expect(answer.error, `${method}: ${JSON.stringify(answer.error)}`).toBeUndefined();
      check(answer.result ?? {});
    }
  }

  it('over POST /rpc', async () => {
    const init = await httpRpc(server.url, { jsonrpc: '2.0', id: 0, method: 'initialize' });
    const headers = { 'harness-session': String((init.json as RpcMessage).result?.['session_id']) };
    await httpRpc(server.url, { jsonrpc: '2.0', method: 'initialized' }, headers);
    let id = 1;
    await expectMethodSet(
      async (method, params) =>
        (
          await httpRpc(
            server.url,
            { jsonrpc: '2.0', id: id++, method, ...(params === undefined ? {} : { params }) },
            headers,
          )
        ).json as RpcMessage,
    );
  });

  it('over /ws', async () => {
    const client = await WsRpcClient.connect(server.url);
    try {
      await client.handshake();
      await expectMethodSet((method, params) => client.call(method, params));
    } finally {
      await client.close();
    }
  });

  it('over stdio', async () => {
    const data = await createTempDataDir();
    const repo = await createTempGitRepo();
    const input = new PassThrough();
    const output = new PassThrough();
    const stdio = await bootstrapStdio(
      testConfig(
        { data_dir: data.path },
        `[agents.claude]\ncli_path = ${JSON.stringify(join(FAKE_AGENT_BIN_DIR, 'claude'))}\n${fakeAgentToml('claude', { text: 'ok' })}[[projects]]\nname = "app"\nroot = ${JSON.stringify(repo.path)}\n`,
      ),
      {
        env: { PATH: process.env['PATH'], ...repo.gitEnv },
        input,
        output,
        schedulers: false,
      },
    );
    const answers = new Map<number, (m: RpcMessage) => void>();
    let buffer = '';
    output.setEncoding('utf8');
    output.on('data', (chunk: string) => {
      buffer += chunk;
      for (let nl = buffer.indexOf('\n'); nl !== -1; nl = buffer.indexOf('\n')) {
        const message = JSON.parse(buffer.slice(0, nl)) as RpcMessage;
        buffer = buffer.slice(nl + 1);
        if (typeof message.id === 'number') answers.get(message.id)?.(message);
      }
    });
    let id = 1;
    const call = (method: string, params?: unknown) =>
      new Promise<RpcMessage>((resolve) => {
        const n = id++;
        answers.set(n, resolve);
        input.write(
          `${JSON.stringify({ jsonrpc: '2.0', id: n, method, ...(params === undefined ? {} : { params }) })}\n`,
        );
      });
    try {
      await call('initialize');
      await call('initialized');
      await expectMethodSet(call);
    } finally {
      input.end();
      await stdio.finished;
      await stdio.close();
      await repo.cleanup();
      await data.cleanup();
    }
  });
});

describe('the operations answer the same over JSON-RPC as over REST', () => {
  let server: TestServer;
  // The agent hangs: a task stays where the test puts it.
  beforeAll(async () => {
    server = await startTestServer({ token: TOKEN, scenario: { hang: 'after_init' } });
  });
  afterAll(async () => {
    await server.close();
  });

  it('the same input checks and the same body, operation by operation', async () => {
    const init = await httpRpc(server.url, { jsonrpc: '2.0', id: 0, method: 'initialize' }, auth);
    const headers = { ...auth, 'harness-session': String(result(init.json)['session_id']) };
    await httpRpc(server.url, { jsonrpc: '2.0', method: 'initialized' }, headers);
    let id = 1;
    const call = async (method: string, params: unknown) =>
      (await httpRpc(server.url, { jsonrpc: '2.0', id: id++, method, params }, headers)).json;
    const rest = async (path: string): Promise<unknown> =>
      (await fetch(`${server.url}${path}`, { headers: auth })).json();

    expect(result(await call('usage_report', { since: 'today' }))).toEqual(await rest('/api/usage?since=today'));
    expect(result(await call('project_list', {}))).toEqual(await rest('/api/projects'));
    expect(result(await call('review_list', { limit: 5 }))).toEqual(await rest('/api/reviews?limit=5'));
    // Heartbeats move between two reads: the servers and who answered are what must agree.
    const fleet = result(await call('fleet_status', {}));
    const fleetRest = (await rest('/api/fleet')) as { self: string; servers: { id: string }[] };
    expect(fleet['self']).toBe(fleetRest.self);
    expect((fleet['servers'] as { id: string }[]).map((s) => s.id)).toEqual(fleetRest.servers.map((s) => s.id));
    const notAProject = errorOf(await call('project_remove', { name: '../etc' }));
    expect(notAProject.code).toBe(-32602);
    const badDay = errorOf(await call('usage_report', { since: 'yesterday' }));
    expect(badDay.code).toBe(-32602);
    expect(badDay.message).toContain('since must be a day, YYYY-MM-DD, or "today"');
    // A plan link needs both halves, and is refused before anything is queued.
    const half = errorOf(await call('task_submit', { prompt: 'x', plan_id: 'abcd' }));
    expect(half.message).toContain('give plan_id and milestone together');

    const batch = result(await call('task_submit_batch', { project: 'app', tasks: [{ prompt: 'one' }] }));
    const [entry] = batch as unknown as { task_id: string; status: string }[];
    expect(entry?.status).toMatch(/^(running|queued)$/);
    const taskId = String(entry?.task_id);

    const cancelled = result(await call('task_cancel', { task_id: taskId }));
    // The task as POST /tasks/:id/cancel answers it, plus the task_id older clients read.
    expect(cancelled).toMatchObject({ task_id: taskId, id: taskId, status: 'cancelled' });
    expect(cancelled['history']).toEqual(((await rest(`/tasks/${taskId}`)) as { history: unknown }).history);

    expect(result(await call('task_get', { task_id: taskId }))).toEqual(await rest(`/tasks/${taskId}`));
    const page = result(await call('task_list', { status: 'cancelled', limit: 1 }));
    expect(page).toEqual(await rest('/tasks?status=cancelled&limit=1'));
    expect(page['tasks']).toMatchObject([{ id: taskId }]);
  });
});

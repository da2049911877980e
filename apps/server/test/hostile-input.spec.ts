import { connect } from 'node:net';
import type { ErrorBody } from '@agent-harness/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  isErrorBody,
  rawRequest,
  send,
  startTestServer,
  type ReadResponse,
  type TestServer,
} from './support/test-server.js';

/** Writes raw bytes to the server and reads until it closes the connection. */
function rawExchange(url: string, bytes: string): Promise<string> {
  const target = new URL(url);
  return new Promise((resolve, reject) => {
    const socket = connect({ host: target.hostname, port: Number(target.port) }, () => socket.end(bytes));
    let text = '';
    socket.setTimeout(10_000, () => socket.destroy(new Error('no answer')));
    socket.on('data', (c: Buffer) => (text += c.toString('utf8')));
    socket.on('end', () => {
      resolve(text);
    });
    socket.on('error', reject);
  });
}

// Each case was a 500, a hang or a silent acceptance before the HTTP surface was hardened.
describe('HTTP server against hostile input (in-process server on 127.0.0.1)', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer();
  });
  afterAll(async () => {
    await server.close();
  });

  const post = (path: string, body: string, headers: Record<string, string> = {}): Promise<ReadResponse> =>
    send(`${server.url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body });
  const expectError = (res: ReadResponse, status: number, code: string, message?: string | RegExp): void => {
    expect(res.status, res.text).toBe(status);
    expect(isErrorBody(res.json), res.text).toBe(true);
    expect((res.json as ErrorBody).error.code).toBe(code);
    if (message !== undefined) expect((res.json as ErrorBody).error.message).toMatch(message);
  };

  it('refuses deeply nested JSON before parsing it (it overflowed the stack: 500)', async () => {
    const deep = `${'['.repeat(1400)}${']'.repeat(1400)}`;
    expectError(await post('/tasks', deep), 400, 'INVALID_ARGUMENT', /nests deeper than 32 levels/);
    expectError(
      await post('/tasks', `{"prompt":"x","a":${'{"a":'.repeat(40)}1${'}'.repeat(40)}}`),
      400,
      'INVALID_ARGUMENT',
      /nests deeper/,
    );
    // Brackets inside strings are text, not nesting.
    const res = await post('/tasks', JSON.stringify({ prompt: '['.repeat(5000), project: 'nope' }));
    expectError(res, 400, 'INVALID_ARGUMENT', /unknown project/);
  });

  it('answers 413 for bodies over the limit, whether their length is announced or not', async () => {
    const big = JSON.stringify({ prompt: 'x'.repeat(1_100_000) });
    expectError(await post('/tasks', big), 413, 'PAYLOAD_TOO_LARGE');
    const chunked = await rawRequest(server.url, {
      method: 'POST',
      path: '/tasks',
      headers: { 'content-type': 'application/json', 'transfer-encoding': 'chunked' },
      body: big,
    });
    expectError(chunked, 413, 'PAYLOAD_TOO_LARGE');
    // The largest prompt, every character escaped, still fits.
    const escaped = `{"project":"nope","prompt":"${'\\u00e9'.repeat(100_000)}"}`;
    expectError(await post('/tasks', escaped), 400, 'INVALID_ARGUMENT', /unknown project/);
  });

  it('refuses numbers out of range instead of passing them to SQLite or storing them lossily', async () => {
    expectError(
      await send(`${server.url}/tasks?offset=1e19`),
      400,
      'INVALID_ARGUMENT',
      /^offset must be an integer from 0 to/,
    );
    expectError(await send(`${server.url}/tasks?offset=10000000000000000000`), 400, 'INVALID_ARGUMENT');
    expectError(await send(`${server.url}/tasks?limit=0x10`), 400, 'INVALID_ARGUMENT');
    expectError(await send(`${server.url}/tasks?limit=1&limit=2`), 400, 'INVALID_ARGUMENT');
    expect((await send(`${server.url}/tasks?limit=200&offset=1000000000`)).status).toBe(200);
    for (const body of [{ issue: 1e19 }, { issue: 2147483648 }, { pr: 2 ** 53 }, { pr: 1.5 }]) {
      expectError(
        await post('/tasks', JSON.stringify({ project: 'app', ...body })),
        400,
        'INVALID_ARGUMENT',
        /must be a positive integer \(at most 2147483647\)/,
      );
    }
    expectError(
      await post('/tasks/batch', JSON.stringify({ project: 'app', issues: [1, 1e19] })),
      400,
      'INVALID_ARGUMENT',
      /issues must be positive integers/,
    );
  });

  it('treats null as invalid wherever a value is given (it ran an agent on an empty prompt)', async () => {
    expectError(await post('/tasks', '{"prompt":null}'), 400, 'INVALID_ARGUMENT', /^prompt must be a string$/);
    expectError(await post('/tasks', '{"issue":null}'), 400, 'INVALID_ARGUMENT', /issue must be a positive integer/);
    expectError(await post('/tasks', '{"pr":null}'), 400, 'INVALID_ARGUMENT', /pr must be a positive integer/);
    expectError(
      await post('/tasks', '{"prompt":"x","project":null}'),
      400,
      'INVALID_ARGUMENT',
      /project must be a string/,
    );
    expectError(
      await post('/tasks/batch', '{"project":null,"issues":[1]}'),
      400,
      'INVALID_ARGUMENT',
      /project must be a string/,
    );
    const nested = await post('/tasks/batch', '{"tasks":[{"prompt":"x","project":null}]}');
    expectError(nested, 400, 'INVALID_ARGUMENT', /project must be a string/);
    expect((nested.json as ErrorBody).error.details).toEqual({
      problems: [{ path: 'tasks.0.project', message: 'project must be a string' }],
    });
    expectError(await post('/tasks/batch', '{"tasks":[null]}'), 400, 'INVALID_ARGUMENT');
    expectError(
      await post('/api/projects', JSON.stringify({ name: 'p', root: server.repo.path, active: null })),
      400,
      'INVALID_ARGUMENT',
      /active/,
    );
  });

  it('refuses a body field a path-only action does not take (cancel, approve): never ignored', async () => {
    for (const action of ['cancel', 'approve', 'reject', 'follow-up']) {
      expectError(
        await post(`/tasks/00000000-0000-4000-8000-000000000000/${action}`, JSON.stringify({ prompt: 'x', x: 1 })),
        400,
        'INVALID_ARGUMENT',
        /property x should not exist/,
      );
      expectError(
        await post(`/tasks/00000000-0000-4000-8000-000000000000/${action}`, JSON.stringify({ task_id: 'ffffffff' })),
        400,
        'INVALID_ARGUMENT',
        /task_id is in the path/,
      );
    }
    // An empty body (or none) is what they take: then the unknown task is a 404.
    expectError(await post('/tasks/00000000-0000-4000-8000-000000000000/approve', '{}'), 404, 'NOT_FOUND');
  });

  it('refuses NUL characters in text fields', async () => {
    for (const field of ['prompt', 'description', 'agent', 'model', 'project']) {
      const body = { prompt: 'x', [field]: 'a\u0000b' };
      expectError(
        await post('/tasks', JSON.stringify(body)),
        400,
        'INVALID_ARGUMENT',
        new RegExp(`^${field} must not contain NUL characters$`),
      );
    }
  });

  it('takes only JSON objects as bodies: 415 for forms and other types, 400 for bad JSON and non-objects', async () => {
    expectError(
      await send(`${server.url}/tasks`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: 'prompt=x&project=app',
      }),
      415,
      'UNSUPPORTED_MEDIA_TYPE',
    );
    expectError(
      await send(`${server.url}/tasks`, {
        method: 'POST',
        headers: { 'content-type': 'text/plain' },
        body: '{"prompt":"x"}',
      }),
      415,
      'UNSUPPORTED_MEDIA_TYPE',
    );
    expectError(
      await send(`${server.url}/tasks`, { method: 'POST', body: new Blob(['{"prompt":"x"}']) }),
      415,
      'UNSUPPORTED_MEDIA_TYPE',
    );
    expectError(await post('/tasks', '{not json'), 400, 'INVALID_ARGUMENT', /not valid JSON/);
    expectError(await post('/tasks', '[{"prompt":"x"}]'), 400, 'INVALID_ARGUMENT', /must be a JSON object/);
    expectError(await post('/tasks', 'null'), 400, 'INVALID_ARGUMENT', /must be a JSON object/);
    expectError(
      await post('/tasks', Buffer.from([0x7b, 0xff, 0x7d]).toString('latin1'), {
        'content-type': 'application/json; charset=latin1',
      }),
      415,
      'UNSUPPORTED_MEDIA_TYPE',
    );
    expectError(
      await post('/tasks', '{"__proto__":{"prompt":"x"},"project":"app"}'),
      400,
      'INVALID_ARGUMENT',
      /__proto__/,
    );
  });

  it("answers requests Node cannot parse as HTTP in the same shape (Node's own answer is an empty 400)", async () => {
    for (const bytes of [
      `GET /health HTTP/1.1\r\nHost: ${server.host}\r\nX-Bad: a\u0001b\r\n\r\n`,
      'NOT HTTP AT ALL\r\n\r\n',
      `GET /health HTTP/1.1\r\nHost: ${server.host}\r\nX-Big: ${'x'.repeat(20_000)}\r\n\r\n`,
    ]) {
      const answer = await rawExchange(server.url, bytes);
      expect(answer).toMatch(/^HTTP\/1\.1 4(00|31) /);
      const body: unknown = JSON.parse(answer.slice(answer.indexOf('\r\n\r\n') + 4));
      expect(isErrorBody(body), answer).toBe(true);
    }
  });

  it('gives every error one shape: unknown routes, wrong methods, bad path encoding, bad Last-Event-ID', async () => {
    expectError(await send(`${server.url}/nothing-here`), 404, 'NOT_FOUND');
    expectError(await send(`${server.url}/health`, { method: 'DELETE' }), 404, 'NOT_FOUND');
    expectError(await send(`${server.url}/tasks/%E0%A4%A/stream`), 400, 'INVALID_ARGUMENT');
    for (const id of ['abc', '-1', '1e3', '99999999999999999999', '0x10']) {
      expectError(
        await send(`${server.url}/tasks/any-task/stream`, { headers: { 'last-event-id': id } }),
        400,
        'INVALID_ARGUMENT',
        /Last-Event-ID/,
      );
    }
  });
});

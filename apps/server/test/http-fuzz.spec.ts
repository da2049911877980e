import { request } from 'node:http';
import type { CreateTaskResponse } from '@agent-harness/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MAX_BODY_BYTES } from '../src/http/json-body.js';
import { hostileRequest, seededRandom, type HostileRequest, type Targets } from './support/hostile-requests.js';
import { isErrorBody, send, startTestServer, type TestServer } from './support/test-server.js';

// A bounded, deterministic fuzz of the whole HTTP surface, on 127.0.0.1 only: thousands of hostile
// requests, none of which may get a 5xx, a hang, or an error body of another shape.
const SEED = 0x5eed_0009;
const REQUESTS = 4000;
const PARALLEL = 8;
const REQUEST_TIMEOUT_MS = 10_000;

interface Outcome {
  readonly status: number;
  readonly contentType: string;
  readonly text: string;
  /** The connection was reset before an answer (allowed only for bodies over the limit). */
  readonly reset: boolean;
}

/** Sends one request exactly as generated; an event stream is closed once its headers arrive. */
function fire(url: string, r: HostileRequest): Promise<Outcome> {
  const target = new URL(url);
  return new Promise((resolve, reject) => {
    let answered = false;
    const req = request(
      {
        host: target.hostname,
        port: target.port,
        method: r.method,
        path: r.path,
        headers: r.headers,
        setHost: false,
        timeout: REQUEST_TIMEOUT_MS,
      },
      (res) => {
        answered = true;
        const contentType = res.headers['content-type'] ?? '';
        if (contentType.startsWith('text/event-stream')) {
          res.destroy();
          resolve({ status: res.statusCode ?? 0, contentType, text: '', reset: false });
          return;
        }
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          resolve({
            status: res.statusCode ?? 0,
            contentType,
            text: Buffer.concat(chunks).toString('utf8'),
            reset: false,
          });
        });
        res.on('error', reject);
      },
    );
    req.on('timeout', () => {
      req.destroy(new Error(`no answer within ${String(REQUEST_TIMEOUT_MS)} ms`));
    });
    req.on('error', (error: NodeJS.ErrnoException) => {
      if (answered) return;
      if (error.code === 'ECONNRESET' || error.code === 'EPIPE')
        resolve({ status: 0, contentType: '', text: '', reset: true });
      else reject(error);
    });
    req.end(r.body);
  });
}

function describeRequest(r: HostileRequest): string {
  const body = r.body === undefined ? '' : ` body(${String(r.body.length)}): ${r.body.slice(0, 200)}`;
  return `${r.method} ${r.path.slice(0, 200)} ${JSON.stringify(r.headers).slice(0, 300)}${body}`;
}

/** Problems with one answer, or none. */
function problemsWith(r: HostileRequest, outcome: Outcome): string[] {
  if (outcome.reset) return Buffer.byteLength(r.body ?? '') > MAX_BODY_BYTES ? [] : ['connection reset'];
  const problems: string[] = [];
  if (outcome.status >= 500 || outcome.status < 200) problems.push(`status ${String(outcome.status)}`);
  if (outcome.status >= 400 && r.method !== 'HEAD') {
    let json: unknown;
    try {
      json = JSON.parse(outcome.text);
    } catch {
      json = undefined;
    }
    if (!outcome.contentType.startsWith('application/json') || !isErrorBody(json))
      problems.push(`error body of another shape: ${outcome.text.slice(0, 200)}`);
  }
  return problems;
}

async function fuzz(
  server: TestServer,
  targets: Targets,
  count: number,
  seed: number,
): Promise<{ failures: string[]; statuses: Map<number, number> }> {
  const random = seededRandom(seed);
  const requests = Array.from({ length: count }, () => hostileRequest(random, targets));
  const failures: string[] = [];
  const statuses = new Map<number, number>();
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < requests.length) {
      const r = requests[next++];
      if (r === undefined) return;
      try {
        const outcome = await fire(server.url, r);
        statuses.set(outcome.status, (statuses.get(outcome.status) ?? 0) + 1);
        for (const problem of problemsWith(r, outcome)) failures.push(`${problem} <- ${describeRequest(r)}`);
      } catch (error) {
        failures.push(`${error instanceof Error ? error.message : String(error)} <- ${describeRequest(r)}`);
      }
    }
  };
  await Promise.all(Array.from({ length: PARALLEL }, worker));
  return { failures, statuses };
}

async function healthLatencies(server: TestServer, count: number): Promise<number[]> {
  const times: number[] = [];
  for (let i = 0; i < count; i++) {
    const started = performance.now();
    const res = await send(`${server.url}/health`);
    times.push(performance.now() - started);
    expect(res.json).toMatchObject({ status: 'ok' });
  }
  return times.sort((a, b) => a - b);
}

describe('HTTP fuzz (deterministic seed, bounded, loopback only)', () => {
  let server: TestServer;
  let targets: Targets;
  /** The median /health time of this server before any abuse, on this machine, in this run. */
  let baseline: number;
  beforeAll(async () => {
    // Agents that fail at once: a request that does queue a task costs a worktree, not a model.
    server = await startTestServer({ scenario: { exitCode: 1, outcome: 'error' } });
    const created = await send(`${server.url}/tasks`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ project: 'app', prompt: 'seed task' }),
    });
    const id = (created.json as CreateTaskResponse).task_id;
    targets = {
      host: server.host,
      taskIds: [id],
      projects: ['app', 'nope'],
      roots: [server.repo.path, server.dataDir.path, '/', '.', '/etc/passwd'],
    };
    baseline = (await healthLatencies(server, 20))[10] ?? 0;
  });
  afterAll(async () => {
    await server.close();
  });

  it(`answers ${String(REQUESTS)} hostile requests without a 5xx, a hang or another error shape`, async () => {
    const { failures, statuses } = await fuzz(server, targets, REQUESTS, SEED);
    expect(
      failures.slice(0, 20),
      `${String(failures.length)} failures; statuses ${JSON.stringify([...statuses])}`,
    ).toEqual([]);
    // The run reached past the guards: validation, routing and the controllers all answered.
    for (const status of [200, 400, 403, 404, 413, 415])
      expect(statuses.get(status) ?? 0, `status ${String(status)}`).toBeGreaterThan(0);
  });

  it('is healthy afterwards, about as quick as before', async () => {
    const times = await healthLatencies(server, 20);
    // Relative to this run's own baseline (machines are shared and noisy), with a floor.
    expect(times[10] ?? Infinity).toBeLessThan(Math.max(5 * baseline, 100));
  });

  it('keeps /health fast while 8 senders push deeply nested bodies just under the size limit', async () => {
    const bomb = `${'['.repeat(500_000)}${']'.repeat(500_000)}`;
    let sending = true;
    const sender = async (): Promise<number> => {
      let sent = 0;
      while (sending && sent < 50) {
        const res = await send(`${server.url}/tasks`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: bomb,
        });
        expect(res.status).toBe(400);
        sent++;
      }
      return sent;
    };
    const senders = Array.from({ length: 8 }, sender);
    const times = await healthLatencies(server, 20);
    sending = false;
    expect((await Promise.all(senders)).reduce((a, b) => a + b, 0)).toBeGreaterThan(8);
    // It was 2.5 to 8 s when JSON.parse walked such bodies; a stalled event loop is far past this.
    expect(times[10] ?? Infinity).toBeLessThan(Math.max(20 * baseline, 500));
  });

  it('with a token, answers the same requests with 401s and no 5xx', async () => {
    const guarded = await startTestServer({ token: 'fuzz-token-0123456789abcdef' });
    try {
      const { failures, statuses } = await fuzz(guarded, { ...targets, host: guarded.host }, 300, SEED + 1);
      expect(failures.slice(0, 20)).toEqual([]);
      expect(statuses.get(401) ?? 0).toBeGreaterThan(0);
    } finally {
      await guarded.close();
    }
  });
});

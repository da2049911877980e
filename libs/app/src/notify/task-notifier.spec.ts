import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { NotifyConfig } from '@agent-harness/core';
import type { StoredTaskEvent, Task } from '@agent-harness/queue';
import { taskFixture } from '@agent-harness/testing';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { notificationSignature, TaskNotifier } from './task-notifier.js';

interface Received {
  readonly path: string;
  readonly headers: IncomingHttpHeaders;
  readonly body: string;
}

/** A webhook receiver on 127.0.0.1 answering each request with the next status of `answers` (then 200). */
async function receiver(answers: number[] = []): Promise<{ url: string; received: Received[]; server: Server }> {
  const received: Received[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      received.push({ path: req.url ?? '', headers: req.headers, body: Buffer.concat(chunks).toString('utf8') });
      res.writeHead(answers.shift() ?? 200).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${String(port)}`, received, server };
}

const end = (taskId: string): StoredTaskEvent => ({
  taskId,
  seq: 9,
  kind: 'end',
  data: {},
  createdAt: '2026-12-07T10:00:00.000Z',
});

const SECRET = 'notify-secret-0123456789';

describe('TaskNotifier', () => {
  let hook: Awaited<ReturnType<typeof receiver>>;
  let tasks: Map<string, Task>;
  let logs: string[];
  let notifier: TaskNotifier | undefined;

  const make = (endpoints: NotifyConfig[], retryDelaysMs = [20, 20]) => {
    notifier = new TaskNotifier({
      endpoints,
      tasks: { get: (id) => Promise.resolve(tasks.get(id)) },
      publicUrl: 'https://harness.example.com',
      redact: (text) => text.replaceAll('sk-live-secret', '[REDACTED]'),
      logger: { log: (m) => logs.push(m), error: (m) => logs.push(m) },
      retryDelaysMs,
      now: () => new Date('2026-12-07T10:00:01.000Z'),
    });
    return notifier;
  };
  const endpoint = (overrides: Partial<NotifyConfig> = {}): NotifyConfig => ({
    url: `${hook.url}/hook`,
    format: 'json',
    secret: undefined,
    events: ['done', 'failed', 'budget_reached'],
    ...overrides,
  });

  beforeEach(async () => {
    hook = await receiver();
    tasks = new Map();
    logs = [];
  });
  afterEach(async () => {
    await notifier?.close();
    notifier = undefined;
    hook.server.close();
  });

  it('posts a signed JSON body when a task ends, with the task and its page', async () => {
    tasks.set(
      't1',
      taskFixture('t1', {
        status: 'done',
        description: 'Add a CONTRIBUTING.md',
        prUrl: 'https://github.com/o/r/pull/3',
        branch: 'harness/t1-add',
        costUsd: 0.42,
        finishedAt: '2026-12-07T10:00:00.000Z',
      }),
    );
    const n = make([endpoint({ secret: SECRET })]);
    n.taskEvent(end('t1'));
    await n.settled();
    expect(hook.received).toHaveLength(1);
    const [delivery] = hook.received;
    // The receiver checks the signature over the exact bytes, as with GitHub's webhooks.
    expect(delivery?.headers['x-harness-signature-256']).toBe(notificationSignature(SECRET, delivery?.body ?? ''));
    expect(delivery?.headers['x-harness-event']).toBe('done');
    expect(delivery?.headers['content-type']).toBe('application/json');
    const body = JSON.parse(delivery?.body ?? '') as { event: string; delivery: string; task: Record<string, unknown> };
    expect(body.event).toBe('done');
    expect(body.delivery).toBe(delivery?.headers['x-harness-delivery']);
    expect(body.task).toMatchObject({
      id: 't1',
      project: 'app',
      status: 'done',
      title: 'Add a CONTRIBUTING.md',
      pr_url: 'https://github.com/o/r/pull/3',
      cost_usd: 0.42,
      error: null,
      url: 'https://harness.example.com/tasks/t1',
    });
  });

  it('tells each endpoint only the events it asked for; a spend stop is budget_reached where asked, else failed', async () => {
    tasks.set('t1', taskFixture('t1', { status: 'failed', failureClass: 'budget', error: 'spent $1.20 of $1.00' }));
    tasks.set('t2', taskFixture('t2', { status: 'cancelled' }));
    const n = make([
      endpoint({ url: `${hook.url}/budget`, events: ['budget_reached'] }),
      endpoint({ url: `${hook.url}/failed`, events: ['failed'] }),
      endpoint({ url: `${hook.url}/done`, events: ['done'] }),
    ]);
    n.taskEvent(end('t1'));
    n.taskEvent(end('t2'));
    n.taskEvent({ ...end('t1'), kind: 'status' });
    await n.settled();
    const got = hook.received.map((r) => [r.path, r.headers['x-harness-event']]).sort();
    expect(got).toEqual([
      ['/budget', 'budget_reached'],
      ['/failed', 'failed'],
    ]);
  });

  it('retries a delivery that failed for a passing reason, and gives up at once on a refusal', async () => {
    hook.server.close();
    hook = await receiver([503, 500, 200, 404]);
    tasks.set('t1', taskFixture('t1', { status: 'done' }));
    tasks.set('t2', taskFixture('t2', { status: 'done' }));
    const n = make([endpoint()], [10, 10, 10]);
    n.taskEvent(end('t1'));
    await expect.poll(() => hook.received.length).toBe(3);
    n.taskEvent(end('t2'));
    await expect.poll(() => hook.received.length).toBe(4);
    await n.settled();
    // Three attempts of the same delivery (same id), then t2 refused once: no retry of a 404.
    expect(new Set(hook.received.slice(0, 3).map((r) => r.headers['x-harness-delivery'])).size).toBe(1);
    expect(logs).toContain('notify[0]: "done" of task t1 delivered after 3 attempts');
    expect(logs).toContain('notify[0]: "done" of task t2 not delivered (HTTP 404)');
  });

  it('never writes the endpoint URL in its logs, and redacts the task text it sends', async () => {
    const url = `${hook.url}/services/T000/B000/XXXXsecretpath`;
    hook.server.close(); // unreachable from now on
    tasks.set('t1', taskFixture('t1', { status: 'failed', error: 'token sk-live-secret was refused' }));
    const n = make([endpoint({ url })], [10]);
    n.taskEvent(end('t1'));
    await expect.poll(() => logs.some((l) => l.includes('not delivered'))).toBe(true);
    expect(logs.join('\n')).not.toContain('XXXXsecretpath');
    expect(logs.join('\n')).toMatch(
      /notify\[0\]: "failed" of task t1 not delivered \(unreachable \(ECONNREFUSED\), after 2 attempts\)/,
    );
  });

  it('redacts a secret in the prompt before the title is cut, even one the cut or a line would split', async () => {
    const padding = 'x'.repeat(110);
    tasks.set('t1', taskFixture('t1', { status: 'done', prompt: `${padding} sk-live-secret and more` }));
    const n = make([endpoint()]);
    n.taskEvent(end('t1'));
    await n.settled();
    const body = hook.received[0]?.body ?? '';
    expect(body).not.toContain('sk-live');
    // Cut at 120 characters, inside the redaction mark: nothing of the secret is left.
    expect((JSON.parse(body) as { task: { title: string } }).task.title).toBe(`${padding} [REDACTE…`);
  });

  it('formats for Slack with the task text escaped: an issue title cannot mention the channel or hide a link', async () => {
    tasks.set(
      't1',
      taskFixture('t1', {
        status: 'failed',
        description: 'Fix <!channel> & <https://evil.example|the docs>',
        error: 'token sk-live-secret was refused',
      }),
    );
    const n = make([endpoint({ format: 'slack' })]);
    n.taskEvent(end('t1'));
    await n.settled();
    const { text } = JSON.parse(hook.received[0]?.body ?? '') as { text: string };
    expect(text).toBe(
      [
        'Harness task t1 (app) failed: Fix &lt;!channel&gt; &amp; &lt;https://evil.example|the docs&gt;',
        'Error: token [REDACTED] was refused',
        'Task: https://harness.example.com/tasks/t1',
      ].join('\n'),
    );
  });

  it('drops the retries still waiting when it closes, and says how many', async () => {
    hook.server.close();
    hook = await receiver([500]);
    tasks.set('t1', taskFixture('t1', { status: 'done' }));
    const n = make([endpoint()], [60_000]);
    n.taskEvent(end('t1'));
    await expect.poll(() => logs.some((l) => l.includes('retrying in 60 s'))).toBe(true);
    await n.close();
    expect(logs).toContain('notify: 1 notification(s) not delivered: the server stopped');
    expect(hook.received).toHaveLength(1);
    // After close, an end is not told.
    n.taskEvent(end('t1'));
    await n.settled();
    expect(hook.received).toHaveLength(1);
  });
});

import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { httpRpc, type RpcMessage } from './support/rpc-clients.js';
import { startTestServer, type TestServer } from './support/test-server.js';

const REVIEW_ANSWER = `Read it.\nREVIEW_JSON_START\n${JSON.stringify({
  summary: 'Reviewed.',
  findings: [
    { severity: 'high', title: 'Unchecked input', file: 'src/parser.ts', line: 1, description: 'parse trusts input' },
  ],
})}\nREVIEW_JSON_END`;

/**
 * The original harness's JSON-RPC methods its users script against, called as its usage guide calls
 * methods: separate HTTP requests sharing the loopback principal's handshake.
 */
describe("the original harness's JSON-RPC methods", () => {
  let server: TestServer;
  let nextId = 1;

  const call = async (method: string, params?: unknown): Promise<RpcMessage> => {
    const answer = await httpRpc(server.url, {
      jsonrpc: '2.0',
      id: nextId++,
      method,
      ...(params === undefined ? {} : { params }),
    });
    return answer.json as RpcMessage;
  };
  const result = async (method: string, params?: unknown): Promise<Record<string, unknown>> => {
    const answer = await call(method, params);
    expect(answer.error, `${method}: ${JSON.stringify(answer.error)}`).toBeUndefined();
    return answer.result!;
  };

  beforeAll(async () => {
    // The agent answers every review with one high finding (a cross review here has one agent).
    server = await startTestServer({ scenario: { text: REVIEW_ANSWER } });
    mkdirSync(join(server.repo.path, 'src'), { recursive: true });
    writeFileSync(join(server.repo.path, 'src', 'parser.ts'), 'export const parse = 1;\n');
    // A link out of the project: a file a preflight must not report.
    symlinkSync('/etc/hostname', join(server.repo.path, 'outside.txt'));
    await call('initialize');
    await httpRpc(server.url, { jsonrpc: '2.0', method: 'initialized' });
  });

  afterAll(async () => {
    await server.close();
  });

  it('task_classify: complexity, language, write and network needs', async () => {
    expect(await result('task_classify', { prompt: 'Fix the off-by-one in src/parser.ts' })).toMatchObject({
      complexity: 'simple',
      language: 'typescript',
      requires_write: true,
      requires_network: false,
    });
    expect(
      await result('task_classify', { prompt: 'Review the security of the login flow and npm install the audit tool' }),
    ).toMatchObject({ complexity: 'complex', language: null, requires_write: false, requires_network: true });
    expect((await call('task_classify', {})).error).toMatchObject({ code: -32602 });
  });

  it('event_log stores an event of another tool; stats_query counts it; Harness-own kinds are refused', async () => {
    const logged = await result('event_log', {
      event: { hook: 'pre_commit_hook', decision: 'warn', tool: 'eslint', reason: 'no-console', project: 'app' },
    });
    expect(logged).toMatchObject({ logged: true, hook: 'pre_commit_hook' });
    const events = (await result('event_query', { hook: 'pre_commit_hook' }))['events'] as { reason: string }[];
    expect(events.map((e) => e.reason)).toEqual(['no-console']);

    const stats = await result('stats_query', {});
    expect(stats['hook_stats']).toEqual(
      expect.arrayContaining([{ hook: 'pre_commit_hook', total: 1, by_decision: { warn: 1 } }]),
    );
    const trends = stats['trends'] as { total: number }[];
    expect(trends).toHaveLength(7);
    expect(trends.at(-1)?.total).toBeGreaterThanOrEqual(1);
    expect(stats['rule_trends']).toHaveLength(7);

    for (const hook of ['task_failed', 'github_webhook', 'skill_used', 'self_evolution_tick', 'scheduler']) {
      const own = await call('event_log', { event: { hook, decision: 'block' } });
      expect(own.error?.message, hook).toContain('is a kind Harness itself writes');
    }
    // Text that could rewrite a terminal line or read backwards is stored without it.
    await result('event_log', { event: { hook: 'hostile_hook', reason: 'ok\u001b[2K\u202egnp.exe\r\nnext' } });
    const [hostile] = (await result('event_query', { hook: 'hostile_hook' }))['events'] as { reason: string }[];
    expect(hostile?.reason).toBe('ok[2Kgnp.exe\nnext');
    const badKind = await call('event_log', { event: { hook: 'Not A Kind' } });
    expect(badKind.error).toMatchObject({ code: -32602 });
    const notObject = await call('event_log', { event: 'x' });
    expect(notObject.error).toMatchObject({ code: -32602, message: expect.stringContaining('event') as string });
    const inverted = await call('stats_query', { since: '2030-01-02T00:00:00Z', until: '2030-01-01T00:00:00Z' });
    expect(inverted.error?.message).toContain('since must be before until');
    // An offset is a time like any other: 01:00+02:00 is before 00:00Z.
    expect(
      (await call('stats_query', { since: '2030-01-01T01:00:00+02:00', until: '2030-01-01T00:00:00Z' })).error,
    ).toBeUndefined();
    // A week date passes the ISO-8601 check but is no instant: a 400, not a 500.
    expect((await call('stats_query', { until: '2009-W53-7' })).error).toMatchObject({
      code: -32602,
      message: expect.stringContaining('until must be a date and time') as string,
    });
  });

  it('metrics_collect scans then reports; metrics_query reports over a window', async () => {
    const collected = await result('metrics_collect', { project_root: server.repo.path });
    expect(collected).toHaveProperty('grade');
    const scans = (await result('event_query', { hook: 'rule_scan' }))['events'] as unknown[];
    expect(scans.length).toBeGreaterThanOrEqual(1);
    const queried = await result('metrics_query', {
      filters: { project_id: null, since: new Date(Date.now() - 3_600_000).toISOString() },
    });
    expect(queried).toHaveProperty('grade');
    expect((await call('metrics_query', { filters: { until: '2000-01-01T00:00:00Z' } })).error?.message).toContain(
      'filters.until must not be in the past',
    );
  });

  it('preflight: serious rules, the named files that exist inside the project, the last scan', async () => {
    const answer = await result('preflight', {
      project_root: server.repo.path,
      task_description: 'Refactor src/parser.ts and src/missing.ts; see ../../etc/passwd, /etc/passwd and outside.txt',
    });
    expect(answer['affected_files']).toEqual(['src/parser.ts']);
    expect(answer['recommended_complexity']).toBe('complex');
    expect(answer['baseline_scan_source']).toBe('rule_scan');
    expect(typeof answer['baseline_violations']).toBe('number');
    expect(
      (answer['constraints'] as { severity: string }[]).every((c) => ['critical', 'high'].includes(c.severity)),
    ).toBe(true);
    expect((await call('preflight', { project_root: '/nowhere', task_description: 'x' })).error).toBeDefined();
  });

  it('cross_review reviews the head now and answers the stored review with a final verdict', async () => {
    const answer = await result('cross_review', { project_root: server.repo.path, target: '.', max_rounds: 3 });
    expect(answer).toMatchObject({
      project: 'app',
      status: 'done',
      strategy: 'cross',
      agents: ['claude'],
      final_verdict: 'CHANGES_REQUESTED',
    });
    expect(answer['findings']).toMatchObject([{ severity: 'high', title: 'Unchecked input' }]);
    expect(String(answer['note'])).toContain('no second agent is available');
    const reviews = (await result('review_list', {}))['reviews'] as { id: string }[];
    expect(reviews[0]?.id).toBe(answer['id']);
    expect((await call('cross_review', { max_rounds: 0 })).error).toMatchObject({ code: -32602 });
  });
});

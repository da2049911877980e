import { mkdirSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { resolveConfig } from '@agent-harness/core';
import {
  createTempDataDir,
  createTempGitRepo,
  FAKE_AGENT_BIN_DIR,
  fakeAgentEnv,
  sandboxAllowWriteToml,
  type TempDir,
  type TempGitRepo,
} from '@agent-harness/testing';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createHarness, type Harness } from './harness.js';

// A local OTLP/HTTP receiver takes what a Harness exports (JSON bodies, as the OTLP/HTTP exporters
// send them) while a task runs for real: SQLite, git, the scripted Claude Code implementer and the
// scripted Codex reviewer that asks for changes once, then approves.

const PROMPT_MARKER = 'PROMPT-MARKER-7f3a9c';
const SECRET = 'sk-ant-otel-secret-5b1e2d9c';
const verdict = (v: 'approve' | 'request_changes', issues: unknown[] = []) =>
  `Reviewed.\n\`\`\`json\n${JSON.stringify({ verdict: v, summary: 'ok', issues })}\n\`\`\``;

interface OtlpReceiver {
  readonly url: string;
  readonly bodies: { readonly path: string; readonly text: string }[];
  close(): Promise<void>;
}

async function startOtlpReceiver(): Promise<OtlpReceiver> {
  const bodies: { path: string; text: string }[] = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      bodies.push({ path: req.url ?? '', text: Buffer.concat(chunks).toString('utf8') });
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end('{}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${String(port)}`,
    bodies,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => {
          resolve();
        });
      }),
  };
}

type AttributeValue = string | number | boolean | undefined;
interface OtlpAttribute {
  key: string;
  value: { stringValue?: string; intValue?: number | string; doubleValue?: number; boolValue?: boolean };
}
interface OtlpSpan {
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  name: string;
  startTimeUnixNano: string | number;
  endTimeUnixNano: string | number;
  attributes: OtlpAttribute[];
  status?: { code?: number; message?: string };
}

function attrs(list: readonly OtlpAttribute[] | undefined): Record<string, AttributeValue> {
  const out: Record<string, AttributeValue> = {};
  for (const { key, value } of list ?? []) {
    out[key] =
      value.stringValue ??
      (value.intValue === undefined ? undefined : Number(value.intValue)) ??
      value.doubleValue ??
      value.boolValue;
  }
  return out;
}

function spansOf(receiver: OtlpReceiver): { spans: OtlpSpan[]; resources: Record<string, AttributeValue>[] } {
  const spans: OtlpSpan[] = [];
  const resources: Record<string, AttributeValue>[] = [];
  for (const body of receiver.bodies.filter((b) => b.path === '/v1/traces')) {
    const parsed = JSON.parse(body.text) as {
      resourceSpans: { resource: { attributes: OtlpAttribute[] }; scopeSpans: { spans: OtlpSpan[] }[] }[];
    };
    for (const rs of parsed.resourceSpans) {
      resources.push(attrs(rs.resource.attributes));
      for (const ss of rs.scopeSpans) spans.push(...ss.spans);
    }
  }
  return { spans, resources };
}

interface OtlpDataPoint {
  attributes: OtlpAttribute[];
  asInt?: number | string;
  asDouble?: number;
  count?: number | string;
}
interface OtlpMetric {
  name: string;
  sum?: { dataPoints: OtlpDataPoint[] };
  gauge?: { dataPoints: OtlpDataPoint[] };
  histogram?: { dataPoints: OtlpDataPoint[] };
}

function metricsOf(
  receiver: OtlpReceiver,
): Map<string, { attributes: Record<string, AttributeValue>; value: number }[]> {
  const metrics = new Map<string, { attributes: Record<string, AttributeValue>; value: number }[]>();
  for (const body of receiver.bodies.filter((b) => b.path === '/v1/metrics')) {
    const parsed = JSON.parse(body.text) as { resourceMetrics: { scopeMetrics: { metrics: OtlpMetric[] }[] }[] };
    for (const metric of parsed.resourceMetrics.flatMap((rm) => rm.scopeMetrics.flatMap((sm) => sm.metrics))) {
      const points = metric.sum?.dataPoints ?? metric.gauge?.dataPoints ?? metric.histogram?.dataPoints ?? [];
      metrics.set(
        metric.name,
        points.map((p) => ({ attributes: attrs(p.attributes), value: Number(p.asInt ?? p.asDouble ?? p.count) })),
      );
    }
  }
  return metrics;
}

describe('OpenTelemetry export of a Harness (real task, local OTLP/HTTP receiver)', () => {
  let data: TempDir;
  let repo: TempGitRepo;
  let harness: Harness | undefined;
  let receiver: OtlpReceiver | undefined;

  beforeEach(async () => {
    data = await createTempDataDir();
    repo = await createTempGitRepo({ withOrigin: true });
  });
  afterEach(async () => {
    await harness?.close();
    harness = undefined;
    await receiver?.close();
    receiver = undefined;
    await data.cleanup();
    await repo.cleanup();
  });

  async function build(otel: string[], warnings: string[] = [], start = true): Promise<Harness> {
    const file = (name: string) => join(data.path, name);
    // The reviewer counts its runs here: the one place of the data dir writable in its sandbox.
    mkdirSync(file('shared'), { recursive: true });
    const tomlEnv = (env: Record<string, string>) => Object.entries(env).map(([k, v]) => `${k} = ${JSON.stringify(v)}`);
    const toml = [
      '[server]',
      `data_dir = ${JSON.stringify(data.path)}`,
      '[validation]',
      'pre_commit = ["test -f a.txt"]',
      '[agents.review]',
      'reviewer_agent = "codex"',
      '[agents.claude]',
      `cli_path = ${JSON.stringify(join(FAKE_AGENT_BIN_DIR, 'claude'))}`,
      '[agents.claude.env]',
      ...tomlEnv({
        ...fakeAgentEnv({ edits: [{ path: 'a.txt', content: 'a\n' }], usage: { input: 1000, output: 200 } }),
        ANTHROPIC_API_KEY: SECRET,
      }),
      '[agents.codex]',
      `cli_path = ${JSON.stringify(join(FAKE_AGENT_BIN_DIR, 'codex'))}`,
      '[agents.codex.env]',
      ...tomlEnv(
        fakeAgentEnv(
          {
            runs: [
              {
                text: verdict('request_changes', [
                  { file: 'a.txt', line: 1, severity: 'low', message: 'say more than a' },
                ]),
              },
              { text: verdict('approve') },
            ],
          },
          undefined,
          file('shared/codex.count'),
        ),
      ),
      sandboxAllowWriteToml(file('shared')),
      '[otel]',
      ...otel,
      '[[projects]]',
      'name = "app"',
      `root = ${JSON.stringify(repo.path)}`,
    ].join('\n');
    const config = resolveConfig({
      file: { path: file('h.toml'), text: toml },
      env: {},
      homeDir: data.path,
      cwd: data.path,
    });
    if (!config.ok) throw config.error;
    const built = await createHarness(config.value, {
      env: { PATH: process.env['PATH'], HOME: data.path, ...repo.gitEnv },
      tickMs: 50,
      logger: {
        log: () => undefined,
        error: (message) => warnings.push(message),
      },
    });
    harness = built;
    if (start) await built.start();
    return built;
  }

  async function runToEnd(built: Harness, prompt: string): Promise<string> {
    const submitted = await built.engine.submit({ kind: 'prompt', prompt });
    let status: string = submitted.status;
    for (let i = 0; i < 1200 && !['done', 'failed', 'cancelled'].includes(status); i++) {
      await new Promise((r) => setTimeout(r, 25));
      status = (await built.tasks.get(submitted.id))?.status ?? status;
    }
    return submitted.id;
  }

  it('exports the task span tree with its attributes and the task metrics, and never the prompt', async () => {
    receiver = await startOtlpReceiver();
    const built = await build([
      'exporter = "otlp-http"',
      `endpoint = ${JSON.stringify(receiver.url)}`,
      'environment = "ci"',
    ]);
    const taskId = await runToEnd(built, `Add a.txt (${PROMPT_MARKER}, key ${SECRET})`);
    const task = await built.tasks.get(taskId);
    expect(task).toMatchObject({ status: 'done', reviewRounds: 2, agentUsed: 'claude' });
    await built.close();
    harness = undefined;

    const { spans, resources } = spansOf(receiver);
    expect(resources[0]).toMatchObject({ 'service.name': 'harness', 'deployment.environment': 'ci' });
    const root = spans.find((s) => s.name === 'task');
    if (root === undefined) throw new Error(`no task span among ${spans.map((s) => s.name).join(', ')}`);
    expect(root.parentSpanId ?? '').toBe('');
    expect(attrs(root.attributes)).toMatchObject({
      'harness.task.id': taskId,
      'harness.project': 'app',
      'harness.task.kind': 'prompt',
      'harness.agent': 'claude',
      // What the agent reported running (the scripted CLI echoes `--model`).
      'harness.model': 'sonnet',
      'harness.status': 'done',
      'harness.grade': task?.grade,
      'harness.tokens.input': task?.inputTokens,
      'harness.tokens.output': task?.outputTokens,
      'harness.review.rounds': 2,
    });
    expect(task?.inputTokens).toBeGreaterThan(0);
    expect(attrs(root.attributes)['harness.prompt']).toBeUndefined();
    expect(root.status?.code).toBe(1); // OK

    // Phases in order, each a child of the task span; the review round sent the task back once.
    const phases = spans
      .filter((s) => s.parentSpanId === root.spanId)
      .sort((a, b) => Number(BigInt(a.startTimeUnixNano) - BigInt(b.startTimeUnixNano)));
    expect(phases.map((s) => s.name)).toEqual([
      'prepare',
      'agent',
      'validation',
      'publish',
      'review',
      'agent',
      'validation',
      'publish',
      'review',
    ]);
    expect(spans.every((s) => s.traceId === root.traceId)).toBe(true);
    expect(phases.filter((s) => s.name === 'review').map((s) => attrs(s.attributes)['harness.review.round'])).toEqual([
      1, 2,
    ]);
    for (const phase of phases)
      expect(BigInt(phase.endTimeUnixNano)).toBeGreaterThanOrEqual(BigInt(phase.startTimeUnixNano));

    // Agent runs sit in the phase they ran in: the implementer in `agent`, the reviewer in `review`.
    const runs = spans.filter((s) => s.name === 'agent_run');
    const phaseOf = (span: OtlpSpan) => phases.find((p) => p.spanId === span.parentSpanId)?.name;
    expect(runs.map((r) => [phaseOf(r), attrs(r.attributes)['harness.agent']])).toEqual(
      expect.arrayContaining([
        ['agent', 'claude'],
        ['review', 'codex'],
      ]),
    );
    expect(runs).toHaveLength(4);
    const implementerRun = runs.find((r) => attrs(r.attributes)['harness.agent.role'] === 'implementer');
    expect(attrs(implementerRun?.attributes)).toMatchObject({ 'harness.model': 'sonnet' });
    expect(attrs(implementerRun?.attributes)['harness.tokens.output']).toBeGreaterThan(0);

    // Metrics: the outcome, tokens by agent and direction, agent durations, the queue depth.
    const metrics = metricsOf(receiver);
    expect(metrics.get('harness.tasks')).toEqual([
      { attributes: { 'harness.status': 'done', 'harness.project': 'app', 'harness.task.kind': 'prompt' }, value: 1 },
    ]);
    // Every agent run's tokens, implementer's and reviewer's: what the task row adds up too.
    const tokens = metrics.get('harness.tokens') ?? [];
    const sum = (direction: string) =>
      tokens.filter((t) => t.attributes['harness.direction'] === direction).reduce((n, t) => n + t.value, 0);
    expect(sum('input')).toBe(task?.inputTokens);
    expect(sum('output')).toBe(task?.outputTokens);
    expect(new Set(tokens.map((t) => t.attributes['harness.agent']))).toEqual(new Set(['claude', 'codex']));
    const durations = metrics.get('harness.agent.duration') ?? [];
    expect(durations.find((d) => d.attributes['harness.agent'] === 'claude')?.value).toBe(2);
    expect(durations.find((d) => d.attributes['harness.agent'] === 'codex')?.value).toBe(2);
    expect(metrics.get('harness.queue.depth')).toEqual([{ attributes: {}, value: 0 }]);

    // Neither the prompt nor the secret left the process.
    const everything = receiver.bodies.map((b) => b.text).join('\n');
    expect(everything).not.toContain(PROMPT_MARKER);
    expect(everything).not.toContain(SECRET);
  });

  it('with log_user_prompt, the prompt is on the task span, its secrets redacted', async () => {
    receiver = await startOtlpReceiver();
    const built = await build([
      'exporter = "otlp-http"',
      `endpoint = ${JSON.stringify(receiver.url)}`,
      'log_user_prompt = true',
    ]);
    await runToEnd(built, `Add a.txt (${PROMPT_MARKER}, key ${SECRET})`);
    await built.close();
    harness = undefined;
    const root = spansOf(receiver).spans.find((s) => s.name === 'task');
    const prompt = attrs(root?.attributes)['harness.prompt'];
    expect(prompt).toContain(PROMPT_MARKER);
    expect(prompt).not.toContain(SECRET);
    expect(receiver.bodies.map((b) => b.text).join('\n')).not.toContain(SECRET);
  });

  it('a process that runs no task (a one-shot CLI command) sends nothing', async () => {
    receiver = await startOtlpReceiver();
    const built = await build(['exporter = "otlp-http"', `endpoint = ${JSON.stringify(receiver.url)}`], [], false);
    await built.syncProjects();
    await built.close();
    harness = undefined;
    expect(receiver.bodies).toEqual([]);
  });

  it('an unreachable collector: the task still ends done, one warning, and close does not wait for it', async () => {
    // A port that was just free: nothing listens there.
    const closed = await startOtlpReceiver();
    await closed.close();
    const warnings: string[] = [];
    const built = await build(['exporter = "otlp-http"', `endpoint = ${JSON.stringify(closed.url)}`], warnings);
    const taskId = await runToEnd(built, 'Add a.txt');
    expect((await built.tasks.get(taskId))?.status).toBe('done');
    const started = Date.now();
    await built.close();
    harness = undefined;
    expect(Date.now() - started).toBeLessThan(4000);
    // However many exports failed (or were still retrying at the close): one warning.
    const otelWarnings = warnings.filter((w) => w.includes('OpenTelemetry'));
    expect(otelWarnings).toHaveLength(1);
    expect(otelWarnings[0]).toMatch(/^OpenTelemetry export (of (traces|metrics) )?to http:\/\/127\.0\.0\.1:\d+ /);
  });
});

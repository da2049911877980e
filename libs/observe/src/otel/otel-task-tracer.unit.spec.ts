import { SpanStatusCode } from '@opentelemetry/api';
import { ExportResultCode } from '@opentelemetry/core';
import { MeterProvider, MetricReader, type ResourceMetrics } from '@opentelemetry/sdk-metrics';
import { InMemorySpanExporter, SimpleSpanProcessor, TracerProvider, type ReadableSpan } from '@opentelemetry/sdk-trace';
import { describe, expect, it } from 'vitest';
import { ExportHealth } from './export-health.js';
import { OtelTaskTracer } from './otel-task-tracer.js';
import { startOtel } from './start-otel.js';
import type { TracedTaskEnd } from './task-tracer.js';

/** A reader the test collects from when it wants. */
class PullReader extends MetricReader {
  protected onShutdown(): Promise<void> {
    return Promise.resolve();
  }
  protected onForceFlush(): Promise<void> {
    return Promise.resolve();
  }
}

function setup(options: { logUserPrompt?: boolean; queueDepth?: () => Promise<number> } = {}) {
  const spans = new InMemorySpanExporter();
  const tracerProvider = new TracerProvider({ spanProcessors: [new SimpleSpanProcessor({ exporter: spans })] });
  const reader = new PullReader();
  const meterProvider = new MeterProvider({ readers: [reader] });
  const tracer = new OtelTaskTracer(tracerProvider.getTracer('test'), meterProvider.getMeter('test'), {
    logUserPrompt: options.logUserPrompt ?? false,
    queueDepth: options.queueDepth,
  });
  const metrics = async () => {
    const { resourceMetrics } = await reader.collect();
    return byName(resourceMetrics);
  };
  // The span processor hands spans over asynchronously.
  const finished = async () => {
    await tracerProvider.forceFlush();
    return spans.getFinishedSpans();
  };
  return { tracer, finished, metrics };
}

function byName(resourceMetrics: ResourceMetrics) {
  const out = new Map<string, { attributes: Record<string, unknown>; value: unknown }[]>();
  for (const metric of resourceMetrics.scopeMetrics.flatMap((s) => s.metrics))
    out.set(
      metric.descriptor.name,
      metric.dataPoints.map((p) => ({ attributes: { ...p.attributes }, value: p.value })),
    );
  return out;
}

const at = (seconds: number) => new Date(Date.UTC(2026, 0, 1, 0, 0, seconds));
const start = { taskId: 't1', project: 'app', kind: 'prompt', attempt: 1, prompt: 'do the secret thing' } as const;
const end = (outcome: TracedTaskEnd['outcome'], more: Partial<TracedTaskEnd> = {}): TracedTaskEnd => ({
  taskId: 't1',
  project: 'app',
  kind: 'prompt',
  outcome,
  at: at(9),
  inputTokens: 10,
  outputTokens: 5,
  reviewRounds: 0,
  validationRetries: 0,
  ...more,
});
const parentOf = (span: ReadableSpan) => span.parentSpanContext?.spanId;
const idOf = (span: ReadableSpan | undefined) => span?.spanContext().spanId;

describe('OtelTaskTracer', () => {
  it('makes a task span with a child per phase and the agent run inside its phase, at the times given', async () => {
    const { tracer, finished } = setup();
    tracer.taskStarted({ ...start, at: at(0) });
    tracer.phaseStarted({ taskId: 't1', phase: 'prepare', at: at(0) });
    tracer.phaseStarted({ taskId: 't1', phase: 'agent', at: at(1), agent: 'claude' });
    tracer.agentRan({
      taskId: 't1',
      agent: 'claude',
      role: 'implementer',
      model: 'opus',
      startedAt: at(1),
      endedAt: at(4),
      ok: true,
      reason: 'completed',
      inputTokens: 10,
      outputTokens: 5,
      costUsd: 0.25,
    });
    tracer.phaseStarted({ taskId: 't1', phase: 'validation', at: at(5) });
    tracer.taskEnded(end('failed', { failureClass: 'validation_failed', error: 'validation failed', grade: 'D' }));

    const spans = await finished();
    const root = spans.find((s) => s.name === 'task');
    const agentPhase = spans.find((s) => s.name === 'agent');
    expect(spans.map((s) => s.name).sort()).toEqual(['agent', 'agent_run', 'prepare', 'task', 'validation']);
    expect(parentOf(root ?? spans[0]!)).toBeUndefined();
    for (const phase of ['prepare', 'agent', 'validation'])
      expect(parentOf(spans.find((s) => s.name === phase)!)).toBe(idOf(root));
    expect(parentOf(spans.find((s) => s.name === 'agent_run')!)).toBe(idOf(agentPhase));
    // A phase ends when the next begins; the last one when the task ends.
    expect(agentPhase?.startTime).toEqual([Date.UTC(2026, 0, 1, 0, 0, 1) / 1000, 0]);
    expect(agentPhase?.endTime).toEqual([Date.UTC(2026, 0, 1, 0, 0, 5) / 1000, 0]);
    expect(spans.find((s) => s.name === 'validation')?.endTime).toEqual(root?.endTime);
    expect(root?.attributes).toMatchObject({
      'harness.project': 'app',
      'harness.task.kind': 'prompt',
      'harness.status': 'failed',
      'harness.failure_class': 'validation_failed',
      'harness.grade': 'D',
      'harness.model': 'opus',
      'harness.tokens.input': 10,
      'harness.tokens.output': 5,
    });
    expect(root?.status).toEqual({ code: SpanStatusCode.ERROR, message: 'validation failed' });
    expect(root?.attributes['harness.prompt']).toBeUndefined();
  });

  it('puts the prompt on the task span only with log_user_prompt', async () => {
    const { tracer, finished } = setup({ logUserPrompt: true });
    tracer.taskStarted({ ...start, at: at(0) });
    tracer.taskEnded(end('done'));
    const [root] = await finished();
    expect(root?.attributes['harness.prompt']).toBe('do the secret thing');
    expect(root?.status.code).toBe(SpanStatusCode.OK);
  });

  it('counts outcomes (not requeues), tokens by agent and direction, agent durations and the queue depth', async () => {
    const { tracer, metrics } = setup({ queueDepth: () => Promise.resolve(3) });
    tracer.taskStarted({ ...start, at: at(0) });
    tracer.agentRan({
      taskId: 't1',
      agent: 'codex',
      role: 'reviewer',
      startedAt: at(0),
      endedAt: at(2),
      ok: false,
      reason: 'timeout',
      inputTokens: 7,
      outputTokens: 3,
    });
    tracer.taskEnded(end('requeued'));
    tracer.taskEnded(end('done'));
    const m = await metrics();
    expect(m.get('harness.tasks')).toEqual([
      { attributes: { 'harness.status': 'done', 'harness.project': 'app', 'harness.task.kind': 'prompt' }, value: 1 },
    ]);
    expect(m.get('harness.tokens')).toEqual([
      { attributes: { 'harness.agent': 'codex', 'harness.direction': 'input' }, value: 7 },
      { attributes: { 'harness.agent': 'codex', 'harness.direction': 'output' }, value: 3 },
    ]);
    expect(m.get('harness.agent.duration')?.[0]).toMatchObject({
      attributes: { 'harness.agent': 'codex', 'harness.agent.role': 'reviewer', 'harness.agent.ok': false },
      value: { count: 1, sum: 2000 },
    });
    expect(m.get('harness.queue.depth')).toEqual([{ attributes: {}, value: 3 }]);
  });

  it('a failing queue read reports no depth rather than failing the collection', async () => {
    const { metrics } = setup({ queueDepth: () => Promise.reject(new Error('database closed')) });
    expect((await metrics()).get('harness.queue.depth')).toBeUndefined();
  });

  it('ignores phases and ends of runs it never saw start, and closes open runs as abandoned', async () => {
    const { tracer, finished } = setup();
    tracer.phaseStarted({ taskId: 'other', phase: 'review', at: at(0), round: 2 });
    tracer.taskEnded({ ...end('cancelled'), taskId: 'other' });
    expect(await finished()).toEqual([]);
    tracer.taskStarted({ ...start, at: at(0) });
    tracer.phaseStarted({ taskId: 't1', phase: 'review', at: at(1), round: 2 });
    tracer.endAll(at(3));
    expect(
      (await finished()).map((s) => [s.name, s.attributes['harness.status'] ?? s.attributes['harness.review.round']]),
    ).toEqual([
      ['review', 2],
      ['task', 'abandoned'],
    ]);
  });
});

describe('ExportHealth', () => {
  it('warns once while exports fail, and says so once when they work again', () => {
    const warnings: string[] = [];
    const infos: string[] = [];
    const health = new ExportHealth('http://collector:4318', {
      warn: (m) => warnings.push(m),
      info: (m) => infos.push(m),
    });
    health.record('traces', { code: ExportResultCode.FAILED, error: new Error('connect ECONNREFUSED') });
    health.record('metrics', { code: ExportResultCode.FAILED });
    health.record('traces', { code: ExportResultCode.FAILED });
    expect(warnings).toEqual([
      'OpenTelemetry export of traces to http://collector:4318 failed (connect ECONNREFUSED): telemetry is dropped until the collector answers; tasks go on unaffected',
    ]);
    health.record('metrics', { code: ExportResultCode.SUCCESS });
    health.record('traces', { code: ExportResultCode.SUCCESS });
    expect(infos).toEqual(['OpenTelemetry export to http://collector:4318 works again (metrics sent)']);
    health.record('traces', { code: ExportResultCode.FAILED });
    expect(warnings).toHaveLength(2);
  });
});

describe('startOtel', () => {
  it('starts nothing when disabled', async () => {
    expect(await startOtel({ exporter: 'disabled', environment: 'x', logUserPrompt: false })).toBeUndefined();
  });

  it('refuses an endpoint that is not an http(s) URL, naming the key', async () => {
    await expect(
      startOtel({ exporter: 'otlp-http', endpoint: 'collector:4318', environment: 'x', logUserPrompt: false }),
    ).rejects.toThrow(/otel\.endpoint: must start with http:\/\/ or https:\/\//);
    await expect(
      startOtel({ exporter: 'otlp-grpc', endpoint: 'not a url', environment: 'x', logUserPrompt: false }),
    ).rejects.toThrow(/otel\.endpoint: "not a url" is not a URL/);
  });

  it('reports where it sends without the credentials of the URL, and builds nothing until used', async () => {
    const otel = await startOtel({
      exporter: 'otlp-http',
      endpoint: 'https://user:pa55@127.0.0.1:9/otlp/?token=x',
      environment: 'x',
      logUserPrompt: false,
      shutdownTimeoutMs: 1000,
    });
    expect(otel?.endpoint).toBe('https://127.0.0.1:9/otlp');
    // Nothing was reported: there is nothing to send, so shutdown does not wait for the collector.
    const started = performance.now();
    await otel?.shutdown();
    expect(performance.now() - started).toBeLessThan(40);
  });
});

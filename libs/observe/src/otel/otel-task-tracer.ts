import {
  ROOT_CONTEXT,
  SpanStatusCode,
  trace,
  ValueType,
  type Attributes,
  type Counter,
  type Histogram,
  type Meter,
  type ObservableResult,
  type Span,
  type Tracer,
} from '@opentelemetry/api';
import type { TaskTracer, TracedAgentRun, TracedPhaseStart, TracedTaskEnd, TracedTaskStart } from './task-tracer.js';

/** Longest prompt (characters) a span carries with `log_user_prompt`; span limits cut the rest. */
const MAX_PROMPT_CHARS = 8000;
const MAX_ERROR_CHARS = 1000;
/** Agent runs take seconds to an hour: buckets in that range (ms), not the SDK's default 0–10 s. */
const AGENT_DURATION_BUCKETS = [1000, 5000, 15_000, 30_000, 60_000, 120_000, 300_000, 600_000, 1_200_000, 3_600_000];

/** What the tracer needs besides the SDK's tracer and meter. */
export interface OtelTaskTracerOptions {
  /** Prompts become the `harness.prompt` attribute of task spans only when true. */
  readonly logUserPrompt: boolean;
  /** Tasks waiting in the queue, for the queue-depth gauge; a failing read reports nothing. */
  readonly queueDepth?: (() => Promise<number>) | undefined;
}

interface OpenTask {
  readonly root: Span;
  phase: Span | undefined;
  /** The model the implementer reported, for the task span. */
  model: string | undefined;
}

/**
 * Task spans and task metrics from what the pipeline reports (see TaskTracer): one span per task
 * run with a child per phase and a grandchild per agent run; counters of tasks by outcome and of
 * tokens, a histogram of agent run durations and a gauge of the queue depth. Spans carry the
 * times the pipeline gives, so they line up with the task's stored events.
 */
export class OtelTaskTracer implements TaskTracer {
  private readonly open = new Map<string, OpenTask>();
  private readonly tasks: Counter;
  private readonly tokens: Counter;
  private readonly agentDuration: Histogram;

  constructor(
    private readonly tracer: Tracer,
    meter: Meter,
    private readonly options: OtelTaskTracerOptions,
  ) {
    this.tasks = meter.createCounter('harness.tasks', {
      description: 'Task runs that ended, by outcome (harness.status) and failure class',
      valueType: ValueType.INT,
    });
    this.tokens = meter.createCounter('harness.tokens', {
      description: 'Tokens used by agent runs, by agent and direction (input, output)',
      valueType: ValueType.INT,
    });
    this.agentDuration = meter.createHistogram('harness.agent.duration', {
      description: 'How long agent runs took, by agent',
      unit: 'ms',
      advice: { explicitBucketBoundaries: AGENT_DURATION_BUCKETS },
    });
    const queueDepth = options.queueDepth;
    if (queueDepth !== undefined) {
      meter
        .createObservableGauge('harness.queue.depth', {
          description: 'Tasks waiting in the queue',
          valueType: ValueType.INT,
        })
        .addCallback(async (result: ObservableResult) => {
          try {
            result.observe(await queueDepth());
          } catch {
            // The database is closing or busy: no point this time rather than a wrong one.
          }
        });
    }
  }

  taskStarted(task: TracedTaskStart): void {
    // A run this process never saw end (it cannot happen twice at once): close it first.
    this.endOpen(task.taskId, task.at, { 'harness.status': 'abandoned' });
    const attributes: Attributes = {
      'harness.task.id': task.taskId,
      'harness.project': task.project,
      'harness.task.kind': task.kind,
      'harness.attempt': task.attempt,
      ...defined('harness.agent', task.agent),
      ...defined('harness.model', task.model),
      ...defined('harness.issue', task.issue),
      ...defined('harness.pr', task.pr),
      ...(this.options.logUserPrompt ? defined('harness.prompt', task.prompt?.slice(0, MAX_PROMPT_CHARS)) : {}),
    };
    const root = this.tracer.startSpan('task', { startTime: task.at, attributes, root: true }, ROOT_CONTEXT);
    this.open.set(task.taskId, { root, phase: undefined, model: undefined });
  }

  phaseStarted(phase: TracedPhaseStart): void {
    const open = this.open.get(phase.taskId);
    if (open === undefined) return;
    open.phase?.end(phase.at);
    open.phase = this.tracer.startSpan(
      phase.phase,
      {
        startTime: phase.at,
        attributes: {
          'harness.task.id': phase.taskId,
          'harness.phase': phase.phase,
          ...defined('harness.review.round', phase.round),
          ...defined('harness.agent', phase.agent),
        },
      },
      trace.setSpan(ROOT_CONTEXT, open.root),
    );
  }

  agentRan(run: TracedAgentRun): void {
    const byAgent = { 'harness.agent': run.agent };
    this.agentDuration.record(Math.max(0, run.endedAt.getTime() - run.startedAt.getTime()), {
      ...byAgent,
      'harness.agent.role': run.role,
      'harness.agent.ok': run.ok,
    });
    this.tokens.add(run.inputTokens, { ...byAgent, 'harness.direction': 'input' });
    this.tokens.add(run.outputTokens, { ...byAgent, 'harness.direction': 'output' });
    const open = this.open.get(run.taskId);
    if (open === undefined) return;
    if (run.role === 'implementer' && run.model !== undefined) open.model = run.model;
    const span = this.tracer.startSpan(
      'agent_run',
      {
        startTime: run.startedAt,
        attributes: {
          'harness.task.id': run.taskId,
          ...byAgent,
          'harness.agent.role': run.role,
          'harness.agent.reason': run.reason,
          'harness.tokens.input': run.inputTokens,
          'harness.tokens.output': run.outputTokens,
          ...defined('harness.model', run.model),
          ...defined('harness.cost_usd', run.costUsd),
        },
      },
      trace.setSpan(ROOT_CONTEXT, open.phase ?? open.root),
    );
    if (!run.ok) span.setStatus({ code: SpanStatusCode.ERROR, message: run.reason });
    span.end(run.endedAt);
  }

  taskEnded(end: TracedTaskEnd): void {
    const outcome = {
      'harness.status': end.outcome,
      'harness.project': end.project,
      'harness.task.kind': end.kind,
      ...defined('harness.failure_class', end.failureClass),
    };
    // A requeued or waiting run is not an outcome: the task comes back and ends later.
    if (end.outcome !== 'requeued' && end.outcome !== 'waiting') this.tasks.add(1, outcome);
    const open = this.open.get(end.taskId);
    if (open === undefined) return;
    this.open.delete(end.taskId);
    open.phase?.end(end.at);
    const { root } = open;
    root.setAttributes({
      ...outcome,
      ...defined('harness.agent', end.agent),
      ...defined('harness.model', open.model),
      ...defined('harness.grade', end.grade),
      ...defined('harness.cost_usd', end.costUsd),
      'harness.tokens.input': end.inputTokens,
      'harness.tokens.output': end.outputTokens,
      'harness.review.rounds': end.reviewRounds,
      'harness.validation.retries': end.validationRetries,
    });
    if (end.outcome === 'done') root.setStatus({ code: SpanStatusCode.OK });
    if (end.outcome === 'failed')
      root.setStatus({
        code: SpanStatusCode.ERROR,
        message: (end.error ?? end.failureClass ?? 'failed').slice(0, MAX_ERROR_CHARS),
      });
    root.end(end.at);
  }

  /** Ends every span still open (the process is shutting down before its tasks ended). */
  endAll(at: Date): void {
    for (const taskId of [...this.open.keys()]) this.endOpen(taskId, at, { 'harness.status': 'abandoned' });
  }

  private endOpen(taskId: string, at: Date, attributes: Attributes): void {
    const open = this.open.get(taskId);
    if (open === undefined) return;
    this.open.delete(taskId);
    open.phase?.end(at);
    open.root.setAttributes(attributes);
    open.root.end(at);
  }
}

/** `{ [key]: value }` when the value is there, else nothing (OTel attributes have no undefined). */
function defined(key: string, value: string | number | boolean | undefined): Attributes {
  return value === undefined ? {} : { [key]: value };
}

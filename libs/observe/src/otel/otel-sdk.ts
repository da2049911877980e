// Loaded only by startOtel, when an exporter is configured: the SDK stays out of every other process.
import { OTLPMetricExporter as HttpMetricExporter } from '@opentelemetry/exporter-metrics-otlp-http';
import { OTLPTraceExporter as HttpTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { defaultResource, resourceFromAttributes } from '@opentelemetry/resources';
import { MeterProvider, PeriodicExportingMetricReader, type PushMetricExporter } from '@opentelemetry/sdk-metrics';
import { BatchSpanProcessor, TracerProvider, type SpanExporter } from '@opentelemetry/sdk-trace';
import { safeWarn, type ObserveLogger } from '../runtime-ports.js';
import { ExportHealth, watchedMetricExporter, watchedSpanExporter } from './export-health.js';
import { OtelTaskTracer } from './otel-task-tracer.js';
import type { OtelExport, OtelSettings } from './start-otel.js';
import type { TaskTracer } from './task-tracer.js';

const SERVICE_NAME = 'harness';
const INSTRUMENTATION_SCOPE = '@agent-harness/observe';
/** Spans waiting to be sent beyond this are dropped: a dead collector never grows memory. */
const MAX_QUEUED_SPANS = 2048;

/** `OtelSettings` with an exporter chosen and the endpoint checked. */
export type ResolvedOtelSettings = Omit<OtelSettings, 'exporter' | 'endpoint'> & {
  readonly exporter: 'otlp-http' | 'otlp-grpc';
  readonly endpoint: URL;
};

/**
 * The providers, exporters and task tracer for `settings` (see startOtel). They are built when the
 * process first has something to report (`activate`, or the first task event): a CLI command that
 * runs no task sends nothing and stops at once.
 */
export async function createOtelExport(
  settings: ResolvedOtelSettings,
  logger: ObserveLogger | undefined,
): Promise<OtelExport> {
  const exportTimeoutMs = settings.exportTimeoutMs ?? 5000;
  const shutdownTimeoutMs = settings.shutdownTimeoutMs ?? 3000;
  const shown = shownEndpoint(settings.endpoint);
  const health = new ExportHealth(shown, logger);
  const newExporters = await exporterFactory(settings, exportTimeoutMs);

  let active: Active | undefined;
  const activate = (): Active => (active ??= start(settings, newExporters(), health, exportTimeoutMs));
  const tracer: TaskTracer = {
    taskStarted: (task) => {
      activate().tracer.taskStarted(task);
    },
    phaseStarted: (phase) => {
      activate().tracer.phaseStarted(phase);
    },
    agentRan: (run) => {
      activate().tracer.agentRan(run);
    },
    taskEnded: (end) => {
      activate().tracer.taskEnded(end);
    },
  };

  const stop = async (): Promise<void> => {
    if (active === undefined) return;
    const { tracerProvider, meterProvider } = active;
    active.tracer.endAll(new Date());
    // A collector already known to be unreachable gets a last short chance, not the whole bound.
    const bound = health.isFailing ? Math.min(500, shutdownTimeoutMs) : shutdownTimeoutMs;
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<'timeout'>((resolve) => {
      timer = setTimeout(() => {
        resolve('timeout');
      }, bound);
      timer.unref();
    });
    const finished = Promise.allSettled([tracerProvider.shutdown(), meterProvider.shutdown()]).then(() => 'done');
    const how = await Promise.race([finished, timedOut]);
    clearTimeout(timer);
    if (how === 'timeout' && !health.isFailing)
      safeWarn(
        logger,
        `OpenTelemetry export to ${shown} did not finish within ${String(bound)} ms at shutdown; the rest is dropped`,
      );
  };
  let stopped: Promise<void> | undefined;
  return {
    endpoint: shown,
    tracer,
    activate: () => {
      if (stopped === undefined) activate();
    },
    shutdown: () => (stopped ??= stop()),
  };
}

interface Active {
  readonly tracer: OtelTaskTracer;
  readonly tracerProvider: TracerProvider;
  readonly meterProvider: MeterProvider;
}

function start(
  settings: ResolvedOtelSettings,
  { spans, metrics }: { spans: SpanExporter; metrics: PushMetricExporter },
  health: ExportHealth,
  exportTimeoutMs: number,
): Active {
  const resource = defaultResource().merge(
    resourceFromAttributes({
      'service.name': SERVICE_NAME,
      // The name the original harness used, and the one current semantic conventions use.
      'deployment.environment': settings.environment,
      'deployment.environment.name': settings.environment,
    }),
  );
  const tracerProvider = new TracerProvider({
    resource,
    spanProcessors: [
      new BatchSpanProcessor({
        exporter: watchedSpanExporter(spans, health),
        scheduledDelayMillis: settings.spanBatchDelayMs ?? 2000,
        exportTimeoutMillis: exportTimeoutMs,
        maxQueueSize: MAX_QUEUED_SPANS,
      }),
    ],
  });
  const meterProvider = new MeterProvider({
    resource,
    readers: [
      new PeriodicExportingMetricReader({
        exporter: watchedMetricExporter(metrics, health),
        exportIntervalMillis: Math.max(settings.metricIntervalMs ?? 60_000, exportTimeoutMs),
        exportTimeoutMillis: exportTimeoutMs,
      }),
    ],
  });
  const tracer = new OtelTaskTracer(
    tracerProvider.getTracer(INSTRUMENTATION_SCOPE),
    meterProvider.getMeter(INSTRUMENTATION_SCOPE),
    { logUserPrompt: settings.logUserPrompt, queueDepth: settings.queueDepth },
  );
  return { tracer, tracerProvider, meterProvider };
}

/** Makes the exporters `settings` asks for; the gRPC ones (and @grpc/grpc-js) load only for gRPC. */
async function exporterFactory(
  settings: ResolvedOtelSettings,
  timeoutMillis: number,
): Promise<() => { spans: SpanExporter; metrics: PushMetricExporter }> {
  const base = settings.endpoint.href.replace(/\/+$/, '');
  if (settings.exporter === 'otlp-grpc') {
    const [{ OTLPTraceExporter: GrpcTraceExporter }, { OTLPMetricExporter: GrpcMetricExporter }] = await Promise.all([
      import('@opentelemetry/exporter-trace-otlp-grpc'),
      import('@opentelemetry/exporter-metrics-otlp-grpc'),
    ]);
    // gRPC takes the collector's address; http:// means a plaintext channel, https:// TLS.
    return () => ({
      spans: new GrpcTraceExporter({ url: base, timeoutMillis }),
      metrics: new GrpcMetricExporter({ url: base, timeoutMillis }),
    });
  }
  // OTLP/HTTP with JSON bodies, which every collector's OTLP receiver accepts.
  return () => ({
    spans: new HttpTraceExporter({ url: `${base}/v1/traces`, timeoutMillis }),
    metrics: new HttpMetricExporter({ url: `${base}/v1/metrics`, timeoutMillis }),
  });
}

/** The endpoint as logged: no user, password, query or fragment. */
function shownEndpoint(url: URL): string {
  return `${url.protocol}//${url.host}${url.pathname === '/' ? '' : url.pathname}`;
}

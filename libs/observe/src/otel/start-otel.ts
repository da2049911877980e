import { AppError } from '@agent-harness/core';
import type { ObserveLogger } from '../runtime-ports.js';
import type { TaskTracer } from './task-tracer.js';

/** `[otel] exporter`. @public */
export type OtelExporterKind = 'disabled' | 'otlp-http' | 'otlp-grpc';

/** Where each exporter sends by default: the collector's standard OTLP ports on this machine. @public */
export const DEFAULT_OTLP_ENDPOINTS = {
  'otlp-http': 'http://127.0.0.1:4318',
  'otlp-grpc': 'http://127.0.0.1:4317',
} as const;

/** `[otel]` as the exporter takes it, and how it reads the queue. @public */
export interface OtelSettings {
  readonly exporter: OtelExporterKind;
  /** The collector's base URL (`/v1/traces` and `/v1/metrics` are added for OTLP/HTTP). */
  readonly endpoint?: string | undefined;
  /** `deployment.environment` of everything exported. */
  readonly environment: string;
  /** Prompts go into task spans only when true. */
  readonly logUserPrompt: boolean;
  /** Tasks waiting in the queue, for the `harness.queue.depth` gauge. */
  readonly queueDepth?: (() => Promise<number>) | undefined;
  /** How often metrics are sent. Default 60 s. */
  readonly metricIntervalMs?: number | undefined;
  /** Longest one export may take before it is given up. Default 5 s. */
  readonly exportTimeoutMs?: number | undefined;
  /** How long finished spans wait to be sent together. Default 2 s. */
  readonly spanBatchDelayMs?: number | undefined;
  /** Longest `shutdown` waits for the last exports. Default 3 s. */
  readonly shutdownTimeoutMs?: number | undefined;
}

/** A running OpenTelemetry export. @public */
export interface OtelExport {
  /** Where it sends, without any credentials of the URL. */
  readonly endpoint: string;
  /** What the task engine reports to; the first report starts the export. */
  readonly tracer: TaskTracer;
  /**
   * Starts the export now (a server that runs tasks: the queue depth is reported from the start).
   * Until then, or a first report, nothing is built or sent and `shutdown` has nothing to wait for.
   */
  activate(): void;
  /** Ends the spans still open, sends what is pending (bounded by `shutdownTimeoutMs`), stops. Never throws. */
  shutdown(): Promise<void>;
}

/**
 * Starts exporting task traces and metrics as `[otel]` says, or answers undefined when the exporter
 * is `disabled`, in which case the OpenTelemetry SDK is not even loaded. Exports run in the
 * background with short timeouts; a collector that cannot be reached is one warning on `logger`.
 * @public
 */
export async function startOtel(settings: OtelSettings, logger?: ObserveLogger): Promise<OtelExport | undefined> {
  if (settings.exporter === 'disabled') return undefined;
  const endpoint = otlpEndpoint(settings.endpoint ?? DEFAULT_OTLP_ENDPOINTS[settings.exporter]);
  const { createOtelExport } = await import('./otel-sdk.js');
  return createOtelExport({ ...settings, exporter: settings.exporter, endpoint }, logger);
}

/** The endpoint as a URL without trailing slashes; anything but http(s) is refused. */
function otlpEndpoint(value: string): URL {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new AppError('INVALID_ARGUMENT', `otel.endpoint: "${value}" is not a URL (e.g. "http://127.0.0.1:4318")`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:')
    throw new AppError('INVALID_ARGUMENT', `otel.endpoint: must start with http:// or https:// (got ${url.protocol})`);
  url.pathname = url.pathname.replace(/\/+$/, '');
  url.search = '';
  url.hash = '';
  return url;
}

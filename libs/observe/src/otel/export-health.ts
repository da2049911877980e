import { ExportResultCode, type ExportResult } from '@opentelemetry/core';
import type { PushMetricExporter, ResourceMetrics } from '@opentelemetry/sdk-metrics';
import type { ReadableSpan, SpanExporter } from '@opentelemetry/sdk-trace';
import { errorMessage, safeInfo, safeWarn, type ObserveLogger } from '../runtime-ports.js';

/**
 * Says once that the collector cannot be reached (and once that it can again), however many
 * exports fail in between: an unreachable collector is one warning, never a log flood, and what
 * could not be sent is dropped.
 */
export class ExportHealth {
  private failing = false;

  constructor(
    private readonly endpoint: string,
    private readonly logger: ObserveLogger | undefined,
  ) {}

  /** Whether the last export failed. */
  get isFailing(): boolean {
    return this.failing;
  }

  record(signal: 'traces' | 'metrics', result: ExportResult): void {
    if (result.code === ExportResultCode.SUCCESS) {
      if (this.failing) safeInfo(this.logger, `OpenTelemetry export to ${this.endpoint} works again (${signal} sent)`);
      this.failing = false;
      return;
    }
    if (this.failing) return;
    this.failing = true;
    const why = result.error === undefined ? 'no answer' : errorMessage(result.error);
    safeWarn(
      this.logger,
      `OpenTelemetry export of ${signal} to ${this.endpoint} failed (${why}): telemetry is dropped until the collector answers; tasks go on unaffected`,
    );
  }
}

/** A span exporter whose results are reported to `health`; it never throws. */
export function watchedSpanExporter(inner: SpanExporter, health: ExportHealth): SpanExporter {
  return {
    export(spans: ReadableSpan[], done: (result: ExportResult) => void): void {
      const report = (result: ExportResult) => {
        health.record('traces', result);
        done(result);
      };
      try {
        inner.export(spans, report);
      } catch (error) {
        report({ code: ExportResultCode.FAILED, error: error instanceof Error ? error : new Error(String(error)) });
      }
    },
    shutdown: () => inner.shutdown(),
    forceFlush: () => inner.forceFlush?.() ?? Promise.resolve(),
  };
}

/** A metric exporter whose results are reported to `health`, keeping the inner one's temporality. */
export function watchedMetricExporter(inner: PushMetricExporter, health: ExportHealth): PushMetricExporter {
  const watched: PushMetricExporter = {
    export(metrics: ResourceMetrics, done: (result: ExportResult) => void): void {
      const report = (result: ExportResult) => {
        health.record('metrics', result);
        done(result);
      };
      try {
        inner.export(metrics, report);
      } catch (error) {
        report({ code: ExportResultCode.FAILED, error: error instanceof Error ? error : new Error(String(error)) });
      }
    },
    forceFlush: () => inner.forceFlush(),
    shutdown: () => inner.shutdown(),
  };
  if (inner.selectAggregationTemporality !== undefined)
    watched.selectAggregationTemporality = inner.selectAggregationTemporality.bind(inner);
  if (inner.selectAggregation !== undefined) watched.selectAggregation = inner.selectAggregation.bind(inner);
  return watched;
}

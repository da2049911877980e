import { AppError } from '@agent-harness/core';
import type { EventStore } from '@agent-harness/observe';
import type { Signal, SignalThresholds } from '../gc.types.js';
import type { DetectionContext } from './detection-context.js';
import {
  detectChronicBlocks,
  detectHotFiles,
  detectLinterViolations,
  detectRepeatedWarnings,
  detectSlowSessions,
} from './detectors.js';
import { MAX_SIGNALS, compareSignals } from './signal.js';
import { detectWarnEscalation } from './warn-escalation.js';

/** @public */
export interface DetectSignalsOptions {
  /** One project; absent: every project (events without a project are never counted). */
  readonly project?: string | undefined;
  /** Events from this instant on (inclusive); absent: from the first event. */
  readonly since?: string | undefined;
  /** Events before this instant (exclusive). */
  readonly until: string;
  readonly thresholds: SignalThresholds;
  /** `detectedAt` of the signals; default: now. */
  readonly now?: Date | undefined;
}

/** A count threshold: a whole number ≥ 1. */
const COUNTS = ['repeatedWarnMin', 'chronicBlockMin', 'hotFileEditsMin', 'slowOpCountMin', 'violationMin'] as const;

function checkThresholds(thresholds: SignalThresholds): void {
  for (const name of COUNTS) {
    const value = thresholds[name];
    if (!Number.isSafeInteger(value) || value < 1)
      throw new AppError('INVALID_ARGUMENT', `signal threshold ${name} is a whole number ≥ 1, not ${String(value)}`);
  }
  const { slowOpThresholdMs, escalationRatio } = thresholds;
  if (!Number.isSafeInteger(slowOpThresholdMs) || slowOpThresholdMs < 0)
    throw new AppError(
      'INVALID_ARGUMENT',
      `signal threshold slowOpThresholdMs is a whole number of milliseconds ≥ 0, not ${String(slowOpThresholdMs)}`,
    );
  if (!Number.isFinite(escalationRatio) || escalationRatio <= 0)
    throw new AppError(
      'INVALID_ARGUMENT',
      `signal threshold escalationRatio is a number above 0, not ${String(escalationRatio)}`,
    );
}

/**
 * The recurring problems in a window of telemetry (`since ≤ ts < until`), per project: each of
 * `SIGNAL_TYPES` over its thresholds. Everything is counted in the store (`countBy`, `earliest`,
 * `latest`, small bounded `query` pages for examples): the events are never all loaded. GC's own
 * events (`GC_EVENT_HOOKS`) are left out. Most urgent first (priority, then count, then key), at
 * most `MAX_SIGNALS`.
 * @public
 */
export async function detectSignals(store: EventStore, options: DetectSignalsOptions): Promise<Signal[]> {
  checkThresholds(options.thresholds);
  const ctx: DetectionContext = {
    store,
    window: { project: options.project, since: options.since, until: options.until },
    thresholds: options.thresholds,
    detectedAt: (options.now ?? new Date()).toISOString(),
  };
  // One after another: they share the store's single connection, and each is a few statements.
  const found: Signal[] = [];
  for (const detect of [
    detectChronicBlocks,
    detectWarnEscalation,
    detectRepeatedWarnings,
    detectLinterViolations,
    detectHotFiles,
    detectSlowSessions,
  ])
    found.push(...(await detect(ctx)));
  return found.sort(compareSignals).slice(0, MAX_SIGNALS);
}

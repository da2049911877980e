import { SEVERITIES, type Severity } from './telemetry-event.js';

/**
 * What one rule scan found, stored as JSON in the `detail` of its `rule_scan` event. The counts
 * are the scan's own, so they stay right even when not every violation was stored as an event.
 * @public
 */
export interface RuleScanSummary {
  readonly violations: Readonly<Record<Severity, number>>;
  readonly rulesLoaded: number;
  readonly guardsRun: number;
  readonly guardsFailed: number;
}

/** @public */
export function emptySeverityCounts(): Record<Severity, number> {
  return { critical: 0, high: 0, medium: 0, low: 0 };
}

const isCount = (value: unknown): value is number =>
  typeof value === 'number' && Number.isSafeInteger(value) && value >= 0;

/** The `detail` of a `rule_scan` event: a few dozen bytes of JSON. @public */
export function formatRuleScanSummary(summary: RuleScanSummary): string {
  const violations = emptySeverityCounts();
  for (const severity of SEVERITIES) violations[severity] = summary.violations[severity];
  return JSON.stringify({
    violations,
    rulesLoaded: summary.rulesLoaded,
    guardsRun: summary.guardsRun,
    guardsFailed: summary.guardsFailed,
  });
}

/**
 * The summary in a `rule_scan` event's `detail`, or `undefined` when it is missing or not the
 * shape `formatRuleScanSummary` writes (the text is read from the database: never trusted).
 * @public
 */
export function parseRuleScanSummary(detail: string | undefined): RuleScanSummary | undefined {
  if (detail === undefined) return undefined;
  let value: unknown;
  try {
    value = JSON.parse(detail);
  } catch {
    return undefined;
  }
  if (typeof value !== 'object' || value === null) return undefined;
  const record = value as Record<string, unknown>;
  const found = record['violations'];
  if (typeof found !== 'object' || found === null) return undefined;
  const counts = found as Record<string, unknown>;
  const violations = emptySeverityCounts();
  for (const severity of SEVERITIES) {
    const count = counts[severity];
    if (!isCount(count)) return undefined;
    violations[severity] = count;
  }
  const { rulesLoaded, guardsRun, guardsFailed } = record;
  if (!isCount(rulesLoaded) || !isCount(guardsRun) || !isCount(guardsFailed)) return undefined;
  return { violations, rulesLoaded, guardsRun, guardsFailed };
}

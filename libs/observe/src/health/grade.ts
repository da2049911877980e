import type { Grade } from '@agent-harness/core';

/** A health grade: A ≥ 90, B ≥ 75, C ≥ 60, D below (F is only ever a failed task's grade). @public */
export type HealthGrade = Exclude<Grade, 'F'>;

/** How often GC should run for a grade, as `[gc]` intervals are written. @public */
export type GcInterval = '7d' | '3d' | '1d' | '1h';

const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;

/** The grade of a 0–100 score, thresholds inclusive (90 is an A, 89.9 a B). @public */
export function gradeForScore(score: number): HealthGrade {
  if (score >= 90) return 'A';
  if (score >= 75) return 'B';
  if (score >= 60) return 'C';
  return 'D';
}

/** Healthy code is collected rarely, unhealthy code often: A 7 d, B 3 d, C 1 d, D 1 h. @public */
export const GC_INTERVALS: Readonly<Record<HealthGrade, { readonly interval: GcInterval; readonly ms: number }>> = {
  A: { interval: '7d', ms: 7 * DAY_MS },
  B: { interval: '3d', ms: 3 * DAY_MS },
  C: { interval: '1d', ms: DAY_MS },
  D: { interval: '1h', ms: HOUR_MS },
};

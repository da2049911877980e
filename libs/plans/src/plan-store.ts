import { AppError } from '@agent-harness/core';
import type { ExecPlan, PlanStatus } from './exec-plan.types.js';

/** @public */
export interface PlanListFilter {
  readonly project?: string | undefined;
  readonly status?: PlanStatus | undefined;
  /** Default 100, at most 1000 (larger values are capped); a whole number ≥ 1. */
  readonly limit?: number | undefined;
}

/** @public */
export const DEFAULT_PLAN_LIST_LIMIT = 100;
/** @public */
export const MAX_PLAN_LIST_LIMIT = 1000;

/** The limit a listing uses: the default when unset, capped at the maximum. @public */
export function planListLimit(limit: number | undefined): number {
  if (limit === undefined) return DEFAULT_PLAN_LIST_LIMIT;
  if (!Number.isSafeInteger(limit) || limit < 1)
    throw new AppError('INVALID_ARGUMENT', `limit: a whole number ≥ 1, not ${String(limit)}`, { details: { limit } });
  return Math.min(limit, MAX_PLAN_LIST_LIMIT);
}

/**
 * Where plans are kept. Implementations: the SQL tables of `@agent-harness/persistence` and
 * `InMemoryPlanStore`; both pass `planStoreContract`. A task is linked to at most one plan.
 * @public
 */
export abstract class PlanStore {
  /**
   * Stores the plan and answers it as stored, its `version` raised by one. Version 0 adds a new
   * plan (CONFLICT when the id exists); a higher one replaces the stored plan only while it still
   * has that version (CONFLICT when it changed meanwhile: read it again and redo the change;
   * NOT_FOUND when there is none). INVALID_ARGUMENT for a plan `checkPlan` refuses; CONFLICT when
   * a linked task is linked in another plan. A refused write stores nothing.
   */
  abstract save(plan: ExecPlan): Promise<ExecPlan>;
  abstract get(id: string): Promise<ExecPlan | undefined>;
  /** Most recently updated first (ties: id, descending). INVALID_ARGUMENT for a bad limit. */
  abstract list(filter?: PlanListFilter): Promise<ExecPlan[]>;
  /** The plan a task is linked to, if any. */
  abstract findByTask(taskId: string): Promise<ExecPlan | undefined>;
  /** Ids starting with `prefix` (lowercase hex), in order, at most `limit`; none for anything else. */
  abstract idsWithPrefix(prefix: string, limit: number): Promise<string[]>;
}

/** Whether `text` can start a plan id (what `idsWithPrefix` looks up). @public */
export const isHexPrefix = (text: string): boolean => /^[0-9a-f]{1,12}$/.test(text);

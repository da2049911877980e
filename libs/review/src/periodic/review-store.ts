import { AppError } from '@agent-harness/core';
import type { ReviewFinding } from './review-report.js';

/** How a periodic review is run: one reviewer, or two and a merge. @public */
export type ReviewStrategy = 'single' | 'cross';

/** @public */
export const REVIEW_RUN_STATUSES = ['done', 'failed'] as const;
/** `failed`: an agent failed or its review could not be read (`error` says why). @public */
export type ReviewRunStatus = (typeof REVIEW_RUN_STATUSES)[number];

/** One periodic review of a project, with its findings. @public */
export interface ReviewRun {
  readonly id: string;
  readonly project: string;
  /** The commit reviewed. */
  readonly head: string;
  /** The commit of the review before it; absent for the project's first. */
  readonly previousHead?: string | undefined;
  readonly strategy: ReviewStrategy;
  /** The agents that ran, the primary one first. */
  readonly agents: readonly string[];
  readonly status: ReviewRunStatus;
  readonly summary: string;
  readonly error?: string | undefined;
  readonly note?: string | undefined;
  readonly costUsd?: number | undefined;
  /** ISO-8601 UTC instants (`Date#toISOString`), so they compare as text. */
  readonly startedAt: string;
  readonly finishedAt: string;
  readonly durationMs: number;
  /** Empty for a failed run. */
  readonly findings: readonly ReviewFinding[];
}

/** @public */
export interface ReviewListFilter {
  readonly project?: string | undefined;
  /** Default 20, at most 100 (larger values are capped); a whole number ≥ 1. */
  readonly limit?: number | undefined;
}

/** @public */
export const DEFAULT_REVIEW_LIST_LIMIT = 20;
/** @public */
export const MAX_REVIEW_LIST_LIMIT = 100;

/** The limit a listing uses: the default when unset, capped at the maximum. @public */
export function reviewListLimit(limit: number | undefined): number {
  if (limit === undefined) return DEFAULT_REVIEW_LIST_LIMIT;
  if (!Number.isSafeInteger(limit) || limit < 1)
    throw new AppError('INVALID_ARGUMENT', `a review listing limit is a whole number ≥ 1, not ${String(limit)}`, {
      details: { limit },
    });
  return Math.min(limit, MAX_REVIEW_LIST_LIMIT);
}

/**
 * Where periodic reviews and their findings are kept. Implementations: the SQL tables of
 * `@agent-harness/persistence` and `InMemoryReviewStore`; both pass `reviewStoreContract`.
 * @public
 */
export abstract class ReviewStore {
  /**
   * Stores a run and its findings together (all or nothing). CONFLICT when a run with its id exists
   * or two of its findings share an id.
   */
  abstract save(run: ReviewRun): Promise<void>;
  abstract get(id: string): Promise<ReviewRun | undefined>;
  /**
   * Newest first (startedAt, then id, descending), each with its findings in the order saved.
   * INVALID_ARGUMENT for a limit that is not a whole number ≥ 1.
   */
  abstract list(filter: ReviewListFilter): Promise<ReviewRun[]>;
  /** The head of the project's newest `done` run: the next review looks at what came after it. */
  abstract lastReviewedHead(project: string): Promise<string | undefined>;
}

import { AppError } from '@agent-harness/core';
import type { Draft, DraftStatus, SignalType } from '../gc.types.js';

/**
 * What the index keeps of one draft: enough to list, filter and count drafts and to decide status
 * changes without reading every draft file. The file stays the whole record.
 * @public
 */
export interface DraftIndexEntry {
  readonly id: string;
  readonly project: string;
  readonly status: DraftStatus;
  readonly signalType: SignalType;
  readonly signalId: string;
  readonly signalKey: string;
  readonly priority: number;
  readonly artifactCount: number;
  readonly agent: string;
  readonly costUsd?: number | undefined;
  readonly generatedAt: string;
  readonly statusChangedAt?: string | undefined;
  readonly statusReason?: string | undefined;
  readonly taskId?: string | undefined;
}

/** @public */
export interface DraftListFilter {
  readonly project?: string | undefined;
  readonly status?: DraftStatus | undefined;
  /** Default 100, at most 1000 (larger values are capped); a whole number ≥ 1. */
  readonly limit?: number | undefined;
}

/**
 * What a status change sets besides the status. `statusReason` and `taskId` are set when present and
 * left as they were when absent.
 * @public
 */
export interface DraftStatusPatch {
  readonly statusChangedAt: string;
  readonly statusReason?: string;
  readonly taskId?: string;
}

/** @public */
export const DEFAULT_DRAFT_LIST_LIMIT = 100;
/** @public */
export const MAX_DRAFT_LIST_LIMIT = 1000;

/**
 * Where drafts are listed and where their status changes are decided. Implementations: the SQL
 * table of `@agent-harness/persistence` and `InMemoryDraftIndex`; both pass `draftIndexContract`.
 * Timestamps are ISO-8601 UTC strings as `Date#toISOString` writes them, so they compare as text.
 * @public
 */
export abstract class DraftIndex {
  /** Adds the entry, or replaces the one with its id. */
  abstract upsert(entry: DraftIndexEntry): Promise<void>;
  abstract get(id: string): Promise<DraftIndexEntry | undefined>;
  /** Newest generatedAt first (ties: id, descending). INVALID_ARGUMENT for a limit that is not a whole number ≥ 1. */
  abstract list(filter: DraftListFilter): Promise<DraftIndexEntry[]>;
  /**
   * Atomically: changes the status only when it is one of `from`, and answers whether it did. False
   * (nothing changed) for another status or an unknown id: the CONFLICT case, decided here so that of
   * two racing adopts exactly one wins.
   */
  abstract transition(
    id: string,
    from: readonly DraftStatus[],
    to: DraftStatus,
    patch: DraftStatusPatch,
  ): Promise<boolean>;
  /** Every status, zero included. */
  abstract countByStatus(project?: string): Promise<Record<DraftStatus, number>>;
  /** Ids of pending drafts generated before `cutoff` (exclusive), oldest first (ties: id ascending). */
  abstract pendingBefore(cutoff: string, limit: number): Promise<string[]>;
  /** A pending draft for this signal id in this project (the newest), if one exists: GC does not draft it twice. */
  abstract pendingForSignal(project: string, signalId: string): Promise<DraftIndexEntry | undefined>;
}

/** The index entry of a draft. @public */
export function draftIndexEntry(draft: Draft): DraftIndexEntry {
  return {
    id: draft.id,
    project: draft.project,
    status: draft.status,
    signalType: draft.signal.type,
    signalId: draft.signal.id,
    signalKey: draft.signal.key,
    priority: draft.signal.priority,
    artifactCount: draft.artifacts.length,
    agent: draft.agent,
    ...(draft.costUsd === undefined ? {} : { costUsd: draft.costUsd }),
    generatedAt: draft.generatedAt,
    ...(draft.statusChangedAt === undefined ? {} : { statusChangedAt: draft.statusChangedAt }),
    ...(draft.statusReason === undefined ? {} : { statusReason: draft.statusReason }),
    ...(draft.taskId === undefined ? {} : { taskId: draft.taskId }),
  };
}

/** The limit a listing uses: the default when unset, capped at the maximum. @public */
export function draftListLimit(limit: number | undefined): number {
  if (limit === undefined) return DEFAULT_DRAFT_LIST_LIMIT;
  if (!Number.isSafeInteger(limit) || limit < 1) {
    throw new AppError('INVALID_ARGUMENT', `a draft listing limit is a whole number ≥ 1, not ${String(limit)}`, {
      details: { limit },
    });
  }
  return Math.min(limit, MAX_DRAFT_LIST_LIMIT);
}

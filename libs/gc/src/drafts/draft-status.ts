import type { Draft } from '../gc.types.js';
import { draftIndexEntry, type DraftIndexEntry } from './draft-index.js';

type StatusFields = Pick<DraftIndexEntry, 'status' | 'generatedAt' | 'statusChangedAt' | 'statusReason' | 'taskId'>;

/** When the status last changed: its statusChangedAt, else (never changed) its generatedAt. */
export function lastStatusChange(fields: Pick<StatusFields, 'generatedAt' | 'statusChangedAt'>): string {
  return fields.statusChangedAt ?? fields.generatedAt;
}

/** The draft with the status, its time, reason and task of `entry`. */
export function withStatusOf(draft: Draft, entry: StatusFields): Draft {
  const { statusChangedAt: _at, statusReason: _reason, taskId: _task, ...rest } = draft;
  return {
    ...rest,
    status: entry.status,
    ...(entry.statusChangedAt === undefined ? {} : { statusChangedAt: entry.statusChangedAt }),
    ...(entry.statusReason === undefined ? {} : { statusReason: entry.statusReason }),
    ...(entry.taskId === undefined ? {} : { taskId: entry.taskId }),
  };
}

/**
 * The draft as file and index together say it is: where they disagree on its status, the side whose
 * status changed later wins, and on a tie the index (it decides status changes).
 */
export function settledDraft(draft: Draft, entry: DraftIndexEntry | undefined): Draft {
  if (entry === undefined || sameStatus(draft, entry)) return draft;
  return lastStatusChange(draft) > lastStatusChange(entry) ? draft : withStatusOf(draft, entry);
}

export function sameStatus(a: StatusFields, b: StatusFields): boolean {
  return (
    a.status === b.status &&
    a.statusChangedAt === b.statusChangedAt &&
    a.statusReason === b.statusReason &&
    a.taskId === b.taskId
  );
}

/** Whether the index entry says everything the draft's entry would. */
export function entryMatches(draft: Draft, entry: DraftIndexEntry): boolean {
  const expected = draftIndexEntry(draft);
  const keys = new Set([...Object.keys(expected), ...Object.keys(entry)]) as Set<keyof DraftIndexEntry>;
  return [...keys].every((key) => expected[key] === entry[key]);
}

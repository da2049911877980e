import type { DraftStatus } from '../../gc.types.js';
import {
  DraftIndex,
  draftListLimit,
  type DraftIndexEntry,
  type DraftListFilter,
  type DraftStatusPatch,
} from '../draft-index.js';

const newestFirst = (a: DraftIndexEntry, b: DraftIndexEntry): number =>
  a.generatedAt === b.generatedAt ? compareText(b.id, a.id) : compareText(b.generatedAt, a.generatedAt);

const compareText = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/**
 * The draft index in memory, for tests and for callers without a database. Passes the same
 * `draftIndexContract` as the SQL adapter. Entries are copied in and out, so callers cannot change
 * what it holds.
 * @public
 */
export class InMemoryDraftIndex extends DraftIndex {
  private readonly entries = new Map<string, DraftIndexEntry>();

  upsert(entry: DraftIndexEntry): Promise<void> {
    this.entries.set(entry.id, { ...entry });
    return Promise.resolve();
  }

  get(id: string): Promise<DraftIndexEntry | undefined> {
    const entry = this.entries.get(id);
    return Promise.resolve(entry === undefined ? undefined : { ...entry });
  }

  list(filter: DraftListFilter): Promise<DraftIndexEntry[]> {
    return Promise.resolve().then(() => {
      const limit = draftListLimit(filter.limit);
      return [...this.entries.values()]
        .filter((entry) => filter.project === undefined || entry.project === filter.project)
        .filter((entry) => filter.status === undefined || entry.status === filter.status)
        .sort(newestFirst)
        .slice(0, limit)
        .map((entry) => ({ ...entry }));
    });
  }

  transition(id: string, from: readonly DraftStatus[], to: DraftStatus, patch: DraftStatusPatch): Promise<boolean> {
    const entry = this.entries.get(id);
    if (entry === undefined || !from.includes(entry.status)) return Promise.resolve(false);
    this.entries.set(id, {
      ...entry,
      status: to,
      statusChangedAt: patch.statusChangedAt,
      ...(patch.statusReason === undefined ? {} : { statusReason: patch.statusReason }),
      ...(patch.taskId === undefined ? {} : { taskId: patch.taskId }),
    });
    return Promise.resolve(true);
  }

  countByStatus(project?: string): Promise<Record<DraftStatus, number>> {
    const counts: Record<DraftStatus, number> = { pending: 0, adopted: 0, rejected: 0, expired: 0 };
    for (const entry of this.entries.values()) {
      if (project === undefined || entry.project === project) counts[entry.status] += 1;
    }
    return Promise.resolve(counts);
  }

  pendingBefore(cutoff: string, limit: number): Promise<string[]> {
    return Promise.resolve().then(() =>
      [...this.entries.values()]
        .filter((entry) => entry.status === 'pending' && entry.generatedAt < cutoff)
        .sort(newestFirst)
        .reverse()
        .slice(0, draftListLimit(limit))
        .map((entry) => entry.id),
    );
  }

  pendingForSignal(project: string, signalId: string): Promise<DraftIndexEntry | undefined> {
    const found = [...this.entries.values()]
      .filter((entry) => entry.status === 'pending' && entry.project === project && entry.signalId === signalId)
      .sort(newestFirst)[0];
    return Promise.resolve(found === undefined ? undefined : { ...found });
  }
}

import { AppError } from '@agent-harness/core';
import { ReviewStore, reviewListLimit, type ReviewListFilter, type ReviewRun } from '../review-store.js';

const compareText = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

const newestFirst = (a: ReviewRun, b: ReviewRun): number =>
  a.startedAt === b.startedAt ? compareText(b.id, a.id) : compareText(b.startedAt, a.startedAt);

/**
 * Periodic reviews in memory, for tests and for callers without a database. Passes the same
 * `reviewStoreContract` as the SQL adapter. Runs are copied in and out.
 * @public
 */
export class InMemoryReviewStore extends ReviewStore {
  private readonly runs = new Map<string, ReviewRun>();

  save(run: ReviewRun): Promise<void> {
    return Promise.resolve().then(() => {
      if (this.runs.has(run.id)) throw new AppError('CONFLICT', `review run ${run.id} exists`);
      if (new Set(run.findings.map((f) => f.id)).size !== run.findings.length)
        throw new AppError('CONFLICT', `review run ${run.id} has two findings with one id`);
      this.runs.set(run.id, structuredClone(run));
    });
  }

  get(id: string): Promise<ReviewRun | undefined> {
    const run = this.runs.get(id);
    return Promise.resolve(run === undefined ? undefined : structuredClone(run));
  }

  list(filter: ReviewListFilter): Promise<ReviewRun[]> {
    return Promise.resolve().then(() => {
      const limit = reviewListLimit(filter.limit);
      return [...this.runs.values()]
        .filter((run) => filter.project === undefined || run.project === filter.project)
        .sort(newestFirst)
        .slice(0, limit)
        .map((run) => structuredClone(run));
    });
  }

  lastReviewedHead(project: string): Promise<string | undefined> {
    const [last] = [...this.runs.values()]
      .filter((run) => run.project === project && run.status === 'done')
      .sort(newestFirst);
    return Promise.resolve(last?.head);
  }
}

import { AppError } from '@agent-harness/core';
import { checkPlan } from '../check-plan.js';
import type { ExecPlan } from '../exec-plan.types.js';
import { PlanStore, isHexPrefix, planListLimit, type PlanListFilter } from '../plan-store.js';

const newestFirst = (a: ExecPlan, b: ExecPlan): number =>
  a.updatedAt === b.updatedAt ? compareText(b.id, a.id) : compareText(b.updatedAt, a.updatedAt);

const compareText = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/** A deep copy: callers can neither change what the store holds nor see later changes. */
const copy = (plan: ExecPlan): ExecPlan => structuredClone(plan);

/**
 * Plans in memory, for tests and for callers without a database. Passes the same
 * `planStoreContract` as the SQL adapter.
 * @public
 */
export class InMemoryPlanStore extends PlanStore {
  private readonly plans = new Map<string, ExecPlan>();

  save(plan: ExecPlan): Promise<ExecPlan> {
    return Promise.resolve().then(() => {
      const checked = checkPlan(plan);
      const stored = this.plans.get(checked.id);
      if (checked.version === 0 && stored !== undefined)
        throw new AppError('CONFLICT', `plan ${checked.id} already exists`);
      if (checked.version > 0) {
        if (stored === undefined) throw new AppError('NOT_FOUND', `no plan ${checked.id}`);
        if (stored.version !== checked.version)
          throw new AppError(
            'CONFLICT',
            `plan ${checked.id} changed meanwhile (version ${String(stored.version)}, not ${String(checked.version)}): read it again`,
          );
      }
      for (const link of checked.taskLinks) {
        const other = [...this.plans.values()].find(
          (p) => p.id !== checked.id && p.taskLinks.some((l) => l.taskId === link.taskId),
        );
        if (other !== undefined)
          throw new AppError('CONFLICT', `task ${link.taskId} is already linked to plan ${other.id}`);
      }
      const saved = { ...checked, version: checked.version + 1 };
      this.plans.set(saved.id, copy(saved));
      return copy(saved);
    });
  }

  get(id: string): Promise<ExecPlan | undefined> {
    const plan = this.plans.get(id);
    return Promise.resolve(plan === undefined ? undefined : copy(plan));
  }

  list(filter: PlanListFilter = {}): Promise<ExecPlan[]> {
    return Promise.resolve().then(() => {
      const limit = planListLimit(filter.limit);
      return [...this.plans.values()]
        .filter((p) => filter.project === undefined || p.project === filter.project)
        .filter((p) => filter.status === undefined || p.status === filter.status)
        .sort(newestFirst)
        .slice(0, limit)
        .map(copy);
    });
  }

  findByTask(taskId: string): Promise<ExecPlan | undefined> {
    const plan = [...this.plans.values()].find((p) => p.taskLinks.some((l) => l.taskId === taskId));
    return Promise.resolve(plan === undefined ? undefined : copy(plan));
  }

  idsWithPrefix(prefix: string, limit: number): Promise<string[]> {
    if (!isHexPrefix(prefix)) return Promise.resolve([]);
    return Promise.resolve(
      [...this.plans.keys()]
        .filter((id) => id.startsWith(prefix))
        .sort()
        .slice(0, planListLimit(limit)),
    );
  }
}

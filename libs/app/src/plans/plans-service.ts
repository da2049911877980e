import { AppError, type HarnessConfig } from '@agent-harness/core';
import {
  PLAN_STATUSES,
  TASK_LINK_OUTCOMES,
  applyPlanUpdate,
  isOpenPlan,
  isPlanId,
  isPlanIdPrefix,
  newPlanId,
  planFromSpec,
  planToMarkdown,
  recordTaskEnd,
  type ExecPlan,
  type PlanListFilter,
  type PlanStore,
  type PlanUpdate,
  type TaskLinkOutcome,
} from '@agent-harness/plans';
import type { TaskRepository } from '@agent-harness/queue';
import { watchTaskEnd, type TaskEndWatcher, type TaskEventsWatch } from '../tasks/task-end-watch.js';

/** @public */
export interface PlansServiceDeps {
  readonly store: PlanStore;
  readonly tasks: TaskRepository;
  /**
   * A task's events from now until its `end`, which an ended task gives at once (the engine's
   * `follow(taskId, 'now')`).
   */
  readonly follow: (taskId: string) => TaskEventsWatch;
  /** `[[projects]]`: the default project names a plan that names none. */
  readonly config: Pick<HarnessConfig, 'projects'>;
  readonly now?: (() => Date) | undefined;
  readonly newId?: (() => string) | undefined;
  readonly logger?: { log(message: string): void; error(message: string): void } | undefined;
}

/** @public */
export interface PlanSpec {
  /** The spec's Markdown. */
  readonly spec: string;
  /** A project name; default the configured default project. */
  readonly project?: string | undefined;
}

/** What `reconcile` found: the links it settled and the tasks it now watches. @public */
export interface PlanReconcileReport {
  readonly settled: readonly { readonly planId: string; readonly taskId: string; readonly outcome: TaskLinkOutcome }[];
  readonly watching: number;
}

/** A task id no task has: `checkLink` tries the link with it. */
const LINK_PROBE_TASK_ID = 'link-check';

/** Tries of a read-change-write that lost a race to another writer of the same plan. */
const SAVE_TRIES = 5;
/** Plans looked at by `reconcile`, per status (a listing bound). */
const RECONCILE_LIMIT = 1000;

const outcomeOf = (status: string): TaskLinkOutcome | undefined => TASK_LINK_OUTCOMES.find((o) => o === status);

/**
 * Exec plans for the CLI, the server and JSON-RPC: made from a spec, read by id or prefix, listed,
 * updated, and linked to tasks. A linked task that ends `done` completes its milestone: live,
 * through the engine's task events; on `start` (`reconcile`) for links whose task ended while
 * nobody watched; and whenever a plan is read, so what is shown is never behind the tasks.
 * @public
 */
export class PlansService {
  private readonly now: () => Date;
  private readonly newId: () => string;
  /** The live watches, by task id. */
  private readonly watches = new Map<string, { unsubscribe(): void }>();
  /** Changes of one plan in this process run one after the other. */
  private readonly chains = new Map<string, Promise<unknown>>();
  private readonly pending = new Set<Promise<unknown>>();
  private closed = false;
  private readonly endWatcher: TaskEndWatcher = {
    watches: this.watches,
    closed: () => this.closed,
    follow: (taskId) => this.deps.follow(taskId),
  };

  constructor(private readonly deps: PlansServiceDeps) {
    this.now = deps.now ?? (() => new Date());
    this.newId = deps.newId ?? newPlanId;
  }

  /** A draft plan from a spec (see `planFromSpec`), stored. */
  async init(input: PlanSpec): Promise<ExecPlan> {
    const project = input.project ?? this.defaultProject();
    const plan = planFromSpec(input.spec, { id: this.newId(), project, now: this.now() });
    return this.deps.store.save(plan);
  }

  /**
   * A plan by its id or the id's first 4+ characters, with its links settled. NOT_FOUND when no
   * plan has it; INVALID_ARGUMENT when it is not an id or a prefix matches several plans.
   */
  async get(idOrPrefix: string): Promise<ExecPlan> {
    const plan = await this.deps.store.get(await this.resolveId(idOrPrefix));
    if (plan === undefined) throw new AppError('NOT_FOUND', `no plan ${idOrPrefix}`);
    return this.settle(plan);
  }

  /** Plans, most recently updated first, with their links settled. */
  async list(filter: PlanListFilter = {}): Promise<ExecPlan[]> {
    const plans = await this.deps.store.list(filter);
    return Promise.all(plans.map((plan) => this.settle(plan)));
  }

  /** Applies one update (see `applyPlanUpdate`); `link_task` goes through `linkTask`. */
  async update(idOrPrefix: string, update: PlanUpdate): Promise<ExecPlan> {
    const id = await this.resolveId(idOrPrefix);
    if (update.action === 'link_task') return this.linkTask(id, update.taskId, update.milestone);
    return this.change(id, (plan) => applyPlanUpdate(plan, update, this.now()));
  }

  /**
   * Links a task (its id or an id prefix) to milestone `milestone` (0-based) of a plan, and
   * watches it: when it ends `done` the milestone is completed. A task that already ended `done`
   * completes it at once. NOT_FOUND for an unknown task; CONFLICT for a task that failed or was
   * cancelled, or one linked to another plan.
   */
  async linkTask(planIdOrPrefix: string, taskIdOrPrefix: string, milestone: number): Promise<ExecPlan> {
    const planId = await this.resolveId(planIdOrPrefix);
    const taskId = await this.resolveTaskId(taskIdOrPrefix);
    const task = await this.deps.tasks.get(taskId);
    if (task === undefined) throw new AppError('NOT_FOUND', `no task ${taskIdOrPrefix}`);
    if (task.status === 'failed' || task.status === 'cancelled')
      throw new AppError('CONFLICT', `task ${taskId} already ended ${task.status}: link a task that can still finish`);
    const other = await this.deps.store.findByTask(taskId);
    if (other !== undefined && other.id !== planId)
      throw new AppError('CONFLICT', `task ${taskId} is already linked to plan ${other.id}`);
    const linked = await this.change(planId, (plan) =>
      applyPlanUpdate(plan, { action: 'link_task', taskId, milestone }, this.now()),
    );
    this.watch(planId, taskId);
    return this.settle(linked);
  }

  /**
   * Throws as `linkTask` would for this plan and milestone (an unknown or closed plan, no such
   * milestone, no room for another link), before there is a task to link: a submit checks this
   * first, so a bad link queues nothing.
   */
  async checkLink(planIdOrPrefix: string, milestone: number): Promise<void> {
    const plan = await this.get(planIdOrPrefix);
    applyPlanUpdate(plan, { action: 'link_task', taskId: LINK_PROBE_TASK_ID, milestone }, this.now());
  }

  /** The plan's Markdown file content (`exec-plan-<id>.md`). */
  markdown(plan: ExecPlan): string {
    return planToMarkdown(plan);
  }

  /**
   * Settles every open link of the open plans whose task has ended (it may have ended while no
   * process watched: a restart, a task run by another process) and watches the others. Run at
   * start; never throws: a plan it cannot read or settle is logged and left for the next read.
   */
  async reconcile(): Promise<PlanReconcileReport> {
    const settled: { planId: string; taskId: string; outcome: TaskLinkOutcome }[] = [];
    const failed = (what: string, error: unknown): void => {
      this.deps.logger?.error(`plans: ${what}: ${error instanceof Error ? error.message : String(error)}`);
    };
    for (const status of PLAN_STATUSES.filter((s) => isOpenPlan({ status: s }))) {
      let plans: ExecPlan[];
      try {
        plans = await this.deps.store.list({ status, limit: RECONCILE_LIMIT });
      } catch (error) {
        failed(`could not list the ${status} plans`, error);
        continue;
      }
      for (const plan of plans) {
        const open = plan.taskLinks.filter((l) => l.outcome === undefined);
        for (const link of open) this.watch(plan.id, link.taskId);
        try {
          const after = await this.settle(plan);
          for (const link of open) {
            const outcome = after.taskLinks.find((l) => l.taskId === link.taskId)?.outcome;
            if (outcome !== undefined) settled.push({ planId: plan.id, taskId: link.taskId, outcome });
          }
        } catch (error) {
          failed(`could not settle the tasks of plan ${plan.id}`, error);
        }
      }
    }
    return { settled, watching: this.watches.size };
  }

  /** Ends every watch and waits for the changes under way (before the engine and database close). */
  async close(): Promise<void> {
    this.closed = true;
    for (const subscription of this.watches.values()) subscription.unsubscribe();
    this.watches.clear();
    await Promise.allSettled([...this.pending]);
  }

  private defaultProject(): string {
    const { projects } = this.deps.config;
    const chosen = projects.find((p) => p.default) ?? projects[0];
    if (chosen === undefined)
      throw new AppError('INVALID_ARGUMENT', 'project: no project is configured; name the project the plan is for');
    return chosen.name;
  }

  private async resolveId(idOrPrefix: string): Promise<string> {
    if (isPlanId(idOrPrefix)) return idOrPrefix;
    if (!isPlanIdPrefix(idOrPrefix))
      throw new AppError(
        'INVALID_ARGUMENT',
        `plan id: 12 lowercase hex characters or at least their first 4, not ${JSON.stringify(idOrPrefix.slice(0, 40))}`,
      );
    const ids = await this.deps.store.idsWithPrefix(idOrPrefix, 2);
    const [only] = ids;
    if (only === undefined) throw new AppError('NOT_FOUND', `no plan ${idOrPrefix}`);
    if (ids.length > 1)
      throw new AppError('INVALID_ARGUMENT', `plan id: ${idOrPrefix} starts several plans' ids; give more of it`);
    return only;
  }

  /** A task id as given, else the one task whose id starts with it (as `harness tasks show` accepts). */
  private async resolveTaskId(idOrPrefix: string): Promise<string> {
    if ((await this.deps.tasks.get(idOrPrefix)) !== undefined || !/^[0-9a-f-]{4,63}$/.test(idOrPrefix))
      return idOrPrefix;
    const ids = await this.deps.tasks.findIdsByPrefix(idOrPrefix, 2);
    if (ids.length > 1)
      throw new AppError('INVALID_ARGUMENT', `task_id: ${idOrPrefix} starts several tasks' ids; give more of it`);
    return ids[0] ?? idOrPrefix;
  }

  /** Records the end of every open link whose task has ended; the plan as it is afterwards. */
  private async settle(plan: ExecPlan): Promise<ExecPlan> {
    let current = plan;
    for (const link of plan.taskLinks) {
      if (link.outcome !== undefined) continue;
      const task = await this.deps.tasks.get(link.taskId);
      const outcome = task === undefined ? undefined : outcomeOf(task.status);
      if (outcome === undefined) continue;
      current = await this.recordEnd(plan.id, link.taskId, outcome);
    }
    return current;
  }

  private async recordEnd(planId: string, taskId: string, outcome: TaskLinkOutcome): Promise<ExecPlan> {
    const result = { ticked: false };
    const plan = await this.change(planId, (p) => {
      const next = recordTaskEnd(p, taskId, outcome, this.now());
      result.ticked = next?.progress.some((m, i) => m.completed !== p.progress[i]?.completed) === true;
      return next;
    });
    if (result.ticked) {
      const milestone = plan.taskLinks.find((l) => l.taskId === taskId)?.milestone;
      this.deps.logger?.log(`plan ${planId}: milestone ${String(milestone)} completed by task ${taskId}`);
    }
    return plan;
  }

  /**
   * Reads the plan, applies `change` and stores the result; again from a fresh read when another
   * writer stored the plan meanwhile. `change` answering undefined means nothing to store.
   */
  private change(planId: string, change: (plan: ExecPlan) => ExecPlan | undefined): Promise<ExecPlan> {
    const run = async (): Promise<ExecPlan> => {
      for (let attempt = 1; ; attempt++) {
        const plan = await this.deps.store.get(planId);
        if (plan === undefined) throw new AppError('NOT_FOUND', `no plan ${planId}`);
        const next = change(plan);
        if (next === undefined) return plan;
        try {
          return await this.deps.store.save(next);
        } catch (error) {
          const raced =
            error instanceof AppError &&
            error.code === 'CONFLICT' &&
            (await this.deps.store.get(planId))?.version !== plan.version;
          if (!raced || attempt >= SAVE_TRIES) throw error;
        }
      }
    };
    const previous = this.chains.get(planId) ?? Promise.resolve();
    const next = previous.then(run, run);
    const tail = next.catch(() => undefined);
    this.chains.set(planId, tail);
    void tail.then(() => {
      if (this.chains.get(planId) === tail) this.chains.delete(planId);
    });
    return this.tracked(next);
  }

  /** Follows a linked task's events; when they end (after its `end`), its link is settled. */
  private watch(planId: string, taskId: string): void {
    watchTaskEnd(this.endWatcher, taskId, () => {
      void this.tracked(
        this.deps.store
          .get(planId)
          .then((plan) => (plan === undefined ? undefined : this.settle(plan)))
          .catch((error: unknown) => {
            this.deps.logger?.error(
              `plan ${planId}: could not record the end of task ${taskId}: ${error instanceof Error ? error.message : String(error)}`,
            );
          }),
      );
    });
  }

  private tracked<T>(work: Promise<T>): Promise<T> {
    this.pending.add(work);
    void work.then(
      () => this.pending.delete(work),
      () => this.pending.delete(work),
    );
    return work;
  }
}

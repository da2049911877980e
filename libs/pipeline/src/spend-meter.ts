import {
  costOfUsage,
  priceOf,
  spendDayOf,
  ZERO_USAGE,
  addUsage,
  type AgentEvent,
  type DayBoundary,
  type ModelPrice,
  type PriceSource,
  type SpendDay,
  type TokenUsage,
} from '@agent-harness/core';
import type { UsageLedger } from '@agent-harness/queue';

/** `[limits]`, `[[projects]] daily_usd` and `[pricing]`, as the engine uses them. @public */
export interface SpendLimits {
  /** A task's runs together; crossing it stops the run and fails the task (class `budget`). */
  readonly taskMaxUsd?: number | undefined;
  readonly taskMaxTurns?: number | undefined;
  /** All projects, per spend day: when spent, queued tasks wait for the next day. */
  readonly dailyUsd?: number | undefined;
  /** Per project, per spend day. */
  readonly projectDailyUsd?: ReadonlyMap<string, number> | undefined;
  readonly day: DayBoundary;
  /** USD per million tokens by model (see priceOf), for agents that report no dollars. */
  readonly prices: Readonly<Record<string, ModelPrice>>;
  /** The model each agent runs when a task names none (priced when the agent does not say). */
  readonly defaultModels?: Readonly<Record<string, string | undefined>> | undefined;
}

/** Why queued tasks of a project wait: a daily limit spent, until the day turns. @public */
export interface BudgetHold {
  readonly reason: 'budget';
  /** Which limit: all projects' (`[limits] daily_usd`) or the project's own. */
  readonly scope: 'global' | 'project';
  readonly spentUsd: number;
  readonly limitUsd: number;
  /** When the next spend day starts (ISO 8601). */
  readonly until: string;
}

/** Why a run was stopped by a limit. */
export type BudgetStop =
  | { readonly kind: 'task'; readonly message: string }
  | { readonly kind: 'daily'; readonly until: string; readonly message: string };

/** Today's spend: what the ledger holds and what runs in progress have spent so far. */
export interface TodaySpend {
  readonly day: SpendDay;
  readonly totalUsd: number;
  readonly byProject: ReadonlyMap<string, number>;
}

// Codex counts cached input inside `inputTokens`; Claude and the Anthropic API count it apart.
const CACHED_INSIDE_INPUT = new Set(['codex']);

const usd = (n: number): string => `$${n.toFixed(2)}`;

/**
 * Measures spend and holds the limits: the queue against the daily limits (global and per
 * project), and each agent run against its task's limits and the daily ones, turn by turn. The
 * runs in progress on this server count with what the ledger holds.
 * @public
 */
export class SpendMeter {
  private readonly inFlight = new Map<object, { readonly project: string; costUsd: number }>();

  constructor(
    private readonly deps: {
      readonly ledger: UsageLedger;
      readonly limits: SpendLimits;
      readonly now: () => Date;
    },
  ) {}

  get limits(): SpendLimits {
    return this.deps.limits;
  }

  async today(): Promise<TodaySpend> {
    const day = spendDayOf(this.deps.now(), this.deps.limits.day);
    const stored = await this.deps.ledger.spentOn(day.day);
    const byProject = new Map(stored.byProject);
    let totalUsd = stored.totalUsd;
    for (const run of this.inFlight.values()) {
      totalUsd += run.costUsd;
      byProject.set(run.project, (byProject.get(run.project) ?? 0) + run.costUsd);
    }
    return { day, totalUsd, byProject };
  }

  /**
   * The daily limit that holds a project's tasks now, if one does: one that is spent (reached). With
   * `crossed`, only one gone past (a run that spends exactly up to a limit may finish).
   */
  holdOf(today: TodaySpend, project: string, crossed = false): BudgetHold | undefined {
    const { dailyUsd, projectDailyUsd } = this.deps.limits;
    const over = (spent: number, limit: number): boolean => (crossed ? spent > limit : spent >= limit);
    const until = today.day.end.toISOString();
    if (dailyUsd !== undefined && over(today.totalUsd, dailyUsd))
      return { reason: 'budget', scope: 'global', spentUsd: today.totalUsd, limitUsd: dailyUsd, until };
    const own = projectDailyUsd?.get(project);
    const spent = today.byProject.get(project) ?? 0;
    if (own !== undefined && over(spent, own))
      return { reason: 'budget', scope: 'project', spentUsd: spent, limitUsd: own, until };
    return undefined;
  }

  /** Whether any daily limit is set (without one, the queue never waits for budget). */
  get hasDailyLimits(): boolean {
    return this.deps.limits.dailyUsd !== undefined || (this.deps.limits.projectDailyUsd?.size ?? 0) > 0;
  }

  /** Meters one agent run of a task. */
  startRun(run: {
    taskId: string;
    project: string;
    agent: string;
    role: string;
    model?: string | undefined;
  }): RunMeter {
    const entry = { project: run.project, costUsd: 0 };
    const key = {};
    this.inFlight.set(key, entry);
    return new RunMeter(this, this.deps, run, entry, () => this.inFlight.delete(key));
  }
}

/** One agent run's spend, turn by turn, against its task's and the daily limits. */
export class RunMeter {
  turns = 0;
  usage: TokenUsage = ZERO_USAGE;
  private model: string | undefined;
  private prior = { costUsd: 0, turns: 0 };
  private reportedSteps = 0;
  private pricedSteps = 0;

  constructor(
    private readonly meter: SpendMeter,
    private readonly deps: { readonly ledger: UsageLedger; readonly limits: SpendLimits; readonly now: () => Date },
    private readonly run: { taskId: string; project: string; agent: string; role: string; model?: string | undefined },
    private readonly entry: { costUsd: number },
    private readonly release: () => void,
  ) {
    this.model = run.model ?? deps.limits.defaultModels?.[run.agent];
  }

  /** What the task's earlier runs spent; answers a stop when a limit is already reached. */
  async begin(): Promise<BudgetStop | undefined> {
    this.prior = await this.deps.ledger.taskTotals(this.run.taskId);
    return this.check(false);
  }

  /** What is left of the task's limits, for agents that take them (`--max-budget-usd`, `--max-turns`). */
  remaining(): { readonly budgetUsd?: number | undefined; readonly maxTurns?: number | undefined } {
    const { taskMaxUsd, taskMaxTurns } = this.deps.limits;
    return {
      budgetUsd: taskMaxUsd === undefined ? undefined : Math.max(0.01, round(taskMaxUsd - this.prior.costUsd)),
      maxTurns: taskMaxTurns === undefined ? undefined : Math.max(1, taskMaxTurns - this.prior.turns),
    };
  }

  /** This run's spend so far. */
  get costUsd(): number {
    return this.entry.costUsd;
  }

  /** Takes an event of the run into account; answers a stop when a `usage` event crossed a limit. */
  async onEvent(event: AgentEvent): Promise<BudgetStop | undefined> {
    if (event.type === 'session_started' && event.model !== undefined) this.model = event.model;
    if (event.type !== 'usage') return undefined;
    this.turns += 1;
    const step: TokenUsage = {
      inputTokens: event.inputTokens,
      cachedInputTokens: event.cachedInputTokens,
      cacheWriteTokens: event.cacheWriteTokens,
      outputTokens: event.outputTokens,
    };
    this.usage = addUsage(this.usage, step);
    if (event.costUsd !== undefined) {
      this.reportedSteps += 1;
      this.entry.costUsd += event.costUsd;
    } else {
      this.pricedSteps += 1;
      this.entry.costUsd += this.price(step).costUsd;
    }
    return this.check(true);
  }

  private price(usage: TokenUsage): { costUsd: number; source: PriceSource } {
    const { price, source } = priceOf(this.deps.limits.prices, this.model);
    return { costUsd: costOfUsage(price, usage, CACHED_INSIDE_INPUT.has(this.run.agent)), source };
  }

  /** Before a run (`crossed` false), a reached daily limit stops it; during one, only a crossed one. */
  private async check(crossed: boolean): Promise<BudgetStop | undefined> {
    const { taskMaxUsd, taskMaxTurns } = this.deps.limits;
    const over = (spent: number, limit: number): boolean => (crossed ? spent > limit : spent >= limit);
    const taskCost = this.prior.costUsd + this.entry.costUsd;
    if (taskMaxUsd !== undefined && over(taskCost, taskMaxUsd))
      return {
        kind: 'task',
        message: `the task spent ${usd(taskCost)}, its limit is ${usd(taskMaxUsd)} ([limits] task_max_usd)`,
      };
    const turns = this.prior.turns + this.turns;
    if (taskMaxTurns !== undefined && (crossed ? turns > taskMaxTurns : turns >= taskMaxTurns))
      return {
        kind: 'task',
        message: `the task took ${String(turns)} turns, its limit is ${String(taskMaxTurns)} ([limits] task_max_turns)`,
      };
    if (!this.meter.hasDailyLimits) return undefined;
    const hold = this.meter.holdOf(await this.meter.today(), this.run.project, crossed);
    if (hold === undefined) return undefined;
    const which = hold.scope === 'global' ? '[limits] daily_usd' : `project "${this.run.project}" daily_usd`;
    return {
      kind: 'daily',
      until: hold.until,
      message: `today's spend ${usd(hold.spentUsd)} reached the daily limit ${usd(hold.limitUsd)} (${which}); waits until ${hold.until}`,
    };
  }

  /** Forgets a run that never started (a limit was reached before it): nothing is recorded. */
  discard(): void {
    this.release();
  }

  /**
   * Records the run in the ledger: the agent's reported total when it gives one (it replaces the
   * estimate), else what the turns were priced at. Answers the run's cost.
   */
  async finish(result: { readonly usage: TokenUsage; readonly costUsd?: number | undefined }): Promise<number> {
    try {
      const usage = isZero(result.usage) ? this.usage : result.usage;
      let costUsd = this.entry.costUsd;
      let pricedBy: PriceSource;
      if (result.costUsd !== undefined) {
        costUsd = result.costUsd;
        pricedBy = 'reported';
      } else if (this.reportedSteps > 0 && this.pricedSteps === 0) {
        pricedBy = 'reported';
      } else if (this.turns === 0 && !isZero(usage)) {
        // Usage only at the end: priced now.
        const priced = this.price(usage);
        costUsd = priced.costUsd;
        pricedBy = priced.source;
      } else {
        pricedBy = this.price(ZERO_USAGE).source;
      }
      const now = this.deps.now();
      await this.deps.ledger.record({
        taskId: this.run.taskId,
        project: this.run.project,
        agent: this.run.agent,
        role: this.run.role,
        model: this.model,
        day: spendDayOf(now, this.deps.limits.day).day,
        at: now.toISOString(),
        ...usage,
        turns: this.turns,
        costUsd,
        pricedBy,
      });
      return costUsd;
    } finally {
      this.release();
    }
  }
}

function isZero(usage: TokenUsage): boolean {
  return usage.inputTokens + usage.cachedInputTokens + usage.cacheWriteTokens + usage.outputTokens === 0;
}

function round(n: number): number {
  return Math.round(n * 100) / 100;
}

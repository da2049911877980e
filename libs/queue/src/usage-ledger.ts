import type { PriceSource } from '@agent-harness/core';

/** What one agent run of a task used and cost, recorded when the run ends. @public */
export interface UsageRecord {
  readonly taskId: string;
  readonly project: string;
  readonly agent: string;
  /** `implementer` or `reviewer`. */
  readonly role: string;
  /** The model that ran, as the agent named it (or as asked); undefined when nobody said. */
  readonly model?: string | undefined;
  /** The spend day the run ended in ("YYYY-MM-DD", see spendDayOf). */
  readonly day: string;
  /** When the run ended (ISO 8601). */
  readonly at: string;
  readonly inputTokens: number;
  readonly cachedInputTokens: number;
  readonly cacheWriteTokens: number;
  readonly outputTokens: number;
  /** Model turns (one per `usage` event). */
  readonly turns: number;
  readonly costUsd: number;
  /** Where `costUsd` comes from: the agent's report, the price table, or its fallback (a guess). */
  readonly pricedBy: PriceSource;
}

/** Which records a usage summary counts; days are spend days, inclusive. @public */
export interface UsageQuery {
  readonly since?: string | undefined;
  readonly until?: string | undefined;
  readonly project?: string | undefined;
}

/** Usage added up by day, project, agent and model. @public */
export interface UsageGroup {
  readonly day: string;
  readonly project: string;
  readonly agent: string;
  /** Undefined when the runs did not say. */
  readonly model?: string | undefined;
  readonly runs: number;
  readonly turns: number;
  readonly inputTokens: number;
  readonly cachedInputTokens: number;
  readonly cacheWriteTokens: number;
  readonly outputTokens: number;
  readonly costUsd: number;
  /** Runs whose cost was guessed at the fallback price (their model is not in `[pricing]`). */
  readonly fallbackRuns: number;
}

/** What a day has cost so far: in all and per project. @public */
export interface DaySpend {
  readonly totalUsd: number;
  readonly byProject: ReadonlyMap<string, number>;
}

/**
 * The spend ledger: one record per agent run. Daily limits read a day's spend from it, task limits
 * a task's, and `GET /api/usage` its summaries.
 * @public
 */
export abstract class UsageLedger {
  abstract record(run: UsageRecord): Promise<void>;
  /** What a spend day has cost. */
  abstract spentOn(day: string): Promise<DaySpend>;
  /** What a task's runs have cost and how many turns they took. */
  abstract taskTotals(taskId: string): Promise<{ readonly costUsd: number; readonly turns: number }>;
  /** Records added up by day, project, agent and model; ordered by day, then project, agent, model. */
  abstract summary(query: UsageQuery): Promise<UsageGroup[]>;
}

/** Adds records up by day, project, agent and model, in the ledger's order. @public */
export function summarizeUsage(records: readonly UsageRecord[], query: UsageQuery): UsageGroup[] {
  const groups = new Map<string, UsageGroup>();
  for (const r of records) {
    if (query.since !== undefined && r.day < query.since) continue;
    if (query.until !== undefined && r.day > query.until) continue;
    if (query.project !== undefined && r.project !== query.project) continue;
    const key = JSON.stringify([r.day, r.project, r.agent, r.model ?? null]);
    const g = groups.get(key);
    groups.set(key, {
      day: r.day,
      project: r.project,
      agent: r.agent,
      model: r.model,
      runs: (g?.runs ?? 0) + 1,
      turns: (g?.turns ?? 0) + r.turns,
      inputTokens: (g?.inputTokens ?? 0) + r.inputTokens,
      cachedInputTokens: (g?.cachedInputTokens ?? 0) + r.cachedInputTokens,
      cacheWriteTokens: (g?.cacheWriteTokens ?? 0) + r.cacheWriteTokens,
      outputTokens: (g?.outputTokens ?? 0) + r.outputTokens,
      costUsd: (g?.costUsd ?? 0) + r.costUsd,
      fallbackRuns: (g?.fallbackRuns ?? 0) + (r.pricedBy === 'fallback' ? 1 : 0),
    });
  }
  const order = (g: UsageGroup): string => JSON.stringify([g.day, g.project, g.agent, g.model ?? '']);
  return [...groups.values()].sort((a, b) => (order(a) < order(b) ? -1 : order(a) > order(b) ? 1 : 0));
}

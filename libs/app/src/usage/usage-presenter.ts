import type { SpendTodayJson, UsageResponse, UsageTokensJson } from '@agent-harness/core';
import type { UsageGroup } from '@agent-harness/queue';
import type { UsageReport } from './usage-service.js';

/** Dollars as shown: to a hundredth of a cent (sums of many small figures drift in binary). */
const money = (n: number): number => Math.round(n * 10_000) / 10_000;

function tokensOf(
  g: Pick<UsageGroup, 'inputTokens' | 'cachedInputTokens' | 'cacheWriteTokens' | 'outputTokens'>,
): UsageTokensJson {
  return {
    input: g.inputTokens,
    cached_input: g.cachedInputTokens,
    cache_write: g.cacheWriteTokens,
    output: g.outputTokens,
  };
}

/** Today's spend against the limits. */
export function spendTodayJson(report: UsageReport): SpendTodayJson {
  const { today, limits } = report;
  return {
    day: today.day.day,
    started_at: today.day.start.toISOString(),
    resets_at: today.day.end.toISOString(),
    spent_usd: money(today.totalUsd),
    daily_usd: limits.dailyUsd ?? null,
    task_max_usd: limits.taskMaxUsd ?? null,
    task_max_turns: limits.taskMaxTurns ?? null,
    held: report.heldAll,
    projects: report.projects.map((project) => ({
      project,
      spent_usd: money(today.byProject.get(project) ?? 0),
      daily_usd: limits.projectDailyUsd?.get(project) ?? null,
      held: report.held.has(project),
    })),
  };
}

/** `GET /api/usage`. */
export function usageJson(report: UsageReport): UsageResponse {
  const sum = (pick: (g: UsageGroup) => number): number => report.groups.reduce((total, g) => total + pick(g), 0);
  return {
    since: report.since,
    until: report.until,
    project: report.project ?? null,
    totals: {
      runs: sum((g) => g.runs),
      turns: sum((g) => g.turns),
      tokens: tokensOf({
        inputTokens: sum((g) => g.inputTokens),
        cachedInputTokens: sum((g) => g.cachedInputTokens),
        cacheWriteTokens: sum((g) => g.cacheWriteTokens),
        outputTokens: sum((g) => g.outputTokens),
      }),
      cost_usd: money(sum((g) => g.costUsd)),
      fallback_priced_runs: sum((g) => g.fallbackRuns),
    },
    groups: report.groups.map((g) => ({
      day: g.day,
      project: g.project,
      agent: g.agent,
      model: g.model ?? null,
      runs: g.runs,
      turns: g.turns,
      tokens: tokensOf(g),
      cost_usd: money(g.costUsd),
      fallback_priced_runs: g.fallbackRuns,
    })),
    today: spendTodayJson(report),
  };
}

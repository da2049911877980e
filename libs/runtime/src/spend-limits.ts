import { agentDescriptorsOf } from '@agent-harness/agents';
import type { HarnessConfig } from '@agent-harness/core';
import type { SpendLimits } from '@agent-harness/pipeline';

/** `[limits]`, `[[projects]] daily_usd` and `[pricing]` as the engine takes them. */
export function spendLimitsOf(config: HarnessConfig): SpendLimits {
  const { limits } = config;
  return {
    taskMaxUsd: limits.task_max_usd,
    taskMaxTurns: limits.task_max_turns,
    dailyUsd: limits.daily_usd,
    projectDailyUsd: new Map(
      config.projects.flatMap((p) => (p.daily_usd === undefined ? [] : [[p.name, p.daily_usd] as const])),
    ),
    day: { startsAt: limits.day_starts_at, timeZone: limits.time_zone },
    prices: config.pricing,
    defaultModels: Object.fromEntries(
      agentDescriptorsOf(config).map((descriptor) => [descriptor.name, descriptor.defaultModel(config)]),
    ),
  };
}

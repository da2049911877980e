import type { UsageResponse } from '@agent-harness/core';
import { describe, expect, it } from 'vitest';
import { usageLines } from './usage.command.js';

const tokens = { input: 1_200_000, cached_input: 300_000, cache_write: 0, output: 45_000 };

describe('usageLines', () => {
  it('a line per day, project, agent and model; fallback-priced models marked; today against the limits', () => {
    const usage: UsageResponse = {
      since: '2026-12-01',
      until: '2026-12-06',
      project: null,
      totals: { runs: 3, turns: 9, tokens, cost_usd: 2.5, fallback_priced_runs: 1 },
      groups: [
        {
          day: '2026-12-05',
          project: 'app',
          agent: 'codex',
          model: 'gpt-5',
          runs: 2,
          turns: 6,
          tokens,
          cost_usd: 2,
          fallback_priced_runs: 0,
        },
        {
          day: '2026-12-06',
          project: 'app',
          agent: 'codex',
          model: 'mystery',
          runs: 1,
          turns: 3,
          tokens,
          cost_usd: 0.5,
          fallback_priced_runs: 1,
        },
      ],
      today: {
        day: '2026-12-06',
        started_at: '2026-12-06T00:00:00.000Z',
        resets_at: '2026-12-07T00:00:00.000Z',
        spent_usd: 0.5,
        daily_usd: 10,
        task_max_usd: 2,
        task_max_turns: null,
        held: false,
        projects: [
          { project: 'app', spent_usd: 0.5, daily_usd: 0.5, held: true },
          { project: 'lib', spent_usd: 0, daily_usd: null, held: false },
        ],
      },
    };
    expect(usageLines(usage)).toEqual([
      'usage 2026-12-01 .. 2026-12-06: $2.50 in 3 run(s)',
      'DAY         PROJECT  AGENT  MODEL     RUNS  TURNS    IN    OUT   COST',
      '2026-12-05  app      codex  gpt-5        2      6  1.5M  45.0k  $2.00',
      '2026-12-06  app      codex  mystery*     1      3  1.5M  45.0k  $0.50',
      '* priced at the [pricing."*"] fallback: the model is not in the price table',
      '',
      'today 2026-12-06: $0.50 of $10.00 (resets 2026-12-07T00:00:00.000Z)',
      'per task: task_max_usd $2.00',
      '  app: $0.50 of $0.50 — held until the day turns',
    ]);
  });
});

import { deepStrictEqual } from 'node:assert/strict';
import type { UsageLedger, UsageRecord } from '@agent-harness/queue';
import type { ContractCheck } from './task-repository-contract.js';

function run(overrides: Partial<UsageRecord>): UsageRecord {
  return {
    taskId: 't1',
    project: 'app',
    agent: 'codex',
    role: 'implementer',
    model: 'gpt-5',
    day: '2026-12-01',
    at: '2026-12-01T10:00:00.000Z',
    inputTokens: 1000,
    cachedInputTokens: 200,
    cacheWriteTokens: 0,
    outputTokens: 100,
    turns: 2,
    costUsd: 0.25,
    pricedBy: 'table',
    ...overrides,
  };
}

/**
 * What every UsageLedger must do, checked against the SQL adapter and the in-memory fake alike.
 * Each check needs a fresh, empty ledger.
 * @public
 */
export const usageLedgerContract: readonly ContractCheck<UsageLedger>[] = [
  {
    name: "sums a day's spend in all and per project, and a task's cost and turns",
    async run(ledger) {
      deepStrictEqual(await ledger.spentOn('2026-12-01'), { totalUsd: 0, byProject: new Map() });
      deepStrictEqual(await ledger.taskTotals('t1'), { costUsd: 0, turns: 0 });
      await ledger.record(run({}));
      await ledger.record(run({ role: 'reviewer', agent: 'claude', model: undefined, costUsd: 0.5, turns: 3 }));
      await ledger.record(run({ taskId: 't2', project: 'lib', costUsd: 1 }));
      await ledger.record(run({ taskId: 't2', project: 'lib', day: '2026-12-02', costUsd: 4 }));
      deepStrictEqual(await ledger.spentOn('2026-12-01'), {
        totalUsd: 1.75,
        byProject: new Map([
          ['app', 0.75],
          ['lib', 1],
        ]),
      });
      deepStrictEqual(await ledger.taskTotals('t1'), { costUsd: 0.75, turns: 5 });
      deepStrictEqual(await ledger.taskTotals('t2'), { costUsd: 5, turns: 4 });
    },
  },
  {
    name: 'summarizes by day, project, agent and model, within days and a project, counting fallback-priced runs',
    async run(ledger) {
      await ledger.record(run({}));
      await ledger.record(run({ taskId: 't2', model: 'mystery', pricedBy: 'fallback', costUsd: 1 }));
      await ledger.record(run({ taskId: 't3', turns: 1, inputTokens: 3_000_000_000, costUsd: 0.5 }));
      await ledger.record(run({ project: 'lib', day: '2026-12-02' }));
      await ledger.record(run({ day: '2026-12-03', agent: 'claude', model: undefined, pricedBy: 'reported' }));
      const all = await ledger.summary({});
      deepStrictEqual(
        all.map((g) => [g.day, g.project, g.agent, g.model, g.runs, g.fallbackRuns]),
        [
          ['2026-12-01', 'app', 'codex', 'gpt-5', 2, 0],
          ['2026-12-01', 'app', 'codex', 'mystery', 1, 1],
          ['2026-12-02', 'lib', 'codex', 'gpt-5', 1, 0],
          ['2026-12-03', 'app', 'claude', undefined, 1, 0],
        ],
      );
      deepStrictEqual(all[0], {
        day: '2026-12-01',
        project: 'app',
        agent: 'codex',
        model: 'gpt-5',
        runs: 2,
        turns: 3,
        inputTokens: 3_000_001_000,
        cachedInputTokens: 400,
        cacheWriteTokens: 0,
        outputTokens: 200,
        costUsd: 0.75,
        fallbackRuns: 0,
      });
      deepStrictEqual(
        (await ledger.summary({ since: '2026-12-02', until: '2026-12-02' })).map((g) => g.project),
        ['lib'],
      );
      deepStrictEqual(
        (await ledger.summary({ project: 'app', since: '2026-12-02' })).map((g) => g.day),
        ['2026-12-03'],
      );
    },
  },
];

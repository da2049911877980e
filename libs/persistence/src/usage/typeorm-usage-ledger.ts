import { UsageLedger, type DaySpend, type UsageGroup, type UsageQuery, type UsageRecord } from '@agent-harness/queue';
import type { PriceSource } from '@agent-harness/core';
import type { DataSource } from 'typeorm';
import { sqlRows } from '../sql.js';

const COLUMNS = [
  'task_id',
  'project',
  'agent',
  'role',
  'model',
  'day',
  'at',
  'input_tokens',
  'cached_input_tokens',
  'cache_write_tokens',
  'output_tokens',
  'turns',
  'cost_usd',
  'priced_by',
] as const;

/** A summary row; PostgreSQL answers SUM and COUNT as text. */
interface GroupRow {
  day: string;
  project: string;
  agent: string;
  model: string | null;
  runs: number | string;
  turns: number | string;
  input_tokens: number | string;
  cached_input_tokens: number | string;
  cache_write_tokens: number | string;
  output_tokens: number | string;
  cost_usd: number | string | null;
  fallback_runs: number | string;
}

const PRICED_BY: readonly PriceSource[] = ['reported', 'table', 'fallback'];

/**
 * The spend ledger in SQL (`task_usage`, one row per agent run). Every read is one aggregate
 * statement over an index: a day's sum (`day, project`), a task's (`task_id`).
 * @public
 */
export class TypeOrmUsageLedger extends UsageLedger {
  constructor(private readonly dataSource: DataSource) {
    super();
  }

  async record(run: UsageRecord): Promise<void> {
    await sqlRows(
      this.dataSource,
      `INSERT INTO task_usage (${COLUMNS.join(', ')}) VALUES (${COLUMNS.map(() => '?').join(', ')})`,
      [
        run.taskId,
        run.project,
        run.agent,
        run.role,
        run.model ?? null,
        run.day,
        run.at,
        Math.round(run.inputTokens),
        Math.round(run.cachedInputTokens),
        Math.round(run.cacheWriteTokens),
        Math.round(run.outputTokens),
        run.turns,
        Number.isFinite(run.costUsd) ? run.costUsd : 0,
        PRICED_BY.includes(run.pricedBy) ? run.pricedBy : 'fallback',
      ],
    );
  }

  async spentOn(day: string): Promise<DaySpend> {
    const rows = await sqlRows<{ project: string; cost: number | string | null }>(
      this.dataSource,
      `SELECT project, SUM(cost_usd) AS cost FROM task_usage WHERE day = ? GROUP BY project`,
      [day],
    );
    const byProject = new Map(rows.map((r) => [r.project, Number(r.cost ?? 0)]));
    return { totalUsd: [...byProject.values()].reduce((sum, v) => sum + v, 0), byProject };
  }

  async taskTotals(taskId: string): Promise<{ costUsd: number; turns: number }> {
    const [row] = await sqlRows<{ cost: number | string | null; turns: number | string | null }>(
      this.dataSource,
      `SELECT SUM(cost_usd) AS cost, SUM(turns) AS turns FROM task_usage WHERE task_id = ?`,
      [taskId],
    );
    return { costUsd: Number(row?.cost ?? 0), turns: Number(row?.turns ?? 0) };
  }

  async summary(query: UsageQuery): Promise<UsageGroup[]> {
    const where: string[] = [];
    const params: unknown[] = [];
    if (query.since !== undefined) {
      where.push('day >= ?');
      params.push(query.since);
    }
    if (query.until !== undefined) {
      where.push('day <= ?');
      params.push(query.until);
    }
    if (query.project !== undefined) {
      where.push('project = ?');
      params.push(query.project);
    }
    const rows = await sqlRows<GroupRow>(
      this.dataSource,
      `SELECT day, project, agent, model, COUNT(*) AS runs, SUM(turns) AS turns,
              SUM(input_tokens) AS input_tokens, SUM(cached_input_tokens) AS cached_input_tokens,
              SUM(cache_write_tokens) AS cache_write_tokens, SUM(output_tokens) AS output_tokens,
              SUM(cost_usd) AS cost_usd,
              SUM(CASE WHEN priced_by = 'fallback' THEN 1 ELSE 0 END) AS fallback_runs
       FROM task_usage ${where.length === 0 ? '' : `WHERE ${where.join(' AND ')}`}
       GROUP BY day, project, agent, model
       ORDER BY day, project, agent, COALESCE(model, '')`,
      params,
    );
    return rows.map((r) => ({
      day: r.day,
      project: r.project,
      agent: r.agent,
      model: r.model ?? undefined,
      runs: Number(r.runs),
      turns: Number(r.turns),
      inputTokens: Number(r.input_tokens),
      cachedInputTokens: Number(r.cached_input_tokens),
      cacheWriteTokens: Number(r.cache_write_tokens),
      outputTokens: Number(r.output_tokens),
      costUsd: Number(r.cost_usd ?? 0),
      fallbackRuns: Number(r.fallback_runs),
    }));
  }
}

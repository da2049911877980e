import type { SpendTodayJson, UsageResponse } from '@agent-harness/core';
import type { CliContext } from '../cli-context.js';
import type { CommandBody } from '../lazy-command.js';
import { clientFor, withServer, type ServerFlags } from '../client/server-flags.js';
import { guarded } from './tasks.command.js';

interface UsageFlags extends ServerFlags {
  project?: string | undefined;
  since?: string | undefined;
  until?: string | undefined;
}

const usd = (n: number): string => `$${n.toFixed(2)}`;

/** 12345678 → "12.3M", 4321 → "4.3k". */
function count(n: number): string {
  if (n >= 1_000_000) return `${(n / 1_000_000).toFixed(1)}M`;
  if (n >= 1000) return `${(n / 1000).toFixed(1)}k`;
  return String(n);
}

/** "today 2026-12-06: $3.20 of $50.00 (resets 2026-12-07T00:00:00.000Z)" and the projects held. */
export function todayLines(today: SpendTodayJson): string[] {
  const limit = today.daily_usd === null ? 'no daily limit' : `of ${usd(today.daily_usd)}`;
  const task = [
    today.task_max_usd === null ? undefined : `task_max_usd ${usd(today.task_max_usd)}`,
    today.task_max_turns === null ? undefined : `task_max_turns ${String(today.task_max_turns)}`,
  ].filter((x) => x !== undefined);
  const lines = [
    `today ${today.day}: ${usd(today.spent_usd)} ${limit}${today.held ? ' — spent: queued tasks wait' : ''} (resets ${today.resets_at})`,
  ];
  if (task.length > 0) lines.push(`per task: ${task.join(', ')}`);
  for (const p of today.projects.filter((x) => x.daily_usd !== null || x.held))
    lines.push(
      `  ${p.project}: ${usd(p.spent_usd)}${p.daily_usd === null ? '' : ` of ${usd(p.daily_usd)}`}${p.held ? ' — held until the day turns' : ''}`,
    );
  return lines;
}

/** One line per day, project, agent and model; a model priced at the fallback is marked `*`. */
export function usageLines(usage: UsageResponse): string[] {
  const rows = usage.groups.map((g) => [
    g.day,
    g.project,
    g.agent,
    `${g.model ?? '?'}${g.fallback_priced_runs > 0 ? '*' : ''}`,
    String(g.runs),
    String(g.turns),
    count(g.tokens.input + g.tokens.cached_input + g.tokens.cache_write),
    count(g.tokens.output),
    usd(g.cost_usd),
  ]);
  const header = ['DAY', 'PROJECT', 'AGENT', 'MODEL', 'RUNS', 'TURNS', 'IN', 'OUT', 'COST'];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: readonly string[]): string =>
    cells
      .map((c, i) => (i >= 4 ? c.padStart(widths[i] ?? 0) : c.padEnd(widths[i] ?? 0)))
      .join('  ')
      .trimEnd();
  const scope = `${usage.since} .. ${usage.until}${usage.project === null ? '' : ` · ${usage.project}`}`;
  const out = [
    `usage ${scope}: ${usd(usage.totals.cost_usd)} in ${String(usage.totals.runs)} run(s)`,
    ...(rows.length === 0 ? ['no agent runs'] : [line(header), ...rows.map(line)]),
  ];
  if (usage.totals.fallback_priced_runs > 0)
    out.push(`* priced at the [pricing."*"] fallback: the model is not in the price table`);
  return [...out, '', ...todayLines(usage.today)];
}

export function usageCommand(ctx: CliContext): CommandBody<UsageFlags> {
  return {
    builder: (y) =>
      withServer(y)
        .option('project', { type: 'string', describe: 'Only this project' })
        .option('since', { type: 'string', describe: 'First day, YYYY-MM-DD or "today" (default: 6 days ago)' })
        .option('until', { type: 'string', describe: 'Last day, YYYY-MM-DD or "today" (default: today)' }),
    handler: guarded(ctx, async (a) => {
      const usage = await (
        await clientFor(ctx, a)
      ).call('usage_report', {
        project: a.project,
        since: a.since,
        until: a.until,
      });
      ctx.stdout.write(a.json === true ? `${JSON.stringify(usage)}\n` : `${usageLines(usage).join('\n')}\n`);
    }),
  };
}

import { AppError, spendDayOf } from '@agent-harness/core';
import type { SpendLimits, SpendMeter, TodaySpend } from '@agent-harness/pipeline';
import type { ProjectCatalog, UsageGroup, UsageLedger } from '@agent-harness/queue';

const DAY = /^\d{4}-\d{2}-\d{2}$/;

/** A usage report: the groups of the days asked, and today against the limits. */
export interface UsageReport {
  readonly since: string;
  readonly until: string;
  readonly project: string | undefined;
  readonly groups: readonly UsageGroup[];
  readonly today: TodaySpend;
  readonly limits: SpendLimits;
  /** The projects whose queued tasks wait now (all of them when `heldAll`). */
  readonly held: ReadonlySet<string>;
  readonly heldAll: boolean;
  readonly projects: readonly string[];
}

/** The spend ledger, read: `GET /api/usage`, `harness usage` and the dashboard. */
export class UsageService {
  constructor(
    private readonly deps: {
      readonly ledger: UsageLedger;
      readonly meter: SpendMeter;
      readonly projects: ProjectCatalog;
      readonly now: () => Date;
    },
  ) {}

  /**
   * Usage from `since` to `until` (spend days, inclusive; default the last 7 days up to today),
   * optionally of one project. A day is "YYYY-MM-DD" or "today".
   */
  async report(query: {
    since?: string | undefined;
    until?: string | undefined;
    project?: string | undefined;
  }): Promise<UsageReport> {
    const limits = this.deps.meter.limits;
    const todayName = spendDayOf(this.deps.now(), limits.day).day;
    const since = dayOf('since', query.since, todayName) ?? daysBefore(todayName, 6);
    const until = dayOf('until', query.until, todayName) ?? todayName;
    if (since > until) throw new AppError('INVALID_ARGUMENT', `since (${since}) is after until (${until})`);
    const known = (await this.deps.projects.list()).map((p) => p.name);
    if (query.project !== undefined && !known.includes(query.project))
      throw new AppError(
        'INVALID_ARGUMENT',
        `project: unknown project "${query.project}" (known: ${known.join(', ') || 'none'})`,
      );
    const [groups, today] = await Promise.all([
      this.deps.ledger.summary({ since, until, project: query.project }),
      this.deps.meter.today(),
    ]);
    const heldAll = this.deps.meter.holdOf(today, '') !== undefined;
    const held = new Set(known.filter((name) => this.deps.meter.holdOf(today, name) !== undefined));
    return { since, until, project: query.project, groups, today, limits, held, heldAll, projects: known };
  }
}

function dayOf(what: string, given: string | undefined, today: string): string | undefined {
  if (given === undefined) return undefined;
  if (given === 'today') return today;
  if (!DAY.test(given) || Number.isNaN(Date.parse(`${given}T00:00:00Z`)))
    throw new AppError('INVALID_ARGUMENT', `${what}: "${given}" is not a day: use YYYY-MM-DD or "today"`);
  return given;
}

function daysBefore(day: string, n: number): string {
  return new Date(Date.parse(`${day}T00:00:00Z`) - n * 86_400_000).toISOString().slice(0, 10);
}

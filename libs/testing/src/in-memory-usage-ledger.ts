import {
  summarizeUsage,
  UsageLedger,
  type DaySpend,
  type UsageGroup,
  type UsageQuery,
  type UsageRecord,
} from '@agent-harness/queue';

/** The spend ledger in memory, for unit tests and embedders without a database. @public */
export class InMemoryUsageLedger extends UsageLedger {
  readonly records: UsageRecord[] = [];

  record(run: UsageRecord): Promise<void> {
    this.records.push(run);
    return Promise.resolve();
  }

  spentOn(day: string): Promise<DaySpend> {
    const byProject = new Map<string, number>();
    let totalUsd = 0;
    for (const r of this.records.filter((x) => x.day === day)) {
      totalUsd += r.costUsd;
      byProject.set(r.project, (byProject.get(r.project) ?? 0) + r.costUsd);
    }
    return Promise.resolve({ totalUsd, byProject });
  }

  taskTotals(taskId: string): Promise<{ costUsd: number; turns: number }> {
    const mine = this.records.filter((r) => r.taskId === taskId);
    return Promise.resolve({
      costUsd: mine.reduce((sum, r) => sum + r.costUsd, 0),
      turns: mine.reduce((sum, r) => sum + r.turns, 0),
    });
  }

  summary(query: UsageQuery): Promise<UsageGroup[]> {
    return Promise.resolve(summarizeUsage(this.records, query));
  }
}

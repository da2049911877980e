import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { DATABASE_FILE_NAME, openDatabase, TypeOrmTaskRepository } from '@agent-harness/persistence';
import { firstIllegalMove, type TaskStatus } from '@agent-harness/queue';

/**
 * Replays the status history of every task a (stopped) server stored in `dataDir` against the
 * state table, and returns one line per task whose history breaks it: the end-to-end suites call it
 * after each test, so every path they drive (restarts, reviews, cancels) is held to the table.
 */
export async function illegalStatusHistories(dataDir: string): Promise<string[]> {
  const file = join(dataDir, DATABASE_FILE_NAME);
  if (!existsSync(file)) return [];
  const database = await openDatabase({ file });
  try {
    const repository = new TypeOrmTaskRepository(database.dataSource);
    const { tasks } = await repository.list({ limit: 10_000, offset: 0 });
    const problems: string[] = [];
    for (const task of tasks) {
      const events = await repository.eventsAfter(task.id, 0, 100_000, ['status']);
      const history = events.map((event) => {
        const data = event.data as { from?: TaskStatus | null; to: TaskStatus };
        return { from: data.from ?? null, to: data.to };
      });
      const illegal = firstIllegalMove(history);
      if (illegal !== undefined)
        problems.push(
          `${task.id}: ${history.map((m) => m.to).join(' → ')}; move ${String(illegal.index)} ${String(illegal.from)} → ${illegal.to}: ${illegal.why}`,
        );
    }
    return problems;
  } finally {
    await database.close();
  }
}

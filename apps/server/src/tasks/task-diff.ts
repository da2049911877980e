import { AppError, type LogEventData } from '@agent-harness/core';
import type { TaskRepository } from '@agent-harness/queue';

/** Log events read per page: only commit steps carry a patch, so a page is mostly small messages. */
const PAGE = 500;

/**
 * The task's latest stored change: the `patch` of its last commit step's `log` event (each commit
 * stores the whole change against the base, so the last one is the whole diff; already cut at 256 KB
 * and redacted when it was stored). NOT_FOUND when the task has not committed yet.
 */
export async function latestPatch(tasks: TaskRepository, id: string): Promise<string> {
  let latest: string | undefined;
  for (let after = 0; ;) {
    const page = await tasks.eventsAfter(id, after, PAGE, ['log']);
    for (const event of page) {
      const { patch } = event.data as LogEventData;
      if (typeof patch === 'string') latest = patch;
    }
    const last = page.at(-1);
    if (page.length < PAGE || last === undefined) break;
    after = last.seq;
  }
  if (latest === undefined) throw new AppError('NOT_FOUND', `task ${id} has no commit yet: no diff to download`);
  return latest;
}

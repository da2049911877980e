import { Injectable, type BeforeApplicationShutdown } from '@nestjs/common';
import type { TaskSummary } from '@agent-harness/core';
import { TaskEngine } from '@agent-harness/pipeline';
import { TaskRepository } from '@agent-harness/queue';
import { EMPTY, Subject, catchError, concatMap, filter, from, map, share, takeUntil, type Observable } from 'rxjs';
import { taskSummary } from '@agent-harness/app';

/** The stored events after which a task's row looks different in a list. */
const ROW_CHANGING = new Set(['status', 'end']);

/**
 * Every task's summary after each of its status changes and at its end, as ready-made `task`
 * frames of the feed. One subscription to the engine and one row read per change, however many
 * dashboards watch; in the order the changes were stored.
 */
@Injectable()
export class TaskFeed implements BeforeApplicationShutdown {
  private readonly shared$: Observable<string>;
  private readonly closing = new Subject<void>();
  private isClosed = false;

  constructor(engine: TaskEngine, tasks: TaskRepository) {
    this.shared$ = engine.watchAll().pipe(
      filter((event) => ROW_CHANGING.has(event.kind)),
      concatMap((event) =>
        from(tasks.get(event.taskId)).pipe(
          // A row that cannot be read (a database closing under a shutdown) is skipped, not fatal.
          catchError(() => EMPTY),
        ),
      ),
      filter((task) => task !== undefined),
      map((task) => taskFrame(taskSummary(task))),
      takeUntil(this.closing),
      share(),
    );
  }

  /** The live frames; none (at once complete) once the server is shutting down. */
  frames(): Observable<string> {
    return this.isClosed ? EMPTY : this.shared$;
  }

  /**
   * Ends every open feed before Nest closes the HTTP server: the server waits for open
   * connections, and a dashboard left open in a browser would otherwise hold the shutdown forever.
   */
  beforeApplicationShutdown(): void {
    this.isClosed = true;
    this.closing.next();
    this.closing.complete();
  }
}

/** The `task` frame of a summary: no `id:` (the feed has no order to resume from). */
export function taskFrame(summary: TaskSummary): string {
  return `event: task\ndata: ${JSON.stringify(summary)}\n\n`;
}

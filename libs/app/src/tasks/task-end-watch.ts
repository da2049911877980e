import type { StoredTaskEvent } from '@agent-harness/queue';

/** The part of an Observable a task watch uses (the engine's `follow(taskId, 'now')`). @public */
export interface TaskEventsWatch {
  subscribe(observer: {
    next?: (event: StoredTaskEvent) => void;
    error?: (error: unknown) => void;
    complete?: () => void;
  }): { unsubscribe(): void };
}

/** How long a task watch whose read failed (the database busy or briefly gone) waits to look again. */
export const REWATCH_MS = 5_000;

/** What a service that waits for tasks to end keeps: its watches by task id, and whether it closed. */
export interface TaskEndWatcher {
  readonly watches: Map<string, { unsubscribe(): void }>;
  readonly closed: () => boolean;
  readonly follow: (taskId: string) => TaskEventsWatch;
}

/**
 * Calls `ended` once when the task's events end (its `end` event, or the live feed closing at a
 * shutdown), unless the service closed first; one watch per task. A failed read is no end: the
 * watch starts again after `REWATCH_MS`, held in `watches` meanwhile, so closing the service
 * (unsubscribing every watch) cancels it too.
 */
export function watchTaskEnd(watcher: TaskEndWatcher, taskId: string, ended: () => void): void {
  const { watches } = watcher;
  if (watcher.closed() || watches.has(taskId)) return;
  const stream = { over: false };
  const stop = (): boolean => {
    if (stream.over) return false;
    stream.over = true;
    watches.get(taskId)?.unsubscribe();
    watches.delete(taskId);
    return !watcher.closed();
  };
  const end = (): void => {
    if (stop()) ended();
  };
  const subscription = watcher.follow(taskId).subscribe({
    next: (event) => {
      if (event.kind === 'end') end();
    },
    complete: end,
    error: () => {
      if (!stop()) return;
      const timer = setTimeout(() => {
        watches.delete(taskId);
        watchTaskEnd(watcher, taskId, ended);
      }, REWATCH_MS);
      timer.unref();
      watches.set(taskId, {
        unsubscribe: () => {
          clearTimeout(timer);
        },
      });
    },
  });
  // A stream that ended while subscribing leaves no watch behind.
  if (stream.over) subscription.unsubscribe();
  else watches.set(taskId, subscription);
}

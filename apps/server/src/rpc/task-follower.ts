import type { TaskStreamEvent } from '@agent-harness/core';
import type { TaskEngine } from '@agent-harness/pipeline';
import { isTerminal, type StoredTaskEvent, type TaskRepository } from '@agent-harness/queue';

const REPLAY_PAGE = 500;

/** A stored event as the API shows it (the SSE stream's `data`). */
export function taskStreamEvent(event: StoredTaskEvent): TaskStreamEvent {
  return { seq: event.seq, kind: event.kind, at: event.createdAt, data: event.data } as TaskStreamEvent;
}

/**
 * Follows one task's events: the stored ones after `afterSeq`, then live ones, in `seq` order with
 * no gap and no repeat (live events wait while the store is replayed). Ends after the task's `end`
 * event, or at once for a task that had already ended. Returns the function that stops following.
 */
export function followTaskEvents(
  deps: { engine: Pick<TaskEngine, 'watch'>; tasks: TaskRepository },
  taskId: string,
  afterSeq: number,
  onEvent: (event: StoredTaskEvent) => void,
  onEnd: () => void,
): () => void {
  let lastSeq = afterSeq;
  const state = { replaying: true, ended: false };
  const buffered: StoredTaskEvent[] = [];
  const finish = (): void => {
    if (state.ended) return;
    state.ended = true;
    subscription.unsubscribe();
    onEnd();
  };
  const send = (event: StoredTaskEvent): void => {
    if (state.ended || event.seq <= lastSeq) return;
    lastSeq = event.seq;
    onEvent(event);
    if (event.kind === 'end') finish();
  };
  const subscription = deps.engine.watch(taskId).subscribe({
    next: (event) => {
      if (state.replaying) buffered.push(event);
      else send(event);
    },
  });
  void (async () => {
    try {
      for (;;) {
        const page = await deps.tasks.eventsAfter(taskId, lastSeq, REPLAY_PAGE);
        for (const event of page) send(event);
        if (page.length < REPLAY_PAGE || state.ended) break;
      }
      state.replaying = false;
      for (const event of buffered.splice(0)) send(event);
      if (state.ended) return;
      const task = await deps.tasks.get(taskId);
      if (task !== undefined && isTerminal(task.status)) finish();
    } catch {
      // The database closed under a shutdown: nothing more to follow.
      finish();
    }
  })();
  return finish;
}

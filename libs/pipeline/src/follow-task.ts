import type { EndEventData } from '@agent-harness/core';
import { isTerminal, type StoredTaskEvent, type Task, type TaskRepository } from '@agent-harness/queue';
import { Observable } from 'rxjs';

const REPLAY_PAGE = 500;

/** Where a follower starts: after this sequence number (0: every stored event), or `'now'` (none). @public */
export type FollowFrom = number | 'now';

/** @public */
export interface FollowTaskOptions {
  /** Awaited between pages of the replay, so a stream goes at its client's pace. */
  readonly paced?: (() => Promise<void>) | undefined;
  /** Called once the stored events are replayed: what follows is live. */
  readonly live?: (() => void) | undefined;
}

/** What following needs: the live feed and the store. */
export interface FollowTaskDeps {
  readonly watch: (taskId: string) => Observable<StoredTaskEvent>;
  readonly tasks: Pick<TaskRepository, 'eventsAfter' | 'get'>;
}

/** `end` events built from a task's row (below): a stream gives them no `id`, they were never stored. */
const builtEnds = new WeakSet<StoredTaskEvent>();

/** Whether `event` is a stored event (false only for an `end` built from the task's row). @public */
export function isStoredEvent(event: StoredTaskEvent): boolean {
  return !builtEnds.has(event);
}

/**
 * One task's events for one follower (an SSE stream, a JSON-RPC subscription, a watcher waiting for
 * the end): the stored events after `from` first, then live ones, in `seq` order with no gap and no
 * repeat (live events wait while the store is replayed).
 *
 * One end rule for every follower: it completes right after the task's `end` event. A task that
 * had already ended gets its last stored `end` again, even at or before `from`; if none was stored
 * (the server stopped between the task's last two writes), one built from its row, so every
 * follower learns how it ended. It completes without an `end` only when the live feed does (the
 * server is closing): the follower resumes later from the store. A failed read is its error.
 */
export function followTask(
  deps: FollowTaskDeps,
  taskId: string,
  from: FollowFrom,
  options: FollowTaskOptions = {},
): Observable<StoredTaskEvent> {
  return new Observable<StoredTaskEvent>((subscriber) => {
    let lastSeq = from === 'now' ? 0 : from;
    let replaying = true;
    const buffered: StoredTaskEvent[] = [];
    // Read afresh after each await (a follower may leave while the store is read).
    const unsubscribed = (): boolean => subscriber.closed;
    const send = (event: StoredTaskEvent, past = false): void => {
      // The `end` always goes, even to a follower that started past it (a Last-Event-ID ahead).
      if (subscriber.closed || (event.seq <= lastSeq && (event.kind !== 'end' || past))) return;
      lastSeq = Math.max(lastSeq, event.seq);
      subscriber.next(event);
      if (event.kind === 'end' && !past) subscriber.complete();
    };
    // Live events are sent in order through one chain. An event past the next seq means some were
    // never announced here (in a fleet, a server killed between storing an event and announcing
    // it): those are read from the store first, so no follower sees a gap.
    let sentAny = from !== 'now';
    let chain: Promise<void> | undefined;
    const fillGapThenSend = async (event: StoredTaskEvent): Promise<void> => {
      while (!subscriber.closed && event.seq > lastSeq + 1) {
        const page = await deps.tasks.eventsAfter(taskId, lastSeq, REPLAY_PAGE);
        const missing = page.filter((stored) => stored.seq < event.seq);
        for (const stored of missing) send(stored);
        if (missing.length < REPLAY_PAGE) break;
      }
      send(event);
    };
    const sendLive = (event: StoredTaskEvent): void => {
      const gap = sentAny && isStoredEvent(event) && event.seq > lastSeq + 1;
      sentAny = true;
      if (chain === undefined && !gap) {
        send(event);
        return;
      }
      const next = (chain ?? Promise.resolve()).then(() => fillGapThenSend(event));
      chain = next;
      next.then(
        () => {
          if (chain === next) chain = undefined;
        },
        (error: unknown) => {
          subscriber.error(error);
        },
      );
    };
    const live = deps.watch(taskId).subscribe({
      next: (event) => {
        if (replaying) buffered.push(event);
        else sendLive(event);
      },
      complete: () => {
        if (replaying) return;
        if (chain === undefined) subscriber.complete();
        else
          void chain.then(
            () => {
              subscriber.complete();
            },
            () => undefined,
          );
      },
    });

    const replay = async (): Promise<void> => {
      // An `end` with stored events after it is a past end: a person's follow-up reopened the task.
      // It is sent as history, and the follower goes on. The last event of a full page waits for
      // the next page to say whether it is the last.
      let held: StoredTaskEvent | undefined;
      for (let more = from !== 'now'; more && !subscriber.closed;) {
        const page = await deps.tasks.eventsAfter(taskId, held?.seq ?? lastSeq, REPLAY_PAGE);
        if (held !== undefined) send(held, page.length > 0);
        held = undefined;
        more = page.length === REPLAY_PAGE;
        for (const [index, event] of page.entries()) {
          if (more && index === page.length - 1) held = event;
          else send(event, index < page.length - 1);
        }
        if (more) await options.paced?.();
      }
      if (held !== undefined) send(held);
      replaying = false;
      options.live?.();
      for (const event of buffered.splice(0)) sendLive(event);
      await chain;
      if (subscriber.closed) return;
      // The live feed ended while the store was read: the server is closing.
      if (live.closed) {
        subscriber.complete();
        return;
      }
      const task = await deps.tasks.get(taskId);
      if (unsubscribed() || task === undefined || !isTerminal(task.status)) return;
      subscriber.next((await lastEndEvent(deps.tasks, taskId)) ?? endFromRow(task, lastSeq));
      subscriber.complete();
    };
    replay().catch((error: unknown) => {
      subscriber.error(error);
    });
    return () => {
      live.unsubscribe();
    };
  });
}

/** The task's last stored `end` event, if it has one. */
async function lastEndEvent(
  tasks: Pick<TaskRepository, 'eventsAfter'>,
  taskId: string,
): Promise<StoredTaskEvent | undefined> {
  let last: StoredTaskEvent | undefined;
  for (;;) {
    const page = await tasks.eventsAfter(taskId, last?.seq ?? 0, REPLAY_PAGE, ['end']);
    last = page.at(-1) ?? last;
    if (page.length < REPLAY_PAGE) return last;
  }
}

/** An `end` event built from a finished task's row, for a task whose end event is not stored. */
function endFromRow(task: Task, seq: number): StoredTaskEvent {
  const data: EndEventData = {
    status: task.status,
    error: task.error,
    failure_class: task.failureClass,
    commit: task.commit,
    branch: task.branch,
    pr: task.prUrl,
    grade: task.grade,
    review: task.reviewOutcome,
  };
  const event: StoredTaskEvent = {
    taskId: task.id,
    seq,
    kind: 'end',
    data,
    createdAt: task.finishedAt ?? task.updatedAt,
  };
  builtEnds.add(event);
  return event;
}

import { AppError, type EndEventData, type TaskStreamEvent } from '@agent-harness/core';
import { isTerminal, type StoredTaskEvent, type Task, type TaskRepository } from '@agent-harness/queue';
import type { TaskEngine } from '@agent-harness/pipeline';
import type { Response } from 'express';

/** Keeps proxies and clients from closing a quiet stream. */
export const DEFAULT_HEARTBEAT_MS = 15_000;
const REPLAY_PAGE = 500;

/**
 * The sequence number a client resumes after: a plain decimal integer (15 digits at most, well
 * inside what JavaScript and SQLite hold exactly); absent or empty means from the start.
 */
export function parseLastEventId(header: string | undefined): number {
  const value = header?.trim() ?? '';
  if (value === '') return 0;
  if (!/^\d{1,15}$/.test(value))
    throw new AppError(
      'INVALID_ARGUMENT',
      'Last-Event-ID must be a non-negative integer (the id of the last event received)',
    );
  return Number(value);
}

/** The `data:` line of a stored event; the engine stores each kind's data in the contract's shape. */
function streamEvent(event: StoredTaskEvent): TaskStreamEvent {
  return { seq: event.seq, kind: event.kind, at: event.createdAt, data: event.data } as TaskStreamEvent;
}

/** Frames of live events, made once per event however many streams send it (1,000 watchers, one JSON). */
const frames = new WeakMap<StoredTaskEvent, string>();

function frameOf(event: StoredTaskEvent, withId: boolean): string {
  const cached = withId ? frames.get(event) : undefined;
  if (cached !== undefined) return cached;
  const id = withId ? `id: ${String(event.seq)}\n` : '';
  const frame = `${id}event: ${event.kind}\ndata: ${JSON.stringify(streamEvent(event))}\n\n`;
  if (withId) frames.set(event, frame);
  return frame;
}

/**
 * What a stream may have waiting for a client that does not read: past it the stream is cut, and
 * the client resumes with Last-Event-ID (EventSource does so by itself) from the stored events.
 * Without a bound, one stalled client holds every event of a busy task in the server's memory.
 */
export const MAX_UNSENT_BYTES = 256 * 1024;

/** The task's last stored `end` event, if it has one. */
async function lastEndEvent(tasks: TaskRepository, taskId: string): Promise<StoredTaskEvent | undefined> {
  let last: StoredTaskEvent | undefined;
  for (;;) {
    const page = await tasks.eventsAfter(taskId, last?.seq ?? 0, REPLAY_PAGE, ['end']);
    last = page.at(-1) ?? last;
    if (page.length < REPLAY_PAGE) return last;
  }
}

/** An `end` event built from a finished task's row, for a task whose end event is not stored (yet). */
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
  return { taskId: task.id, seq, kind: 'end', data, createdAt: task.finishedAt ?? task.updatedAt };
}

/** Resolves when the response's buffer has drained, or the connection closed. */
function drained(res: Response): Promise<void> {
  return new Promise((resolve) => {
    const done = (): void => {
      res.off('drain', done);
      res.off('close', done);
      resolve();
    };
    res.on('drain', done);
    res.on('close', done);
  });
}

/**
 * Whether a client resuming after `afterSeq` already has all of a finished task's events: the task
 * has ended and nothing was stored after that sequence number.
 */
async function resumesPastTheEnd(tasks: TaskRepository, taskId: string, afterSeq: number): Promise<boolean> {
  if (afterSeq === 0) return false;
  const task = await tasks.get(taskId);
  if (task === undefined || !isTerminal(task.status)) return false;
  return (await tasks.eventsAfter(taskId, afterSeq, 1)).length === 0;
}

/**
 * Server-sent events of one task: the stored events after `afterSeq` first, then live ones, with no
 * gap and no repeat (live events are buffered while the store is replayed); a heartbeat comment
 * every 15 s. Every stream ends with the task's `end` event and closes. A client resuming past the
 * end of a finished task (its Last-Event-ID at or after the last stored event) gets 204 No Content,
 * which tells a standard EventSource to stop reconnecting; a live task's stream opened past its
 * last event still gets the `end` when it finishes.
 */
export async function streamTaskEvents(
  res: Response,
  deps: { engine: Pick<TaskEngine, 'watch'>; tasks: TaskRepository; heartbeatMs: number },
  taskId: string,
  afterSeq: number,
): Promise<void> {
  if (await resumesPastTheEnd(deps.tasks, taskId, afterSeq)) {
    res.status(204).end();
    return;
  }
  res.status(200).set({
    'content-type': 'text/event-stream',
    'cache-control': 'no-cache',
    connection: 'keep-alive',
    'x-accel-buffering': 'no',
  });
  res.flushHeaders();
  let lastSeq = afterSeq;
  // An object, not `let`s: callbacks below change it while this function awaits.
  const state = { replaying: true, ended: false };
  const buffered: StoredTaskEvent[] = [];
  const heartbeat = setInterval(() => res.write(': heartbeat\n\n'), deps.heartbeatMs);
  // Frames waiting for the next turn of the event loop: events that come together leave in one
  // write (with 1,000 watchers, writes are what a busy task costs).
  let unsent = '';
  const flush = (): void => {
    if (unsent === '' || res.destroyed) return;
    res.write(unsent);
    unsent = '';
    if (!state.replaying && !state.ended && res.writableLength > MAX_UNSENT_BYTES) {
      // A client this far behind: cut it loose (it resumes from the store) rather than buffer for it.
      finish();
      res.destroy();
    }
  };
  const finish = (): void => {
    if (state.ended) return;
    state.ended = true;
    clearInterval(heartbeat);
    subscription.unsubscribe();
    flush();
    res.end();
  };
  const send = (event: StoredTaskEvent, withId = true): void => {
    if (state.ended || (event.seq <= lastSeq && event.kind !== 'end')) return;
    if (unsent === '') setImmediate(flush);
    unsent += frameOf(event, withId);
    lastSeq = Math.max(lastSeq, event.seq);
    if (event.kind === 'end') finish();
  };
  const subscription = deps.engine.watch(taskId).subscribe({
    next: (event) => {
      if (state.replaying) buffered.push(event);
      else send(event);
    },
    // The live feed ended (the server is shutting down): the stream ends too, so an open stream
    // never holds a shutdown; the client resumes from the store with Last-Event-ID. During the
    // replay the code below finishes it.
    complete: () => {
      if (!state.replaying) finish();
    },
  });
  res.on('close', finish);

  for (;;) {
    const page = await deps.tasks.eventsAfter(taskId, lastSeq, REPLAY_PAGE);
    for (const event of page) send(event);
    if (page.length < REPLAY_PAGE || state.ended) break;
    // The replay goes at the client's pace: the next page once this one is on its way.
    flush();
    if (res.writableLength > MAX_UNSENT_BYTES) await drained(res);
  }
  state.replaying = false;
  for (const event of buffered.splice(0)) send(event);
  if (state.ended) return;
  // A task that finished before the stream opened: its end event was at or before Last-Event-ID,
  // or (a server stopped between the two writes) never stored; the row says how it ended.
  const task = await deps.tasks.get(taskId);
  if (task !== undefined && isTerminal(task.status)) {
    const end = await lastEndEvent(deps.tasks, taskId);
    if (end !== undefined) send(end);
    else send(endFromRow(task, lastSeq), false);
    finish();
  }
}

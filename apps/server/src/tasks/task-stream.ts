import { AppError, type TaskStreamEvent } from '@agent-harness/core';
import { isStoredEvent, type TaskEngine } from '@agent-harness/pipeline';
import { isTerminal, type StoredTaskEvent, type TaskRepository } from '@agent-harness/queue';
import type { Response } from 'express';

/** Keeps proxies and clients from closing a quiet stream. */
export const DEFAULT_HEARTBEAT_MS = 15_000;

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

/** A stored event as the API shows it (an SSE `data:` line, a JSON-RPC `task/event`); the engine stores each kind's data in the contract's shape. */
export function taskStreamEvent(event: StoredTaskEvent): TaskStreamEvent {
  return { seq: event.seq, kind: event.kind, at: event.createdAt, data: event.data } as TaskStreamEvent;
}

/** Frames of live events, made once per event however many streams send it (1,000 watchers, one JSON). */
const frames = new WeakMap<StoredTaskEvent, string>();

function frameOf(event: StoredTaskEvent, withId: boolean): string {
  const cached = withId ? frames.get(event) : undefined;
  if (cached !== undefined) return cached;
  const id = withId ? `id: ${String(event.seq)}\n` : '';
  const frame = `${id}event: ${event.kind}\ndata: ${JSON.stringify(taskStreamEvent(event))}\n\n`;
  if (withId) frames.set(event, frame);
  return frame;
}

/**
 * What a stream may have waiting for a client that does not read: past it the stream is cut, and
 * the client resumes with Last-Event-ID (EventSource does so by itself) from the stored events.
 * Without a bound, one stalled client holds every event of a busy task in the server's memory.
 */
export const MAX_UNSENT_BYTES = 256 * 1024;

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
 * Server-sent events of one task (`TaskEngine.follow`: stored after `afterSeq`, then live, ending
 * with the task's `end` event), with a heartbeat comment every 15 s; the replay goes at the
 * client's pace. A client resuming past the end of a finished task (its Last-Event-ID at or after
 * the last stored event) gets 204 No Content, which tells a standard EventSource to stop
 * reconnecting; a live task's stream opened past its last event still gets the `end` when it
 * finishes.
 */
export async function streamTaskEvents(
  res: Response,
  deps: { engine: Pick<TaskEngine, 'follow'>; tasks: TaskRepository; heartbeatMs: number },
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
  // An object, not a `let`: callbacks below change it.
  const state = { replayed: false, ended: false };
  const heartbeat = setInterval(() => res.write(': heartbeat\n\n'), deps.heartbeatMs);
  // Frames waiting for the next turn of the event loop: events that come together leave in one
  // write (with 1,000 watchers, writes are what a busy task costs).
  let unsent = '';
  const flush = (): void => {
    if (unsent === '' || res.destroyed) return;
    res.write(unsent);
    unsent = '';
    if (state.replayed && !state.ended && res.writableLength > MAX_UNSENT_BYTES) {
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
  // Nothing below ends the stream before `subscribe` returns: its first events come after a read.
  const subscription = deps.engine
    .follow(taskId, afterSeq, {
      // The next page once this one is on its way.
      paced: async () => {
        flush();
        if (res.writableLength > MAX_UNSENT_BYTES) await drained(res);
      },
      live: () => {
        state.replayed = true;
      },
    })
    .subscribe({
      next: (event) => {
        if (unsent === '') setImmediate(flush);
        unsent += frameOf(event, isStoredEvent(event));
      },
      // After the `end`, or when the live feed ended (the server is shutting down: an open stream
      // never holds a shutdown; the client resumes with Last-Event-ID). A failed read ends it too.
      complete: finish,
      error: finish,
    });
  res.on('close', finish);
}

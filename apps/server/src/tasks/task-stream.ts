import { isTerminal, type StoredTaskEvent, type TaskRepository } from '@agent-harness/queue';
import type { TaskEngine } from '@agent-harness/pipeline';
import type { Request, Response } from 'express';

/** Keeps proxies and clients from closing a quiet stream. */
export const DEFAULT_HEARTBEAT_MS = 15_000;
const REPLAY_PAGE = 500;

function writeEvent(res: Response, event: StoredTaskEvent): void {
  res.write(`id: ${String(event.seq)}\nevent: ${event.kind}\ndata: ${JSON.stringify({ seq: event.seq, kind: event.kind, at: event.createdAt, data: event.data })}\n\n`);
}

/**
 * Server-sent events of one task: the stored events after `afterSeq` first, then live ones, with no
 * gap and no repeat (live events are buffered while the store is replayed); a heartbeat comment
 * every 15 s; the stream closes after the task's `end` event (at once for a finished task).
 */
export async function streamTaskEvents(
  req: Request,
  res: Response,
  deps: { engine: TaskEngine; tasks: TaskRepository; heartbeatMs: number },
  taskId: string,
  afterSeq: number,
): Promise<void> {
  res.status(200).set({ 'content-type': 'text/event-stream', 'cache-control': 'no-cache', connection: 'keep-alive', 'x-accel-buffering': 'no' });
  res.flushHeaders();
  let lastSeq = afterSeq;
  // An object, not `let`s: callbacks below change it while this function awaits.
  const state = { replaying: true, ended: false };
  const buffered: StoredTaskEvent[] = [];
  const heartbeat = setInterval(() => res.write(': heartbeat\n\n'), deps.heartbeatMs);
  const finish = (): void => {
    if (state.ended) return;
    state.ended = true;
    clearInterval(heartbeat);
    subscription.unsubscribe();
    res.end();
  };
  const send = (event: StoredTaskEvent): void => {
    if (state.ended || event.seq <= lastSeq) return;
    writeEvent(res, event);
    lastSeq = event.seq;
    if (event.kind === 'end') finish();
  };
  const subscription = deps.engine.watch(taskId).subscribe({
    next: (event) => {
      if (state.replaying) buffered.push(event);
      else send(event);
    },
  });
  req.on('close', finish);

  for (;;) {
    const page = await deps.tasks.eventsAfter(taskId, lastSeq, REPLAY_PAGE);
    for (const event of page) send(event);
    if (page.length < REPLAY_PAGE || state.ended) break;
  }
  state.replaying = false;
  for (const event of buffered.splice(0)) send(event);
  if (state.ended) return;
  // A task that finished before the stream opened, with its end event already sent or older than Last-Event-ID.
  const task = await deps.tasks.get(taskId);
  if (task !== undefined && isTerminal(task.status)) {
    const rest = await deps.tasks.eventsAfter(taskId, lastSeq, REPLAY_PAGE);
    for (const event of rest) send(event);
    finish();
  }
}

import { Controller, Get, Inject, Res } from '@nestjs/common';
import type { Response } from 'express';
import { Subscription, type Observable } from 'rxjs';
import { SSE_HEARTBEAT_MS } from '../core/tokens.js';
import { MAX_UNSENT_BYTES } from '../tasks/task-stream.js';
import { TaskFeed } from './task-feed.js';

/** The first frame: the feed is subscribed, so a list read now misses nothing that follows. */
const READY_FRAME = 'event: ready\ndata: {}\n\n';

/**
 * Server-sent events of every task: `ready`, then a `task` frame (the task's summary) after each
 * status change. The rules of a task's stream: heartbeat comments, and a client that lets more than
 * MAX_UNSENT_BYTES wait is cut (it reconnects and reads the list again). Ends when the engine stops.
 */
export function streamTaskFeed(res: Response, frames$: Observable<string>, heartbeatMs: number): void {
  res.status(200).set({
    'content-type': 'text/event-stream',
    'cache-control': 'no-cache',
    connection: 'keep-alive',
    'x-accel-buffering': 'no',
  });
  res.flushHeaders();
  // An object, not `let`s: the callbacks below change it.
  const state = { ended: false };
  const subscription = new Subscription();
  const heartbeat = setInterval(() => res.write(': heartbeat\n\n'), heartbeatMs);
  const finish = (): void => {
    if (state.ended) return;
    state.ended = true;
    clearInterval(heartbeat);
    subscription.unsubscribe();
    res.end();
  };
  // Added to a subscription `finish` may already have closed (a feed that ends while subscribed,
  // the server shutting down): then it is let go at once.
  subscription.add(
    frames$.subscribe({
      next: (frame) => {
        if (state.ended || res.destroyed) return;
        res.write(frame);
        if (res.writableLength > MAX_UNSENT_BYTES) {
          finish();
          res.destroy();
        }
      },
      complete: finish,
      error: finish,
    }),
  );
  if (!state.ended) res.write(READY_FRAME);
  res.on('close', finish);
}

@Controller('api/tasks')
export class TaskFeedController {
  constructor(
    private readonly feed: TaskFeed,
    @Inject(SSE_HEARTBEAT_MS) private readonly heartbeatMs: number,
  ) {}

  @Get('stream')
  stream(@Res() res: Response): void {
    streamTaskFeed(res, this.feed.frames(), this.heartbeatMs);
  }
}

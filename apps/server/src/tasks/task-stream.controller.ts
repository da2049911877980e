import { Controller, Get, Headers, Inject, Param, Res } from '@nestjs/common';
import { TaskEngine } from '@agent-harness/pipeline';
import { resolveTaskId, TaskRepository } from '@agent-harness/queue';
import type { Response } from 'express';
import { SSE_HEARTBEAT_MS } from '../core/tokens.js';
import { parseLastEventId, streamTaskEvents } from './task-stream.js';

/**
 * `GET /tasks/:id/stream`: a task's events as Server-Sent Events, stored ones first, then live (the
 * engine's `follow`). The other task routes are operations (`OperationRoutesController`).
 */
@Controller('tasks')
export class TaskStreamController {
  constructor(
    private readonly engine: TaskEngine,
    private readonly tasks: TaskRepository,
    @Inject(SSE_HEARTBEAT_MS) private readonly heartbeatMs: number,
  ) {}

  /** `id`: a whole task id or a unique prefix of at least 8 characters (as in branch names). */
  @Get(':id/stream')
  async stream(
    @Param('id') given: string,
    @Headers('last-event-id') lastEventId: string | undefined,
    @Res() res: Response,
  ): Promise<void> {
    const afterSeq = parseLastEventId(lastEventId);
    const id = await resolveTaskId(this.tasks, given);
    await streamTaskEvents(
      res,
      { engine: this.engine, tasks: this.tasks, heartbeatMs: this.heartbeatMs },
      id,
      afterSeq,
    );
  }
}

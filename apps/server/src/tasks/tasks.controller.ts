import { Body, Controller, Get, Headers, HttpCode, Inject, Param, Post, Query, Res } from '@nestjs/common';
import { TaskBatchInput, TaskIdInput, TaskListInput, TaskSubmitInput, type Operations } from '@agent-harness/app';
import type { CreateTaskBatchResponse, CreateTaskResponse, TaskDetail, TaskListResponse } from '@agent-harness/core';
import { TaskEngine } from '@agent-harness/pipeline';
import { resolveTaskId, TaskRepository } from '@agent-harness/queue';
import type { Response } from 'express';
import { OPERATIONS, SSE_HEARTBEAT_MS } from '../core/tokens.js';
import { parseLastEventId, streamTaskEvents } from './task-stream.js';

/** The task routes: each adapts an operation of @agent-harness/app (the stream adapts `follow`). */
@Controller('tasks')
export class TasksController {
  constructor(
    @Inject(OPERATIONS) private readonly operations: Operations,
    private readonly engine: TaskEngine,
    private readonly tasks: TaskRepository,
    @Inject(SSE_HEARTBEAT_MS) private readonly heartbeatMs: number,
  ) {}

  /** 202 with a new task; 200 with the unfinished task already doing the same issue or PR. */
  @Post()
  @HttpCode(202)
  async create(@Body() body: TaskSubmitInput, @Res({ passthrough: true }) res: Response): Promise<CreateTaskResponse> {
    const answer = await this.operations.task_submit(body);
    if (answer.existing === true) res.status(200);
    return answer;
  }

  @Post('batch')
  @HttpCode(202)
  createBatch(@Body() body: TaskBatchInput): Promise<CreateTaskBatchResponse> {
    return this.operations.task_submit_batch(body);
  }

  /** Newest first, by `offset` or by `cursor` (keyset: the same cost for every page). */
  @Get()
  list(@Query() query: TaskListInput): Promise<TaskListResponse> {
    return this.operations.task_list(query);
  }

  /** `id`: a whole task id or a unique prefix of at least 8 characters (as in branch names). */
  @Get(':task_id')
  get(@Param() params: TaskIdInput): Promise<TaskDetail> {
    return this.operations.task_get(params);
  }

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

  @Post(':task_id/cancel')
  @HttpCode(200)
  cancel(@Param() params: TaskIdInput): Promise<TaskDetail> {
    return this.operations.task_cancel(params);
  }
}

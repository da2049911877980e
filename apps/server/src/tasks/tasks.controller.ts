import {
  BadRequestException,
  Body,
  Controller,
  Get,
  Headers,
  HttpCode,
  Inject,
  Param,
  Post,
  Query,
  Res,
} from '@nestjs/common';
import {
  AppError,
  type BatchEntryResult,
  type CreateTaskBatchResponse,
  type CreateTaskResponse,
  type TaskDetail,
  type TaskListResponse,
} from '@agent-harness/core';
import { TaskEngine, type Admission } from '@agent-harness/pipeline';
import { resolveTaskId, TaskRepository, taskRequestFrom, type TaskRequestFields } from '@agent-harness/queue';
import type { Response } from 'express';
import { CreateTaskBatchDto, CreateTaskDto, ListTasksQueryDto } from './dto/create-task.dto.js';
import { decodeListCursor, encodeListCursor } from './dto/list-cursor.js';
import { taskDetail, taskSummary } from './task.presenter.js';
import { SSE_HEARTBEAT_MS } from '../core/tokens.js';
import { parseLastEventId, streamTaskEvents } from './task-stream.js';

/** A new task's answer, or the unfinished task already doing the same work (`existing`). */
function created({ task, existing }: Admission): CreateTaskResponse {
  return existing
    ? { task_id: task.id, status: task.status, existing: true }
    : { task_id: task.id, status: task.status };
}

function requestOrBadRequest(fields: TaskRequestFields, where: string) {
  const result = taskRequestFrom(fields);
  if (!result.ok) throw new BadRequestException(`${where}${result.error}`);
  return result.value;
}

@Controller('tasks')
export class TasksController {
  constructor(
    private readonly engine: TaskEngine,
    private readonly tasks: TaskRepository,
    @Inject(SSE_HEARTBEAT_MS) private readonly heartbeatMs: number,
  ) {}

  /** 202 with a new task; 200 with the unfinished task already doing the same issue or PR. */
  @Post()
  @HttpCode(202)
  async create(@Body() body: CreateTaskDto, @Res({ passthrough: true }) res: Response): Promise<CreateTaskResponse> {
    const admission = await this.engine.admit({ ...requestOrBadRequest(body, ''), project: body.project });
    if (admission.existing) res.status(200);
    return created(admission);
  }

  @Post('batch')
  @HttpCode(202)
  async createBatch(@Body() body: CreateTaskBatchDto): Promise<CreateTaskBatchResponse> {
    if ((body.issues === undefined) === (body.tasks === undefined))
      throw new BadRequestException('give exactly one of issues or tasks');
    const entries: (TaskRequestFields & { project?: string | undefined })[] =
      body.issues?.map((issue) => ({ issue, project: body.project })) ??
      body.tasks?.map((t) => ({
        prompt: t.prompt,
        issue: t.issue,
        pr: t.pr,
        description: t.description,
        agent: t.agent,
        model: t.model,
        project: t.project ?? body.project,
      })) ??
      [];
    // Every entry is checked before any is queued, so a bad batch queues nothing.
    const requests = entries.map((entry, i) => ({
      ...requestOrBadRequest(entry, `tasks[${String(i)}]: `),
      project: entry.project,
    }));
    const results: BatchEntryResult[] = [];
    for (const request of requests) {
      try {
        results.push(created(await this.engine.admit(request)));
      } catch (error) {
        if (!(error instanceof AppError)) throw error;
        results.push({ task_id: null, status: 'rejected', error: error.message });
      }
    }
    return results;
  }

  /** Newest first, by `offset` or by `cursor` (keyset: the same cost for every page). */
  @Get()
  async list(@Query() query: ListTasksQueryDto): Promise<TaskListResponse> {
    if (query.cursor !== undefined && query.offset !== undefined)
      throw new BadRequestException('give cursor or offset, not both');
    const limit = query.limit ?? 50;
    const offset = query.offset ?? 0;
    const after = query.cursor === undefined ? undefined : decodeListCursor(query.cursor);
    // One more than asked tells whether a next page exists.
    const { tasks, total } = await this.tasks.list({
      status: query.status,
      project: query.project,
      limit: limit + 1,
      offset,
      after,
    });
    const page = tasks.slice(0, limit);
    const last = page.at(-1);
    const next_cursor =
      tasks.length > limit && last !== undefined ? encodeListCursor({ createdAt: last.createdAt, id: last.id }) : null;
    return { tasks: page.map(taskSummary), total, limit, offset, next_cursor };
  }

  /** `id`: a whole task id or a unique prefix of at least 8 characters (as in branch names). */
  @Get(':id')
  async get(@Param('id') given: string): Promise<TaskDetail> {
    const id = await resolveTaskId(this.tasks, given);
    const task = await this.tasks.get(id);
    if (task === undefined) throw new AppError('NOT_FOUND', `no task ${id}`);
    return taskDetail(task, await this.tasks.eventsAfter(id, 0, 10_000, ['status']), await this.engine.waiting(task));
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

  @Post(':id/cancel')
  @HttpCode(200)
  async cancel(@Param('id') given: string): Promise<TaskDetail> {
    const task = await this.engine.cancel(await resolveTaskId(this.tasks, given));
    return taskDetail(task, await this.tasks.eventsAfter(task.id, 0, 10_000, ['status']));
  }
}

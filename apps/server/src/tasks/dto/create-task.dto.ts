import type { CreateTaskBatchRequest, CreateTaskRequest, TaskFields, TaskListQuery } from '@agent-harness/core';
import { MAX_PROMPT_CHARS, TASK_STATUSES, type TaskStatus } from '@agent-harness/queue';
import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayMinSize,
  IsArray,
  IsIn,
  IsString,
  Length,
  MaxLength,
  ValidateNested,
} from 'class-validator';
import { Given, IntInRange, MAX_INT32, NoNulBytes, QueryInt } from '../../http/dto-rules.js';
import { IsListCursor } from './list-cursor.js';

/** `OFFSET` beyond this is refused: no list is that long, and SQLite wants a 64-bit integer. */
export const MAX_LIST_OFFSET = 1_000_000_000;

/** The fields of one task, shared by `POST /tasks` and the entries of `POST /tasks/batch`. */
export class TaskFieldsDto implements TaskFields {
  @Given()
  @IsString()
  @Length(1, MAX_PROMPT_CHARS, { message: `prompt must be 1 to ${String(MAX_PROMPT_CHARS)} characters` })
  @NoNulBytes()
  prompt?: string;

  @Given()
  @IntInRange(1, MAX_INT32, `issue must be a positive integer (at most ${String(MAX_INT32)})`)
  issue?: number;

  @Given()
  @IntInRange(1, MAX_INT32, `pr must be a positive integer (at most ${String(MAX_INT32)})`)
  pr?: number;

  @Given()
  @IsString()
  @MaxLength(500)
  @NoNulBytes()
  description?: string;

  @Given()
  @IsString()
  @MaxLength(100)
  @NoNulBytes()
  agent?: string;

  @Given()
  @IsString()
  @MaxLength(200)
  @NoNulBytes()
  model?: string;
}

export class CreateTaskDto extends TaskFieldsDto implements CreateTaskRequest {
  /** A project name or root path; default: the default project. */
  @Given()
  @IsString()
  @MaxLength(4096)
  @NoNulBytes()
  project?: string;
}

export class BatchTaskDto extends CreateTaskDto {}

export class CreateTaskBatchDto implements CreateTaskBatchRequest {
  @Given()
  @IsString()
  @MaxLength(4096)
  @NoNulBytes()
  project?: string;

  @Given()
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(500)
  @IntInRange(1, MAX_INT32, `issues must be positive integers (at most ${String(MAX_INT32)})`, { each: true })
  issues?: number[];

  @Given()
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(500)
  @ValidateNested({ each: true })
  @Type(() => BatchTaskDto)
  tasks?: BatchTaskDto[];
}

export class ListTasksQueryDto implements TaskListQuery {
  @Given()
  @IsIn([...TASK_STATUSES], { message: `status must be one of ${TASK_STATUSES.join(', ')}` })
  status?: TaskStatus;

  @Given()
  @IsString()
  @MaxLength(4096)
  @NoNulBytes()
  project?: string;

  @Given()
  @QueryInt()
  @IntInRange(1, 200, 'limit must be an integer from 1 to 200')
  limit?: number;

  @Given()
  @QueryInt()
  @IntInRange(0, MAX_LIST_OFFSET, `offset must be an integer from 0 to ${String(MAX_LIST_OFFSET)}`)
  offset?: number;

  /** Keyset paging: the `next_cursor` of the page before (not with `offset`). */
  @Given()
  @IsString()
  @IsListCursor()
  cursor?: string;
}

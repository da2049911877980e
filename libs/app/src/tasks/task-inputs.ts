import type {
  CreateTaskBatchRequest,
  CreateTaskRequest,
  SubmitTaskRequest,
  TaskFields,
  TaskListQuery,
} from '@agent-harness/core';
import { MAX_PROMPT_CHARS, TASK_STATUSES, type TaskStatus } from '@agent-harness/queue';
import { plainToInstance, Transform } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayMinSize,
  IsArray,
  IsIn,
  IsString,
  Length,
  Matches,
  MaxLength,
  ValidateNested,
} from 'class-validator';
import { PLAN_LIMITS } from '@agent-harness/plans';
import { Given, IntInRange, MAX_INT32, NoNulBytes, QueryInt } from '../input/input-rules.js';
import { ProjectInput } from '../input/project-input.js';
import { IsListCursor } from './list-cursor.js';

/** `OFFSET` beyond this is refused: no list is that long, and SQLite wants a 64-bit integer. */
export const MAX_LIST_OFFSET = 1_000_000_000;

/** The fields of one task, shared by `task_submit` and the entries of `task_submit_batch`. */
export class TaskFieldsInput implements TaskFields {
  @Given()
  @IsString()
  @Length(1, MAX_PROMPT_CHARS, { message: `prompt must be 1 to ${String(MAX_PROMPT_CHARS)} characters` })
  @NoNulBytes()
  prompt?: string | undefined;

  @Given()
  @IntInRange(1, MAX_INT32, `issue must be a positive integer (at most ${String(MAX_INT32)})`)
  issue?: number | undefined;

  @Given()
  @IntInRange(1, MAX_INT32, `pr must be a positive integer (at most ${String(MAX_INT32)})`)
  pr?: number | undefined;

  @Given()
  @IsString()
  @MaxLength(500)
  @NoNulBytes()
  description?: string | undefined;

  @Given()
  @IsString()
  @MaxLength(100)
  @NoNulBytes()
  agent?: string | undefined;

  @Given()
  @IsString()
  @MaxLength(200)
  @NoNulBytes()
  model?: string | undefined;
}

/** One task and its project: an entry of `task_submit_batch`. */
export class TaskRequestInput extends TaskFieldsInput implements CreateTaskRequest {
  /** A project name or root path; default: the default project. */
  @Given()
  @IsString()
  @MaxLength(4096)
  @NoNulBytes()
  project?: string | undefined;
}

/** A plan's id or a unique prefix of it. */
export const PLAN_ID = /^[0-9a-f]{4,12}$/;

/** `task_submit` (`POST /tasks`): one task, and optionally the plan milestone it ticks when done. */
export class TaskSubmitInput extends TaskRequestInput implements SubmitTaskRequest {
  @Given()
  @IsString()
  @Matches(PLAN_ID, { message: 'plan_id must be a plan id (hex characters)' })
  plan_id?: string | undefined;

  /** 0-based index of the plan's milestone. */
  @Given()
  @IntInRange(0, PLAN_LIMITS.milestones, 'milestone must be a milestone index (0-based)')
  milestone?: number | undefined;
}

/** `task_submit_batch` (`POST /tasks/batch`): exactly one of `issues` or `tasks`. */
export class TaskBatchInput implements CreateTaskBatchRequest {
  @Given()
  @IsString()
  @MaxLength(4096)
  @NoNulBytes()
  project?: string | undefined;

  @Given()
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(500)
  @IntInRange(1, MAX_INT32, `issues must be positive integers (at most ${String(MAX_INT32)})`, { each: true })
  issues?: number[] | undefined;

  @Given()
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(500)
  @ValidateNested({ each: true })
  // Entries become instances, so their own rules run (`@Type` would need reflect-metadata loaded).
  @Transform(({ value }: { value: unknown }) =>
    Array.isArray(value)
      ? value.map((entry: unknown) =>
          typeof entry === 'object' && entry !== null ? plainToInstance(TaskRequestInput, entry) : entry,
        )
      : value,
  )
  tasks?: TaskRequestInput[] | undefined;
}

/** `task_list` (`GET /tasks`): numbers may come as query-string digits. */
export class TaskListInput implements TaskListQuery {
  @Given()
  @IsIn([...TASK_STATUSES], { message: `status must be one of ${TASK_STATUSES.join(', ')}` })
  status?: TaskStatus | undefined;

  @Given()
  @IsString()
  @MaxLength(4096)
  @NoNulBytes()
  project?: string | undefined;

  @Given()
  @IsString()
  @Length(1, 64)
  @NoNulBytes()
  agent?: string | undefined;

  @Given()
  @IsString()
  @Length(1, 200, { message: 'q must be 1 to 200 characters' })
  @NoNulBytes()
  q?: string | undefined;

  @Given()
  @QueryInt()
  @IntInRange(1, 200, 'limit must be an integer from 1 to 200')
  limit?: number | undefined;

  @Given()
  @QueryInt()
  @IntInRange(0, MAX_LIST_OFFSET, `offset must be an integer from 0 to ${String(MAX_LIST_OFFSET)}`)
  offset?: number | undefined;

  /** Keyset paging: the `next_cursor` of the page before (not with `offset`). */
  @Given()
  @IsString()
  @IsListCursor()
  cursor?: string | undefined;
}

/** `task_get`, `task_cancel`. */
export class TaskIdInput {
  /** A whole task id or a unique prefix of at least 8 characters. */
  @IsString()
  @Length(1, 100)
  @NoNulBytes()
  task_id!: string;
}

/** `task_classify`: the text of a task, as the original's method took it. */
export class TaskClassifyInput {
  @IsString()
  @Length(1, MAX_PROMPT_CHARS)
  @NoNulBytes()
  prompt!: string;

  @Given()
  @IntInRange(1, MAX_INT32, 'issue must be a positive integer')
  issue?: number | undefined;

  @Given()
  @IntInRange(1, MAX_INT32, 'pr must be a positive integer')
  pr?: number | undefined;
}

/** `preflight`: what a task would meet in a project before it runs. */
export class PreflightInput extends ProjectInput {
  @IsString()
  @Length(1, MAX_PROMPT_CHARS)
  @NoNulBytes()
  task_description!: string;
}

/** `task_follow_up`: more work on a task whose change is published, on its branch and pull request. */
export class TaskFollowUpInput extends TaskIdInput {
  @IsString()
  @Length(1, MAX_PROMPT_CHARS)
  @NoNulBytes()
  prompt!: string;
}

/** `task_approve`. */
export class TaskApproveInput extends TaskIdInput {}

/** `task_reject`: why, said on the task. */
export class TaskRejectInput extends TaskIdInput {
  @Given()
  @IsString()
  @MaxLength(2000)
  @NoNulBytes()
  reason?: string | undefined;
}

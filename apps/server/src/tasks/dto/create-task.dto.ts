import { MAX_PROMPT_CHARS, TASK_STATUSES, type TaskStatus } from '@agent-harness/queue';
import { Type } from 'class-transformer';
import { ArrayMaxSize, ArrayMinSize, IsArray, IsIn, IsInt, IsOptional, IsPositive, IsString, Length, Max, MaxLength, Min, ValidateNested } from 'class-validator';

/** The fields of one task, shared by `POST /tasks` and the entries of `POST /tasks/batch`. */
export class TaskFieldsDto {
  @IsOptional() @IsString() @Length(1, MAX_PROMPT_CHARS, { message: `prompt must be 1 to ${String(MAX_PROMPT_CHARS)} characters` })
  prompt?: string;

  @IsOptional() @IsInt({ message: 'issue must be a positive integer' }) @IsPositive({ message: 'issue must be a positive integer' })
  issue?: number;

  @IsOptional() @IsInt({ message: 'pr must be a positive integer' }) @IsPositive({ message: 'pr must be a positive integer' })
  pr?: number;

  @IsOptional() @IsString() @MaxLength(500)
  description?: string;

  @IsOptional() @IsString() @MaxLength(100)
  agent?: string;

  @IsOptional() @IsString() @MaxLength(200)
  model?: string;
}

export class CreateTaskDto extends TaskFieldsDto {
  /** A project name or root path; default: the default project. */
  @IsOptional() @IsString() @MaxLength(4096)
  project?: string;
}

export class BatchTaskDto extends CreateTaskDto {}

export class CreateTaskBatchDto {
  @IsOptional() @IsString() @MaxLength(4096)
  project?: string;

  @IsOptional() @IsArray() @ArrayMinSize(1) @ArrayMaxSize(500)
  @IsInt({ each: true, message: 'issues must be positive integers' }) @IsPositive({ each: true, message: 'issues must be positive integers' })
  issues?: number[];

  @IsOptional() @IsArray() @ArrayMinSize(1) @ArrayMaxSize(500) @ValidateNested({ each: true }) @Type(() => BatchTaskDto)
  tasks?: BatchTaskDto[];
}

export class ListTasksQueryDto {
  @IsOptional() @IsIn([...TASK_STATUSES], { message: `status must be one of ${TASK_STATUSES.join(', ')}` })
  status?: TaskStatus;

  @IsOptional() @IsString()
  project?: string;

  @IsOptional() @Type(() => Number) @IsInt({ message: 'limit must be an integer from 1 to 200' }) @Min(1, { message: 'limit must be an integer from 1 to 200' }) @Max(200, { message: 'limit must be an integer from 1 to 200' })
  limit?: number;

  @IsOptional() @Type(() => Number) @IsInt({ message: 'offset must be a non-negative integer' }) @Min(0, { message: 'offset must be a non-negative integer' })
  offset?: number;
}

import { Given, IntInRange, NoNulBytes, ProjectInput, TaskIdInput } from '@agent-harness/app';
import { DECISIONS, MAX_QUERY_LIMIT, SEVERITIES, type Decision, type Severity } from '@agent-harness/observe';
import { DRAFT_STATUSES, type DraftStatus } from '@agent-harness/gc';
import { IsBoolean, IsIn, IsISO8601, IsString, Length, Matches, MaxLength } from 'class-validator';

// The params of the methods that are not operations of @agent-harness/app yet; those take the
// operation's own input class.

/** Methods without params: any field given is refused. */
// eslint-disable-next-line @typescript-eslint/no-extraneous-class -- a DTO with no fields is how "no params" is validated
export class NoParams {}

export class TaskSubscribeParams extends TaskIdInput {
  /** Replay stored events after this sequence number first (0: all). */
  @Given()
  @IntInRange(0, Number.MAX_SAFE_INTEGER, 'after_seq must be a non-negative integer')
  after_seq?: number;
}

const DRAFT_ID = /^[0-9a-f]{8,12}$/;

export class DraftIdParams {
  /** A draft's id or its 8-character prefix. */
  @IsString()
  @Matches(DRAFT_ID, { message: 'draft_id must be a draft id (8 to 12 hex characters)' })
  draft_id!: string;
}

export class DraftRejectParams extends DraftIdParams {
  @Given()
  @IsString()
  @MaxLength(2000)
  @NoNulBytes()
  reason?: string;
}

export class DraftListParams extends ProjectInput {
  @Given()
  @IsIn([...DRAFT_STATUSES], { message: `status must be one of ${DRAFT_STATUSES.join(', ')}` })
  status?: DraftStatus;

  @Given()
  @IntInRange(1, 1000, 'limit must be an integer from 1 to 1000')
  limit?: number;
}

export class SkillListParams extends ProjectInput {
  @Given()
  @IsString()
  @MaxLength(200)
  @NoNulBytes()
  query?: string;
}

export class SkillIdParams {
  /** `<tier>:<name>` (as `skill_list` shows) or a bare name (the highest tier wins). */
  @IsString()
  @Length(1, 200)
  @NoNulBytes()
  skill_id!: string;
}

export class SkillCreateParams {
  @IsString()
  @Length(1, 100)
  @NoNulBytes()
  name!: string;

  @IsString()
  @Length(1, 100_000)
  @NoNulBytes()
  content!: string;

  @Given()
  @IsBoolean()
  replace?: boolean;
}

export class SkillDeleteParams {
  @IsString()
  @Length(1, 100)
  @NoNulBytes()
  name!: string;
}

const EVENT_KIND = /^[a-z][a-z0-9_]{0,63}$/;

export class EventQueryParams {
  @Given()
  @IsString()
  @MaxLength(200)
  @NoNulBytes()
  project?: string;

  @Given()
  @IsString()
  @MaxLength(100)
  @NoNulBytes()
  task_id?: string;

  @Given()
  @IsString()
  @MaxLength(200)
  @NoNulBytes()
  session_id?: string;

  @Given()
  @Matches(EVENT_KIND, { message: 'hook must be an event kind (lower-case snake case)' })
  hook?: string;

  @Given()
  @IsString()
  @MaxLength(200)
  @NoNulBytes()
  tool?: string;

  @Given()
  @IsIn([...DECISIONS], { message: `decision must be one of ${DECISIONS.join(', ')}` })
  decision?: Decision;

  @Given()
  @IsIn([...SEVERITIES], { message: `severity must be one of ${SEVERITIES.join(', ')}` })
  severity?: Severity;

  @Given()
  @IsISO8601({ strict: true }, { message: 'since must be an ISO-8601 time' })
  since?: string;

  @Given()
  @IsISO8601({ strict: true }, { message: 'until must be an ISO-8601 time' })
  until?: string;

  @Given()
  @IntInRange(1, MAX_QUERY_LIMIT, `limit must be an integer from 1 to ${String(MAX_QUERY_LIMIT)}`)
  limit?: number;

  /** Keyset paging: the smallest id of the previous page. */
  @Given()
  @IntInRange(1, Number.MAX_SAFE_INTEGER, 'before_id must be a positive integer')
  before_id?: number;

  @Given()
  @IsBoolean()
  include_content?: boolean;
}

export class JobIdParams {
  @IsString()
  @Matches(/^[0-9a-f-]{36}$/, { message: 'job_id must be a job id' })
  job_id!: string;
}

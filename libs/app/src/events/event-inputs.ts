import { DECISIONS, MAX_QUERY_LIMIT, SEVERITIES, type Decision, type Severity } from '@agent-harness/observe';
import { IsBoolean, IsIn, IsISO8601, IsString, Matches, MaxLength } from 'class-validator';
import { Given, IntInRange, NestedInput, NoNulBytes } from '../input/input-rules.js';

const EVENT_KIND = /^[a-z][a-z0-9_]{0,63}$/;

/** `event_query`: telemetry events, newest first. */
export class EventQueryInput {
  @Given()
  @IsString()
  @MaxLength(200)
  @NoNulBytes()
  project?: string | undefined;

  @Given()
  @IsString()
  @MaxLength(100)
  @NoNulBytes()
  task_id?: string | undefined;

  @Given()
  @IsString()
  @MaxLength(200)
  @NoNulBytes()
  session_id?: string | undefined;

  @Given()
  @Matches(EVENT_KIND, { message: 'hook must be an event kind (lower-case snake case)' })
  hook?: string | undefined;

  @Given()
  @IsString()
  @MaxLength(200)
  @NoNulBytes()
  tool?: string | undefined;

  @Given()
  @IsIn([...DECISIONS], { message: `decision must be one of ${DECISIONS.join(', ')}` })
  decision?: Decision | undefined;

  @Given()
  @IsIn([...SEVERITIES], { message: `severity must be one of ${SEVERITIES.join(', ')}` })
  severity?: Severity | undefined;

  @Given()
  @IsISO8601({ strict: true }, { message: 'since must be an ISO-8601 time' })
  since?: string | undefined;

  @Given()
  @IsISO8601({ strict: true }, { message: 'until must be an ISO-8601 time' })
  until?: string | undefined;

  @Given()
  @IntInRange(1, MAX_QUERY_LIMIT, `limit must be an integer from 1 to ${String(MAX_QUERY_LIMIT)}`)
  limit?: number | undefined;

  /** Keyset paging: the smallest id of the previous page. */
  @Given()
  @IntInRange(1, Number.MAX_SAFE_INTEGER, 'before_id must be a positive integer')
  before_id?: number | undefined;

  @Given()
  @IsBoolean()
  include_content?: boolean | undefined;
}

/** One event another tool reports (`event_log`): the original harness's hook scripts did this. */
export class LoggedEventInput {
  @Matches(EVENT_KIND, { message: 'event.hook must be an event kind (lower-case snake case, up to 64 characters)' })
  hook!: string;

  @Given()
  @IsIn([...DECISIONS], { message: `event.decision must be one of ${DECISIONS.join(', ')}` })
  decision?: Decision | undefined;

  @Given()
  @IsString()
  @MaxLength(200)
  @NoNulBytes()
  project?: string | undefined;

  @Given()
  @IsString()
  @MaxLength(200)
  @NoNulBytes()
  session_id?: string | undefined;

  @Given()
  @IsString()
  @MaxLength(200)
  @NoNulBytes()
  tool?: string | undefined;

  @Given()
  @IsIn([...SEVERITIES], { message: `event.severity must be one of ${SEVERITIES.join(', ')}` })
  severity?: Severity | undefined;

  @Given()
  @IsString()
  @MaxLength(1024)
  @NoNulBytes()
  reason?: string | undefined;

  @Given()
  @IsString()
  @MaxLength(4096)
  @NoNulBytes()
  detail?: string | undefined;

  @Given()
  @IntInRange(0, 7 * 24 * 3600 * 1000, 'event.duration_ms must be a whole number of milliseconds (at most a week)')
  duration_ms?: number | undefined;

  @Given()
  @IsString()
  @MaxLength(65_536)
  @NoNulBytes()
  content?: string | undefined;
}

/** `event_log`: `{event}`. */
export class EventLogInput {
  @NestedInput(LoggedEventInput, 'event must be an object')
  event!: LoggedEventInput;
}

/** `stats_query`: a window of telemetry (default: the last 7 days). */
export class StatsQueryInput {
  @Given()
  @IsISO8601({ strict: true }, { message: 'since must be an ISO-8601 time' })
  since?: string | undefined;

  @Given()
  @IsISO8601({ strict: true }, { message: 'until must be an ISO-8601 time' })
  until?: string | undefined;
}

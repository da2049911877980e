/**
 * The Harness REST API as types: the request and response body of every route (see docs/api.md).
 * The server's presenters return these, the CLI client reads them and the e2e tests check them, so a
 * field renamed on one side breaks the build of the others. Names are the JSON's (snake_case).
 *
 * Optional fields are typed `?: T | undefined` where the server builds them from values that may be
 * undefined: JSON leaves such a field out, so a reader sees it absent, never `undefined` or `null`.
 */

import type { FailureClass } from '../failures.js';
import type { AgentEvent } from '../agents/agent-event.js';
import type { ErrorCode } from '../errors/error-codes.js';
import type { Grade, ReviewOutcome, TaskKind, TaskStatus } from '../tasks/task-values.js';

/** A task's status as the API shows it: the queue's own list (tasks/task-values.ts). @public */
export type ApiTaskStatus = TaskStatus;
/** What a task works from. @public */
export type ApiTaskKind = TaskKind;
/** How a task's review ended. @public */
export type ApiReviewOutcome = ReviewOutcome;
/** A quality grade; F only for a failed task. @public */
export type ApiGrade = Grade;

// ---- Errors -------------------------------------------------------------------------------------

/** The one error body of every 4xx and 5xx: `{"error": {"code", "message", "details"?}}`. @public */
export interface ErrorBody {
  readonly error: {
    readonly code: ErrorCode;
    readonly message: string;
    readonly details?: Readonly<Record<string, unknown>>;
  };
}

// ---- GET /health --------------------------------------------------------------------------------

/** @public */
export interface HealthResponse {
  readonly status: 'ok';
  readonly version: string;
  readonly uptime_secs: number;
}

// ---- POST /tasks, POST /tasks/batch -------------------------------------------------------------

/** The fields of one task: exactly one of `prompt`, `issue` or `pr`. @public */
export interface TaskFields {
  readonly prompt?: string | undefined;
  readonly issue?: number | undefined;
  readonly pr?: number | undefined;
  /** The task's title and commit message. */
  readonly description?: string | undefined;
  /** `claude`, `codex`, `anthropic-api` or `auto`. */
  readonly agent?: string | undefined;
  readonly model?: string | undefined;
}

/** `POST /tasks`. @public */
export interface CreateTaskRequest extends TaskFields {
  /** A project name or root path; default: the default project. */
  readonly project?: string | undefined;
}

/** `POST /tasks`, JSON-RPC `task_submit`: a task, and optionally the plan milestone it completes. @public */
export interface SubmitTaskRequest extends CreateTaskRequest {
  /** With `milestone`: the exec plan whose milestone the task completes when it ends `done`. */
  readonly plan_id?: string | undefined;
  /** 0-based. */
  readonly milestone?: number | undefined;
}

/**
 * `POST /tasks` → 202 with a new task; 200 with `existing: true` when an unfinished task already
 * does the same issue or pull request of the project (one task per piece of work): that task.
 * @public
 */
export interface CreateTaskResponse {
  readonly task_id: string;
  readonly status: ApiTaskStatus;
  /** True when the answer is the unfinished task already doing this work, and nothing was queued. */
  readonly existing?: true | undefined;
}

/** `POST /tasks/batch`: exactly one of `issues` or `tasks`; an entry's `project` overrides the batch's. @public */
export interface CreateTaskBatchRequest {
  readonly project?: string | undefined;
  readonly issues?: readonly number[] | undefined;
  readonly tasks?: readonly CreateTaskRequest[] | undefined;
}

/** One entry of a batch's answer, in the order of the request. @public */
export type BatchEntryResult =
  CreateTaskResponse | { readonly task_id: null; readonly status: 'rejected'; readonly error: string };

/** `POST /tasks/batch` → 202. @public */
export type CreateTaskBatchResponse = BatchEntryResult[];

// ---- GET /tasks, GET /tasks/:id, POST /tasks/:id/cancel -----------------------------------------

/** `GET /tasks` query string (numbers as decimal digits). @public */
export interface TaskListQuery {
  readonly status?: ApiTaskStatus | undefined;
  readonly project?: string | undefined;
  /** The agent that ran the task (else the one it asked for). */
  readonly agent?: string | undefined;
  /** Words of the title (its description or the start of its prompt), case-insensitive; 1–200 characters. */
  readonly q?: string | undefined;
  /** 1–200, default 50. */
  readonly limit?: number | undefined;
  /** 0–1,000,000,000, default 0. */
  readonly offset?: number | undefined;
  /** Keyset paging: a `next_cursor` from an earlier answer (opaque; not with `offset`). */
  readonly cursor?: string | undefined;
}

/** A task as lists show it (no prompt, no history). Absent values are `null`. @public */
export interface TaskSummary {
  readonly id: string;
  readonly project: string;
  readonly kind: ApiTaskKind;
  readonly title: string;
  readonly issue: number | null;
  readonly pr: number | null;
  readonly status: ApiTaskStatus;
  readonly attempt: number;
  /** The agent that ran it, else the one asked for. */
  readonly agent: string | null;
  readonly branch: string | null;
  readonly commit: string | null;
  readonly pr_number: number | null;
  readonly pr_url: string | null;
  readonly grade: ApiGrade | null;
  readonly error: string | null;
  /** Why it failed, as data (`validation_failed`, `agent_timeout`, `github_error`, …); null unless failed or cancelled. */
  readonly failure_class: FailureClass | null;
  readonly created_at: string;
  readonly updated_at: string;
  readonly finished_at: string | null;
}

/** `GET /tasks` answer, newest first. @public */
export interface TaskListResponse {
  readonly tasks: TaskSummary[];
  readonly total: number;
  readonly limit: number;
  readonly offset: number;
  /** Give as `cursor` for the page after this one, with the same filters; null on the last page. */
  readonly next_cursor: string | null;
}

/** One status change of a task, as `history` lists it and as a `status` event carries it. @public */
export interface StatusEventData {
  /** `null` for the first (`queued`). */
  readonly from: ApiTaskStatus | null;
  readonly to: ApiTaskStatus;
  readonly attempt: number;
  readonly reason?: string | undefined;
  /** On a claim (queued → preparing): the id of the server that took the task. */
  readonly server?: string | undefined;
}

/** @public */
export interface TaskHistoryEntry extends StatusEventData {
  readonly seq: number;
  readonly at: string;
}

/** `GET /tasks/:id` and `POST /tasks/:id/cancel` answer: everything about a task. @public */
export interface TaskDetail extends TaskSummary {
  readonly prompt: string | null;
  readonly description: string | null;
  readonly requested_agent: string | null;
  readonly model: string | null;
  readonly agent_used: string | null;
  readonly session_id: string | null;
  readonly not_before: string | null;
  readonly worktree: string | null;
  readonly tokens: { readonly input: number; readonly output: number };
  readonly validation_retries: number;
  readonly review_rounds: number;
  readonly review_outcome: ApiReviewOutcome | null;
  readonly score: number | null;
  readonly cost_usd: number | null;
  readonly started_at: string | null;
  /** Why a queued task waits, when a spent daily limit holds it; null otherwise. */
  readonly waiting: TaskWaitingJson | null;
  /** The step a task `awaiting_approval` is held at, and since when; null otherwise. */
  readonly approval: TaskApprovalJson | null;
  /** Its pull request loop so far: rounds run and whether Harness merged it. */
  readonly pull_request_loop: TaskLoopJson;
  readonly version: number;
  readonly history: TaskHistoryEntry[];
}

/** @public */
export interface TaskApprovalJson {
  readonly stage: 'push' | 'pr' | 'merge';
  readonly since: string;
}

/** @public */
export interface TaskLoopJson {
  readonly ci_fix_rounds: number;
  readonly feedback_rounds: number;
  readonly follow_ups: number;
  /** The round queued or running now, if any. */
  readonly round: 'ci_fix' | 'review_feedback' | 'follow_up' | 'approved' | null;
  readonly merged: boolean;
}

// ---- GET /tasks/:id/stream (server-sent events) -------------------------------------------------

/** One file of a diff stat; `null` counts for a binary file. @public */
export interface DiffStatFileJson {
  readonly path: string;
  readonly insertions: number | null;
  readonly deletions: number | null;
}

/** What a commit of the task changed against its base, as the commit step records it. @public */
export interface DiffStatJson {
  /** Every file changed, counted even past the listed ones. */
  readonly files_changed: number;
  readonly insertions: number;
  readonly deletions: number;
  /** The first 200 files (git's order). */
  readonly files: DiffStatFileJson[];
}

/** A Harness step (`worktree …`, `pushed …`); a pull request step names it too, a commit step its diff stat. @public */
export interface LogEventData {
  readonly message: string;
  readonly pr?: number | undefined;
  readonly url?: string | undefined;
  readonly diff_stat?: DiffStatJson | undefined;
  /**
   * A commit step's whole change against the base (`git diff --stat --patch base...HEAD`), cut at
   * 256 KB with a last line saying so; secrets redacted like every stored event.
   */
  readonly patch?: string | undefined;
}

/** One normalized agent event, with who ran it. @public */
export type AgentEventData = { readonly role: 'implementer' | 'reviewer'; readonly agent: string } & AgentEvent;

/** One validation command's result. @public */
export interface ValidationOutcomeJson {
  readonly command: string;
  readonly exitCode: number | null;
  readonly timedOut: boolean;
  /** The end of its combined output. */
  readonly output: string;
  readonly durationMs: number;
  /** Stopped by a cancel of the task: neither passed nor failed. */
  readonly cancelled?: boolean | undefined;
}

/**
 * A run of project commands: validation (`retry` after the agent's work), `stage: "pre_push"` for
 * the checks before a push, `"setup"` for `[workspace] setup` before the agent, `"before_remove"`
 * for the original's `before_remove_hook`.
 * @public
 */
export interface ValidationEventData {
  readonly retry?: number | undefined;
  readonly stage?: 'pre_push' | 'setup' | 'before_remove' | undefined;
  readonly ok: boolean;
  readonly source: 'config' | 'detected' | 'none';
  readonly outcomes: ValidationOutcomeJson[];
  /** Cut short by a cancel of the task (its last outcome says `cancelled`): no validation failure. */
  readonly cancelled?: boolean | undefined;
}

/** @public */
export interface ReviewIssueJson {
  readonly file: string;
  readonly line: number | null;
  readonly severity: 'high' | 'medium' | 'low';
  readonly message: string;
}

/** One review round's verdict. @public */
export interface ReviewEventData {
  readonly round: number;
  readonly reviewer: string;
  readonly verdict: 'approve' | 'request_changes';
  readonly summary: string;
  readonly issues: ReviewIssueJson[];
}

/**
 * The task's agent output reached `[limits] task_output_mb`: from here on its output events are
 * counted, not stored or streamed (the agent keeps running). Stored once per task. @public
 */
export interface OutputTruncatedEventData {
  readonly message: string;
  readonly limit_bytes: number;
  /** Output stored when it was cut. */
  readonly stored_bytes: number;
}

/** What became of a cut output, as the `end` event reports it. @public */
export interface OutputCountsJson {
  readonly limit_bytes: number;
  readonly stored_bytes: number;
  /** Output events counted, not stored (in the run that ended). */
  readonly dropped_events: number;
  readonly dropped_bytes: number;
}

/** How the task ended: always the stream's last event. @public */
export interface EndEventData {
  readonly status: ApiTaskStatus;
  readonly error?: string | undefined;
  readonly failure_class?: FailureClass | undefined;
  readonly commit?: string | undefined;
  readonly branch?: string | undefined;
  /** The pull request's URL. */
  readonly pr?: string | undefined;
  readonly grade?: ApiGrade | undefined;
  readonly review?: ApiReviewOutcome | undefined;
  /** Present when the agents' output was cut at `[limits] task_output_mb`. */
  readonly output_truncated?: OutputCountsJson | undefined;
}

/** The `data` of each kind of task event. @public */
export interface TaskEventDataByKind {
  readonly status: StatusEventData;
  readonly log: LogEventData;
  readonly agent: AgentEventData;
  readonly validation: ValidationEventData;
  readonly review: ReviewEventData;
  readonly end: EndEventData;
  readonly output_truncated: OutputTruncatedEventData;
}

/** @public */
export type TaskEventKind = keyof TaskEventDataByKind;

/** @public */
export const TASK_EVENT_KINDS = [
  'status',
  'log',
  'agent',
  'validation',
  'review',
  'end',
  'output_truncated',
] as const satisfies readonly TaskEventKind[];

/**
 * The `data:` line of one server-sent event: `seq` (also its `id:`, from 1 per task without gaps),
 * `kind` (also its `event:`), `at` (ISO 8601) and the kind's `data`.
 * @public
 */
export type TaskStreamEvent = {
  readonly [K in TaskEventKind]: {
    readonly seq: number;
    readonly kind: K;
    readonly at: string;
    readonly data: TaskEventDataByKind[K];
  };
}[TaskEventKind];

// ---- GET /api/tasks/stream (server-sent events) -------------------------------------------------

/**
 * The live feed of every task (the dashboard's table). Events: `ready` (data `{}`: the feed is
 * live, read `GET /tasks` now and apply what follows), then `task` (data: the task's summary after
 * each status change and at its end). No `id:`: after a reconnect, read `GET /tasks` again.
 * @public
 */
export interface TaskFeedEventDataByKind {
  readonly ready: Record<string, never>;
  readonly task: TaskSummary;
}

// ---- GET /api/dashboard -------------------------------------------------------------------------

/**
 * One artifact of a task (`GET /tasks/:id/artifacts`), in the original harness's shape: `turn` is
 * the attempt it came from, `content` text (`diff`, `final_answer`) or a JSON string (`validation`,
 * `review`).
 * @public
 */
export interface TaskArtifactJson {
  readonly task_id: string;
  readonly turn: number;
  readonly artifact_type: 'diff' | 'validation' | 'review' | 'final_answer';
  readonly content: string;
  readonly created_at: string;
}

/** @public */
export type TaskArtifactsResponse = TaskArtifactJson[];

/** Running and queued tasks against a limit. @public */
export interface QueueCountsJson {
  readonly running: number;
  readonly queued: number;
  /** The most that may run at once: the server's `max_concurrent_tasks`, or the project's `max_concurrent`. */
  readonly limit: number;
}

/** `GET /api/queue-stats` (the original's `/projects/queue-stats`): the queue, overall and per project by name. @public */
export interface QueueStatsResponse {
  readonly global: QueueCountsJson;
  readonly projects: Readonly<Record<string, QueueCountsJson & { readonly root: string }>>;
}

/** @public */
export interface DashboardResponse {
  readonly global: {
    /** Tasks preparing, running, validating, committing or reviewing. */
    readonly running: number;
    readonly queued: number;
    readonly done: number;
    readonly failed: number;
    /**
     * The health grade of all projects (`harness health`: A ≥ 90, B ≥ 75, C ≥ 60, else D, from
     * the last 30 days of events and the latest rule scans); null before any event. At most 5 s old.
     */
    readonly grade: Exclude<ApiGrade, 'F'> | null;
    /** The health score behind `grade` (0–100); null before any event. */
    readonly score: number | null;
    readonly max_concurrent: number;
    readonly latest_pr: string | null;
  };
  readonly projects: {
    readonly id: string;
    readonly root: string;
    readonly tasks: {
      readonly running: number;
      readonly queued: number;
      readonly done: number;
      readonly failed: number;
    };
    /** The project's own health grade and score; null before any of its events. */
    readonly grade: Exclude<ApiGrade, 'F'> | null;
    readonly score: number | null;
  }[];
}

// ---- GET/POST/DELETE /api/projects --------------------------------------------------------------

/** A project as `GET /api/projects` lists it and `POST /api/projects` answers it. @public */
export interface ProjectJson {
  readonly name: string;
  /** Repeats `name`, for older clients. */
  readonly id: string;
  readonly root: string;
  readonly default: boolean;
  readonly max_concurrent: number | null;
  readonly default_agent: string | null;
  readonly repo: string | null;
  readonly base_branch: string | null;
  readonly origin: 'config' | 'api';
  readonly active: boolean;
}

/** `GET /api/projects`. @public */
export type ProjectListResponse = ProjectJson[];

/** `POST /api/projects` → 201 (a `ProjectJson`). `id` is the older spelling of `name`. @public */
export interface RegisterProjectRequest {
  readonly name?: string | undefined;
  readonly id?: string | undefined;
  /** An absolute path to the top directory of a git repository. */
  readonly root: string;
  readonly max_concurrent?: number | undefined;
  readonly default_agent?: string | undefined;
  /** `owner/name`. */
  readonly repo?: string | undefined;
  readonly base_branch?: string | undefined;
  readonly active?: boolean | undefined;
}

/** `DELETE /api/projects/:id` → 200. @public */
export interface RemoveProjectResponse {
  readonly removed: string;
}

// ---- GET /api/reviews ---------------------------------------------------------------------------

/** How bad a periodic review's finding is. @public */
export type ApiFindingSeverity = 'critical' | 'high' | 'medium' | 'low';

/** One finding of a periodic whole-repo review. @public */
export interface ReviewFindingJson {
  /** The agent's id, or a stable hash of project, file and title (the same issue keeps its id across reviews). */
  readonly id: string;
  readonly severity: ApiFindingSeverity;
  readonly title: string;
  /** Relative to the project root. */
  readonly file: string | null;
  readonly line: number | null;
  readonly description: string;
  readonly suggestion: string | null;
}

/** One periodic review run, with its findings. @public */
export interface ReviewRunJson {
  readonly id: string;
  readonly project: string;
  /** The commit reviewed. */
  readonly head: string;
  /** The commit the review before it had reviewed; null for the project's first review. */
  readonly previous_head: string | null;
  readonly strategy: 'single' | 'cross';
  /** The agents that ran: the reviewer(s), the primary one first (it also merges a `cross` review). */
  readonly agents: string[];
  /** `failed`: the review could not be read or an agent failed; `error` says why (never "no findings"). */
  readonly status: 'done' | 'failed';
  readonly summary: string;
  readonly error: string | null;
  /** What else the run wants said (a `cross` review that found no second agent ran `single`). */
  readonly note: string | null;
  readonly cost_usd: number | null;
  readonly started_at: string;
  readonly finished_at: string;
  readonly duration_ms: number;
  readonly findings: ReviewFindingJson[];
}

/** `GET /api/reviews?project=&limit=`: newest first; `limit` 1–100 (default 20). @public */
export interface ReviewListQuery {
  readonly project?: string | undefined;
  readonly limit?: number | undefined;
}

/** `GET /api/reviews`. @public */
export interface ReviewListResponse {
  readonly reviews: ReviewRunJson[];
}

/**
 * `POST /webhook` (GitHub): 202 `accepted` with the task queued; 200 `existing` with the unfinished
 * task already doing that issue or pull request (nothing queued); or 200 `ignored` and why (a
 * delivery already taken names its task). A bad signature is a 401 ErrorBody.
 * @public
 */
export type WebhookResponse =
  | { readonly status: 'accepted' | 'existing'; readonly task_id: string; readonly reason: string }
  | { readonly status: 'ignored'; readonly reason: string; readonly task_id?: string }
  /** Done without a task: the branch of a merged or closed Harness pull request deleted. */
  | { readonly status: 'handled'; readonly reason: string; readonly task_id?: undefined };

/** One server of `GET /api/fleet`. @public */
export interface FleetServerJson {
  readonly id: string;
  readonly host: string;
  readonly pid: number;
  readonly started_at: string;
  readonly heartbeat_at: string;
  /** `draining`: finishing its tasks, claiming none; `stopped`: shut down cleanly. */
  readonly state: 'running' | 'draining' | 'stopped';
  /** Its `max_concurrent_tasks`. */
  readonly slots: number;
  /** Its heartbeat is recent (15 s) and it did not stop. */
  readonly alive: boolean;
  readonly running: readonly { readonly id: string; readonly project: string; readonly status: ApiTaskStatus }[];
}

/** `GET /api/fleet`: the servers sharing this database and what each runs. @public */
export interface FleetResponse {
  /** The id of the server that answered. */
  readonly self: string;
  readonly database: 'sqlite' | 'postgres';
  readonly servers: readonly FleetServerJson[];
}

// ---- GET /api/agents ----------------------------------------------------------------------------

/** `GET /api/agents`: the agents this server knows, whether each can run, and the default. @public */
export interface AgentListResponse {
  /** `[agents] default_agent` (`auto` picks the first available). */
  readonly default_agent: string;
  readonly agents: readonly {
    readonly name: string;
    readonly available: boolean;
    /** Where its CLI is, or what is missing. */
    readonly detail: string;
  }[];
}

// ---- GET /api/usage (spend limits) --------------------------------------------------------------

/** Token counts in a usage report. @public */
export interface UsageTokensJson {
  readonly input: number;
  readonly cached_input: number;
  readonly cache_write: number;
  readonly output: number;
}

/** Usage of one day, project, agent and model. @public */
export interface UsageGroupJson {
  readonly day: string;
  readonly project: string;
  readonly agent: string;
  /** null when the runs did not name their model. */
  readonly model: string | null;
  readonly runs: number;
  readonly turns: number;
  readonly tokens: UsageTokensJson;
  readonly cost_usd: number;
  /** Runs priced at the `[pricing."*"]` fallback: their model is not in the price table (a guess). */
  readonly fallback_priced_runs: number;
}

/** A project's spend today against its own daily limit. @public */
export interface ProjectSpendJson {
  readonly project: string;
  readonly spent_usd: number;
  /** `[[projects]] daily_usd`; null when the project has none. */
  readonly daily_usd: number | null;
  /** Its queued tasks wait for the next day (its limit, or the global one, is spent). */
  readonly held: boolean;
}

/** Today's spend (the current spend day) against the limits. @public */
export interface SpendTodayJson {
  /** The spend day ("YYYY-MM-DD", the local date it starts on). */
  readonly day: string;
  readonly started_at: string;
  /** When the next spend day starts: when daily limits reset. */
  readonly resets_at: string;
  readonly spent_usd: number;
  /** `[limits] daily_usd`; null when unset. */
  readonly daily_usd: number | null;
  readonly task_max_usd: number | null;
  readonly task_max_turns: number | null;
  /** Queued tasks of every project wait (the global daily limit is spent). */
  readonly held: boolean;
  readonly projects: readonly ProjectSpendJson[];
}

/** `GET /api/usage?since=&until=&project=`. @public */
export interface UsageQueryJson {
  readonly since?: string | undefined;
  readonly until?: string | undefined;
  readonly project?: string | undefined;
}

/** `GET /api/usage`: tokens and dollars by day, project, agent and model, and today against the limits. @public */
export interface UsageResponse {
  readonly since: string;
  readonly until: string;
  readonly project: string | null;
  readonly totals: {
    readonly runs: number;
    readonly turns: number;
    readonly tokens: UsageTokensJson;
    readonly cost_usd: number;
    readonly fallback_priced_runs: number;
  };
  readonly groups: readonly UsageGroupJson[];
  readonly today: SpendTodayJson;
}

/** Why a queued task waits: a spent daily limit (`GET /tasks/:id` `waiting`). @public */
export interface TaskWaitingJson {
  readonly reason: 'budget';
  /** Which limit: `[limits] daily_usd` (global) or the project's own `daily_usd`. */
  readonly scope: 'global' | 'project';
  readonly spent_usd: number;
  readonly limit_usd: number;
  /** When the day turns and the task may start. */
  readonly until: string;
}

// ---- Response bodies by name (the OpenAPI description) ------------------------------------------

/**
 * Every response body of the REST API by its type's name. A route names its answer with one of these
 * keys (`OPERATION_ROUTES`' `response`), so a wrong name fails the type-check; the JSON Schemas of
 * `GET /openapi.json` are generated from this interface (tools/openapi/contract-schemas.mjs).
 * @public
 */
export interface ApiResponseTypes {
  readonly ErrorBody: ErrorBody;
  readonly HealthResponse: HealthResponse;
  readonly CreateTaskResponse: CreateTaskResponse;
  readonly CreateTaskBatchResponse: CreateTaskBatchResponse;
  readonly TaskListResponse: TaskListResponse;
  readonly TaskDetail: TaskDetail;
  readonly TaskStreamEvent: TaskStreamEvent;
  readonly TaskArtifactsResponse: TaskArtifactsResponse;
  readonly QueueStatsResponse: QueueStatsResponse;
  readonly DashboardResponse: DashboardResponse;
  readonly ProjectListResponse: ProjectListResponse;
  readonly ProjectJson: ProjectJson;
  readonly RemoveProjectResponse: RemoveProjectResponse;
  readonly ReviewListResponse: ReviewListResponse;
  readonly WebhookResponse: WebhookResponse;
  readonly FleetResponse: FleetResponse;
  readonly AgentListResponse: AgentListResponse;
  readonly UsageResponse: UsageResponse;
}

/** The name of a response body's type: a key of `ApiResponseTypes`. @public */
export type ApiResponseName = keyof ApiResponseTypes;

/**
 * The names whose type is exactly `T` (each assignable to the other): what a route answering `T`
 * may name as its response, so the name cannot drift from the handler's return type.
 * @public
 */
export type ApiResponseNameOf<T> = {
  [N in ApiResponseName]: [ApiResponseTypes[N]] extends [T] ? ([T] extends [ApiResponseTypes[N]] ? N : never) : never;
}[ApiResponseName];

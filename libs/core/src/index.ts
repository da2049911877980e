// Public API of @agent-harness/core.
export { HARNESS_VERSION } from './version.js';
export { ok, err } from './result.js';
export type { Result } from './result.js';
export { ERROR_CODES } from './errors/error-codes.js';
export type { ErrorCode } from './errors/error-codes.js';
export { AppError, toAppError, assertUnreachable } from './errors/app-error.js';
export { describeStorageFault, storageFaultOf } from './errors/storage-fault.js';
export type { StorageFault, StorageFaultInfo } from './errors/storage-fault.js';
export { FAILURE_CLASSES, failureClassOfAgentEnd, failureClassOfError } from './failures.js';
export { TASK_KINDS, TASK_STATUSES } from './tasks/task-values.js';
export type { Grade, ReviewOutcome, TaskKind, TaskStatus } from './tasks/task-values.js';
export type { FailureClass } from './failures.js';

export { resolveConfig } from './config/resolve-config.js';
export type { CliOverrides, ConfigResult, DirectoryInspection, ResolveConfigInput } from './config/resolve-config.js';
export { upgradeOriginalKeys } from './config/original-keys.js';
export { ConfigError } from './config/config.error.js';
export { formatConfigToml, redactConfig, REDACTED } from './config/redact-config.js';
export {
  APPROVAL_POLICIES,
  APPROVAL_STAGES,
  MERGE_METHODS,
  RESERVED_AGENT_NAMES,
  LOG_FORMATS,
  NOTIFY_EVENTS,
  NOTIFY_FORMATS,
  SANDBOX_MODES,
  TRANSPORTS,
} from './config/config.schema.js';
export type {
  ApprovalPolicy,
  ApprovalStage,
  HarnessConfig,
  MergeMethod,
  NotifyConfig,
  NotifyEvent,
  ProjectConfig,
  SandboxMode,
  Transport,
} from './config/config.schema.js';
export type { ConfigProblem } from './config/schema.js';
export { DEFAULT_PRICES, isTimeZone } from './config/spend-fields.js';
export type { ModelPrice } from './config/spend-fields.js';
export { FALLBACK_PRICE_KEY, PRICE_SOURCES, costOfUsage, priceOf } from './spend/pricing.js';
export type { PriceSource } from './spend/pricing.js';
export { spendDayOf } from './spend/budget-day.js';
export type { DayBoundary, SpendDay } from './spend/budget-day.js';
export { isLoopbackHost, parseHostPort } from './net/host-port.js';
export type { HostPort } from './net/host-port.js';

export { AGENT_END_REASONS, ZERO_USAGE, addUsage } from './agents/agent-event.js';
export type {
  AgentEndReason,
  AgentEvent,
  AgentEventType,
  AgentOutcome,
  FileChange,
  TokenUsage,
} from './agents/agent-event.js';

export { isSafeBranchName, branchNameProblem } from './security/ref-name.js';
export { agentEnv, commandEnv, gitEnv } from './security/child-env.js';
export type { AgentEnvAllowance } from './security/child-env.js';
export type {
  AgentSandboxNeeds,
  CommandAccess,
  CommandNetwork,
  CommandSandbox,
  CommandSpec,
  SandboxedCommand,
} from './security/command-sandbox.js';
export { withLifeline } from './security/command-sandbox.js';
export { MAX_RELATIVE_PATH_LENGTH, confinedRelativePath } from './security/relative-path.js';
export { REDACTED_SECRET, SecretRedactor, secretValues } from './security/secret-redactor.js';
export { HOME_SECRETS, homeStateProblem } from './security/home-secrets.js';
export { untrustedBlock } from './security/untrusted-block.js';
export { plainText } from './security/plain-text.js';

export { TASK_EVENT_KINDS } from './api/contract.js';
export type {
  AgentEventData,
  AgentListResponse,
  SubmitTaskRequest,
  ApiFindingSeverity,
  ApiResponseName,
  ApiResponseNameOf,
  ApiResponseTypes,
  FleetResponse,
  FleetServerJson,
  ProjectSpendJson,
  SpendTodayJson,
  TaskWaitingJson,
  TaskApprovalJson,
  TaskLoopJson,
  UsageGroupJson,
  UsageQueryJson,
  UsageResponse,
  UsageTokensJson,
  ApiGrade,
  ApiReviewOutcome,
  ApiTaskKind,
  ApiTaskStatus,
  BatchEntryResult,
  CreateTaskBatchRequest,
  CreateTaskBatchResponse,
  CreateTaskRequest,
  CreateTaskResponse,
  DashboardResponse,
  QueueCountsJson,
  QueueStatsResponse,
  TaskArtifactJson,
  TaskArtifactsResponse,
  DiffStatFileJson,
  DiffStatJson,
  EndEventData,
  ErrorBody,
  HealthResponse,
  LogEventData,
  OutputCountsJson,
  OutputTruncatedEventData,
  ProjectJson,
  ProjectListResponse,
  RegisterProjectRequest,
  RemoveProjectResponse,
  ReviewEventData,
  ReviewFindingJson,
  ReviewListQuery,
  ReviewListResponse,
  ReviewRunJson,
  ReviewIssueJson,
  StatusEventData,
  TaskDetail,
  TaskEventDataByKind,
  TaskEventKind,
  TaskFeedEventDataByKind,
  TaskFields,
  TaskHistoryEntry,
  TaskListQuery,
  TaskListResponse,
  TaskStreamEvent,
  TaskSummary,
  ValidationEventData,
  ValidationOutcomeJson,
  WebhookResponse,
} from './api/contract.js';

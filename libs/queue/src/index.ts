// Public API of @agent-harness/queue.
export {
  TASK_KINDS,
  TASK_STATUSES,
  TERMINAL_STATUSES,
  ACTIVE_STATUSES,
  WAITING_STATUSES,
  EMPTY_LOOP,
  isTerminal,
} from './task.types.js';
export type {
  Grade,
  ReviewOutcome,
  Task,
  TaskCheckpoint,
  TaskComplexity,
  TaskKind,
  TaskLoop,
  TaskOrigin,
  TaskRound,
  SeedFile,
  TaskRequest,
  TaskSeed,
  TaskStatus,
} from './task.types.js';
export {
  INITIAL_STATUS,
  TRANSITIONS,
  applyTransition,
  firstIllegalMove,
  isAllowedMove,
  nextStatus,
} from './task-state-machine.js';
export type { TaskTransition } from './task-state-machine.js';
export { MAX_ATTEMPTS, pickClaims, pickTasksToStart, rateLimitRetryAt } from './admission.js';
export type { ConcurrencyLimits, RunningCounts } from './admission.js';
export { LISTING_LEADING_SPACE, TASK_SEARCH_CHARS, TaskRepository, taskListing } from './task.repository.js';
export type {
  ClaimedTask,
  ClaimRequest,
  LeaseCheck,
  NewTaskEvent,
  StoredTaskEvent,
  TaskChanges,
  TaskCount,
  TaskCreation,
  TaskListFilter,
  TaskListing,
  TaskListPosition,
} from './task.repository.js';
export { ProjectCatalog } from './project-catalog.js';
export type { Project, ProjectSettings } from './project-catalog.js';
export { MAX_PROMPT_CHARS, taskRequestFrom } from './task-request.js';
export type { TaskRequestFields } from './task-request.js';
export { MIN_TASK_ID_PREFIX, resolveTaskId } from './task-id.js';
export { describeWork, taskWork } from './task-work.js';
export type { TaskWork } from './task-work.js';
export { UsageLedger, summarizeUsage } from './usage-ledger.js';
export type { DaySpend, UsageGroup, UsageQuery, UsageRecord } from './usage-ledger.js';

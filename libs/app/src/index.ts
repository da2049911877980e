export { defineOperation } from './operation.js';
export type { Operation, OperationContext } from './operation.js';
export { bindOperations, boundOperation, OPERATIONS } from './operations.js';
export type { AppPorts, OperationInput, OperationName, OperationOutput, Operations } from './operations.js';
export { fieldProblems, inputFields, parseInput } from './input/parse-input.js';
export type { FieldProblem } from './input/parse-input.js';
export { Given, IntInRange, MAX_INT32, NoNulBytes, QueryInt } from './input/input-rules.js';
export {
  MAX_LIST_OFFSET,
  PLAN_ID,
  TaskBatchInput,
  TaskFieldsInput,
  TaskIdInput,
  TaskListInput,
  TaskRequestInput,
  TaskSubmitInput,
} from './tasks/task-inputs.js';
export { taskDetail, taskSummary } from './tasks/task-presenter.js';
export type { PlanLinks, TaskPorts } from './tasks/task-ports.js';
export { taskCancel, taskGet, taskList, taskSubmit, taskSubmitBatch } from './tasks/task-operations.js';
export { UsageReportInput } from './usage/usage-input.js';
export { usageReport } from './usage/usage-report.js';
export type { UsagePorts } from './usage/usage-report.js';
export { UsageService } from './usage/usage-service.js';
export type { UsageReport } from './usage/usage-service.js';
export { OPERATION_ROUTES, operationRequest } from './routes.js';
export type { OperationRoute, RestOperationName } from './routes.js';
export { PlansService } from './plans/plans-service.js';
export type { PlanReconcileReport, PlansServiceDeps, PlanSpec } from './plans/plans-service.js';
export { REWATCH_MS, watchTaskEnd } from './tasks/task-end-watch.js';
export type { TaskEndWatcher, TaskEventsWatch } from './tasks/task-end-watch.js';
export { PlanIdInput, PlanInitInput, PlanListInput, PlanUpdateInput } from './plans/plan-inputs.js';
export { planInit, planList, planStatus, planUpdate } from './plans/plan-operations.js';
export type { PlanAnswer, PlanPorts, PlanProgress } from './plans/plan-operations.js';
export { ProjectInput, projectOf } from './input/project-input.js';
export { RulesService } from './rules/rules-service.js';
export type { RuleScan, ScannedProject } from './rules/rules-service.js';
export { SkillsService } from './skills/skills-service.js';
export type { ListedSkill } from './skills/skills-service.js';
export { GcService, gcSettings } from './gc/gc-service.js';
export { draftAgent, runReadOnly } from './gc/draft-agent-runner.js';
export type { GcObserver } from './gc/draft-agent-runner.js';
export { NoInput } from './input/no-input.js';
export { projectName, scannedProject } from './project-ports.js';
export type { ProjectPorts } from './project-ports.js';
export { healthCheck, ruleCheck, ruleLoad, ruleLoadAnswer } from './rules/rule-operations.js';
export type { RulePorts } from './rules/rule-operations.js';
export { SkillCreateInput, SkillDeleteInput, SkillIdInput, SkillListInput } from './skills/skill-inputs.js';
export { skillCreate, skillDelete, skillGet, skillList } from './skills/skill-operations.js';
export type { SkillPorts } from './skills/skill-operations.js';
export { DraftIdInput, DraftListInput, DraftRejectInput } from './gc/gc-inputs.js';
export { gcAdopt, gcDrafts, gcReject, gcStatus } from './gc/gc-operations.js';
export type { GcPorts } from './gc/gc-operations.js';
export { EventQueryInput } from './events/event-inputs.js';
export { agentList, eventQuery } from './events/event-operations.js';
export type { EventPorts } from './events/event-operations.js';
export { FleetService } from './fleet/fleet-service.js';
export type { FleetServerStatus, FleetStatus } from './fleet/fleet-service.js';
export { ProjectNameInput, ProjectRegisterInput, ProjectUpdateInput } from './projects/project-inputs.js';
export { projectList, projectRegister, projectRemove, projectUpdate } from './projects/project-operations.js';
export type { ProjectAdminPorts } from './projects/project-operations.js';
export { ReviewListInput } from './reviews/review-inputs.js';
export { fleetStatus, reviewList } from './reviews/review-operations.js';
export type { ReviewPorts } from './reviews/review-operations.js';
export { PERIODIC_REVIEW_HOOK, ReviewService, periodicReviewEvent } from './reviews/review-service.js';
export { ReviewActions } from './reviews/review-actions.js';
export type { ReviewActReport, ReviewActionsDeps } from './reviews/review-actions.js';
export type { ReviewRunOptions, ReviewRunOutcome, ReviewSkipReason } from './reviews/review-service.js';
export { crossReviewAnswer } from './reviews/cross-review-answer.js';
export { JobRunner, SCHEDULER_HOOK, SCHEDULER_JOBS } from './jobs/job-runner.js';
export type { JobOutcome, JobRun, ScheduledJob, SchedulerJobName } from './jobs/job-runner.js';
export type { HarnessJobs } from './jobs/harness-jobs.js';
export { createGitHubIntake } from './github/github-intake.js';
export type { GitHubIntake, GitHubIntakeDeps } from './github/github-intake.js';
export { GITHUB_WEBHOOK_HOOK, GitHubWebhooks } from './github/github-webhooks.js';
export type { GitHubWebhooksDeps, WebhookDelivery, WebhookResult } from './github/github-webhooks.js';
export { GITHUB_INTAKE_HOOK, GitHubIssueIntake, intakeJob } from './github/github-issue-intake.js';
export type { GitHubIssueIntakeDeps } from './github/github-issue-intake.js';
export { GitHubReplies } from './github/github-replies.js';
export type { GitHubRepliesDeps } from './github/github-replies.js';
export { taskRequestForIntent } from './github/github-task-requests.js';
export { projectForRepository } from './github/repository-projects.js';
export { configuredJobs } from './jobs/scheduler-jobs.js';
export {
  NOTIFY_RETRY_DELAYS_MS,
  notificationBody,
  notificationSignature,
  notifyEventsOf,
  TaskNotifier,
} from './notify/task-notifier.js';
export type { NotifyPost, TaskNotifierDeps } from './notify/task-notifier.js';
export { NotifyingEventBus } from './notify/notifying-event-bus.js';

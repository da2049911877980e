// Public API of @agent-harness/runtime.
export { loadConfig, inspectProjectDirectory } from './config/load-config.js';
export type { LoadConfigInput } from './config/load-config.js';
export { createHarness } from './harness.js';
export type { CreateHarnessOptions, Harness, HarnessLogger } from './harness.js';
export { RulesService } from './rules-service.js';
export type { RuleScan, ScannedProject } from './rules-service.js';
export { GcService, gcSettings } from './gc-service.js';
export { SkillsService } from './skills-service.js';
export type { ListedSkill } from './skills-service.js';
export type { GcObserver } from './draft-agent-runner.js';
export { PlansService } from './plans-service.js';
export type { PlanInitInput, PlanReconcileReport, PlansServiceDeps, TaskEventsWatch } from './plans-service.js';
export { PERIODIC_REVIEW_HOOK, ReviewService, periodicReviewEvent } from './review-service.js';
export type { ReviewRunOptions, ReviewRunOutcome, ReviewSkipReason } from './review-service.js';
export { JobRunner, SCHEDULER_HOOK, SCHEDULER_JOBS } from './schedule/job-runner.js';
export type { JobOutcome, JobRun, ScheduledJob, SchedulerJobName } from './schedule/job-runner.js';
export type { HarnessSchedule } from './schedule/harness-schedule.js';

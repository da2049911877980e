// Public API of @agent-harness/pipeline.
export { TaskEngine } from './task-engine.js';
export { cutText, taskTitle } from './task-title.js';
export { classifyTask, COMPLEXITY_THRESHOLDS } from './task-classifier.js';
export type { ClassifierInput } from './task-classifier.js';
export type { Admission, SubmitTaskInput, TaskEngineDeps } from './task-engine.js';
export type { SkillRequest, TaskSkills } from './run-context.js';
export type { RecoveryReport } from './task-recovery.js';
export { systemTaskProcesses } from './task-processes.js';
export type { TaskProcesses } from './task-processes.js';
export { TaskEventsHub } from './task-events-hub.js';
export { TaskEventBus } from './task-event-bus.js';
export { ProjectAdmin } from './project-admin.js';
export type { ProjectAdminDeps, RegisterProjectInput } from './project-admin.js';
export { TaskTelemetry, SLOW_TASK_MS, SLOW_VALIDATION_MS } from './task-telemetry.js';
export { SpendMeter } from './spend-meter.js';
export type { BudgetHold, SpendLimits, TodaySpend } from './spend-meter.js';

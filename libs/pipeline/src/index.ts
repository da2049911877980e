// Public API of @agent-harness/pipeline.
export { TaskEngine } from './task-engine.js';
export { taskTitle } from './task-title.js';
export type { RecoveryReport, SubmitTaskInput, TaskEngineDeps } from './task-engine.js';
export { TaskEventsHub } from './task-events-hub.js';
export { ProjectAdmin } from './project-admin.js';
export type { ProjectAdminDeps, RegisterProjectInput } from './project-admin.js';

import { agentList, eventQuery, type EventPorts } from './events/event-operations.js';
import { eventLog, statsQuery, type TelemetryPorts } from './events/telemetry-operations.js';
import { metricsCollect, metricsQuery } from './rules/metrics-operations.js';
import { preflight, taskClassify, type PreflightPorts } from './tasks/task-preflight.js';
import { gcAdopt, gcDrafts, gcReject, gcStatus, type GcPorts } from './gc/gc-operations.js';
import type { Operation, OperationContext } from './operation.js';
import {
  projectList,
  projectRegister,
  projectRemove,
  projectUpdate,
  type ProjectAdminPorts,
} from './projects/project-operations.js';
import { fleetStatus, reviewList, type ReviewPorts } from './reviews/review-operations.js';
import { planInit, planList, planStatus, planUpdate, type PlanPorts } from './plans/plan-operations.js';
import { queueStats, taskArtifacts, type TaskArtifactPorts } from './tasks/task-artifacts.js';
import {
  taskApprove,
  taskCancel,
  taskFollowUp,
  taskGet,
  taskList,
  taskReject,
  taskSubmit,
  taskSubmitBatch,
} from './tasks/task-operations.js';
import type { TaskPorts } from './tasks/task-ports.js';
import { healthCheck, ruleCheck, ruleLoad, type RulePorts } from './rules/rule-operations.js';
import { skillCreate, skillDelete, skillGet, skillList, type SkillPorts } from './skills/skill-operations.js';
import { usageReport, type UsagePorts } from './usage/usage-report.js';

/**
 * The operation table: every use case the surfaces adapt, by name. The JSON-RPC method table is
 * made from it, REST routes and MCP tools call its entries, and a test fails when a surface's
 * fields drift from an operation's input (apps/server/src/operation-surfaces.spec.ts).
 */
export const OPERATIONS = {
  task_submit: taskSubmit,
  task_submit_batch: taskSubmitBatch,
  task_get: taskGet,
  task_list: taskList,
  task_cancel: taskCancel,
  task_follow_up: taskFollowUp,
  task_approve: taskApprove,
  task_reject: taskReject,
  task_artifacts: taskArtifacts,
  queue_stats: queueStats,
  usage_report: usageReport,
  exec_plan_init: planInit,
  exec_plan_update: planUpdate,
  exec_plan_status: planStatus,
  exec_plan_list: planList,
  agent_list: agentList,
  event_query: eventQuery,
  rule_load: ruleLoad,
  rule_check: ruleCheck,
  health_check: healthCheck,
  metrics_collect: metricsCollect,
  metrics_query: metricsQuery,
  stats_query: statsQuery,
  event_log: eventLog,
  task_classify: taskClassify,
  preflight,
  skill_list: skillList,
  skill_get: skillGet,
  skill_create: skillCreate,
  skill_delete: skillDelete,
  gc_status: gcStatus,
  gc_drafts: gcDrafts,
  gc_adopt: gcAdopt,
  gc_reject: gcReject,
  project_list: projectList,
  project_register: projectRegister,
  project_update: projectUpdate,
  project_remove: projectRemove,
  review_list: reviewList,
  fleet_status: fleetStatus,
} as const;

/** Every port an operation of the table needs: what a composition root hands `bindOperations`. */
export type AppPorts = TaskPorts &
  TaskArtifactPorts &
  TelemetryPorts &
  PreflightPorts &
  UsagePorts &
  PlanPorts &
  RulePorts &
  SkillPorts &
  GcPorts &
  EventPorts &
  ProjectAdminPorts &
  ReviewPorts;

/** @public */
export type OperationName = keyof typeof OPERATIONS;

/** An operation's input and output types, by name. @public */
export type OperationInput<N extends OperationName> =
  (typeof OPERATIONS)[N] extends Operation<infer I, unknown, never> ? I : never;
export type OperationOutput<N extends OperationName> =
  (typeof OPERATIONS)[N] extends Operation<object, infer O, never> ? O : never;

/** The table bound to its ports: each operation as a call taking a checked input. @public */
export type Operations = {
  readonly [N in OperationName]: (input: OperationInput<N>, context?: OperationContext) => Promise<OperationOutput<N>>;
};

/** Binds every operation of the table to the ports (the composition root does this once). */
export function bindOperations(ports: AppPorts): Operations {
  const bound = Object.entries(OPERATIONS).map(([name, operation]) => {
    const call = (input: object, context: OperationContext = {}): Promise<unknown> =>
      // Each entry's input is its own operation's: the table's type pairs them.
      operation.execute(ports, input as never, context);
    return [name, call] as const;
  });
  return Object.fromEntries(bound) as unknown as Operations;
}

/** An operation of the bound table by name, for a surface that dispatches by name (JSON-RPC, MCP). */
export function boundOperation(
  operations: Operations,
  name: OperationName,
): (input: object, context?: OperationContext) => Promise<unknown> {
  // The input was checked against OPERATIONS[name].input by the caller.
  return operations[name] as (input: object, context?: OperationContext) => Promise<unknown>;
}

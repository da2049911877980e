// Public API of @agent-harness/plans.

// The model and its bounds.
export { PLAN_LIMITS, PLAN_STATUSES, TASK_LINK_OUTCOMES, isOpenPlan } from './exec-plan.types.js';
export type {
  ExecPlan,
  Milestone,
  PlanDecision,
  PlanStatus,
  PlanStep,
  PlanSurprise,
  PlanTaskLink,
  PlanValidation,
  TaskLinkOutcome,
} from './exec-plan.types.js';
export { isPlanId, isPlanIdPrefix, newPlanId, planFileName } from './plan-id.js';
export { checkPlan } from './check-plan.js';

// Plans from specs, to and from Markdown, as JSON.
export { planFromSpec } from './plan-from-spec.js';
export type { PlanFromSpecOptions } from './plan-from-spec.js';
export { planFromMarkdown, planToMarkdown } from './plan-markdown.js';
export { planProgress, planToJson } from './plan-json.js';
export type { ExecPlanJson } from './plan-json.js';

// Updates.
export { PLAN_UPDATE_ACTIONS, applyPlanUpdate, parsePlanUpdate, recordTaskEnd } from './plan-update.js';
export type { PlanUpdate, PlanUpdateAction } from './plan-update.js';

// The store port (an in-memory store and the contract every store passes: `@agent-harness/plans/testing`).
export { DEFAULT_PLAN_LIST_LIMIT, MAX_PLAN_LIST_LIMIT, PlanStore, isHexPrefix, planListLimit } from './plan-store.js';
export type { PlanListFilter } from './plan-store.js';

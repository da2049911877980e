import {
  PLAN_LIMITS,
  PLAN_STATUSES,
  TASK_LINK_OUTCOMES,
  type ExecPlan,
  type Milestone,
  type PlanDecision,
  type PlanStatus,
  type PlanStep,
  type PlanSurprise,
  type PlanTaskLink,
  type TaskLinkOutcome,
} from './exec-plan.types.js';
import { isPlanId } from './plan-id.js';
import { index, instant, invalid, list, note, oneLine, onlyKeys, record, requireString, taskId } from './plan-text.js';

const PLAN_KEYS = [
  'id',
  'purpose',
  'project',
  'status',
  'progress',
  'concreteSteps',
  'decisionLog',
  'surprises',
  'validation',
  'taskLinks',
  'createdAt',
  'updatedAt',
  'version',
] as const;

function flag(field: string, value: unknown): boolean {
  if (typeof value !== 'boolean') invalid(field, 'true or false is required');
  return value;
}

export function planStatus(field: string, value: unknown): PlanStatus {
  const text = requireString(field, value);
  const status = PLAN_STATUSES.find((s) => s === text);
  if (status === undefined)
    invalid(field, `one of ${PLAN_STATUSES.join(', ')}, not ${JSON.stringify(text.slice(0, 40))}`);
  return status;
}

function outcome(field: string, value: unknown): TaskLinkOutcome {
  const text = requireString(field, value);
  const found = TASK_LINK_OUTCOMES.find((o) => o === text);
  if (found === undefined) invalid(field, `one of ${TASK_LINK_OUTCOMES.join(', ')}`);
  return found;
}

const optional = <T>(value: unknown, check: (value: unknown) => T): T | undefined =>
  value === undefined ? undefined : check(value);

function milestone(field: string, value: unknown): Milestone {
  const m = record(field, value);
  onlyKeys(field, m, ['description', 'completed', 'completedAt']);
  const completed = flag(`${field}.completed`, m['completed']);
  const completedAt = optional(m['completedAt'], (v) => instant(`${field}.completedAt`, v));
  if (!completed && completedAt !== undefined) invalid(`${field}.completedAt`, 'set only on a completed milestone');
  return {
    description: oneLine(`${field}.description`, m['description']),
    completed,
    ...(completedAt === undefined ? {} : { completedAt }),
  };
}

export const filePath = (field: string, value: unknown): string => oneLine(field, value, PLAN_LIMITS.filePathChars);

function step(field: string, value: unknown): PlanStep {
  const s = record(field, value);
  onlyKeys(field, s, ['description', 'files', 'completed']);
  return {
    description: oneLine(`${field}.description`, s['description']),
    files: list(`${field}.files`, s['files'], PLAN_LIMITS.filesPerStep, filePath),
    completed: flag(`${field}.completed`, s['completed']),
  };
}

function decision(field: string, value: unknown): PlanDecision {
  const d = record(field, value);
  onlyKeys(field, d, ['decision', 'rationale', 'timestamp']);
  return {
    decision: oneLine(`${field}.decision`, d['decision']),
    rationale: note(`${field}.rationale`, d['rationale']),
    timestamp: instant(`${field}.timestamp`, d['timestamp']),
  };
}

function surprise(field: string, value: unknown): PlanSurprise {
  const s = record(field, value);
  onlyKeys(field, s, ['description', 'evidence', 'timestamp']);
  return {
    description: oneLine(`${field}.description`, s['description']),
    evidence: note(`${field}.evidence`, s['evidence']),
    timestamp: instant(`${field}.timestamp`, s['timestamp']),
  };
}

function link(field: string, value: unknown, milestones: number): PlanTaskLink {
  const l = record(field, value);
  onlyKeys(field, l, ['taskId', 'milestone', 'linkedAt', 'outcome', 'endedAt']);
  const at = index(`${field}.milestone`, l['milestone']);
  if (at >= milestones)
    invalid(`${field}.milestone`, `no milestone ${String(at)} (the plan has ${String(milestones)})`);
  const ended = optional(l['outcome'], (v) => outcome(`${field}.outcome`, v));
  const endedAt = optional(l['endedAt'], (v) => instant(`${field}.endedAt`, v));
  if ((ended === undefined) !== (endedAt === undefined)) invalid(`${field}.endedAt`, 'set together with outcome');
  return {
    taskId: taskId(`${field}.taskId`, l['taskId']),
    milestone: at,
    linkedAt: instant(`${field}.linkedAt`, l['linkedAt']),
    ...(ended === undefined ? {} : { outcome: ended }),
    ...(endedAt === undefined ? {} : { endedAt }),
  };
}

/**
 * Checks a whole plan (from a store, a file or a caller) and answers it normalized: every field
 * present and typed, text trimmed, every bound of `PLAN_LIMITS` kept, links pointing at existing
 * milestones, no task linked twice. Throws INVALID_ARGUMENT naming the first bad field.
 * @public
 */
export function checkPlan(value: unknown, field = 'plan'): ExecPlan {
  const p = record(field, value);
  onlyKeys(field, p, PLAN_KEYS);
  const id = requireString(`${field}.id`, p['id']);
  if (!isPlanId(id)) invalid(`${field}.id`, '12 lowercase hex characters');
  const progress = list(`${field}.progress`, p['progress'], PLAN_LIMITS.milestones, milestone);
  const validation = record(`${field}.validation`, p['validation']);
  onlyKeys(`${field}.validation`, validation, ['tests', 'checks']);
  const taskLinks = list(`${field}.taskLinks`, p['taskLinks'], PLAN_LIMITS.taskLinks, (f, v) =>
    link(f, v, progress.length),
  );
  const seen = new Set<string>();
  for (const [i, l] of taskLinks.entries()) {
    if (seen.has(l.taskId)) invalid(`${field}.taskLinks[${String(i)}].taskId`, `task ${l.taskId} is linked twice`);
    seen.add(l.taskId);
  }
  const plan: ExecPlan = {
    id,
    purpose: oneLine(`${field}.purpose`, p['purpose'], PLAN_LIMITS.purposeChars),
    project: oneLine(`${field}.project`, p['project'], PLAN_LIMITS.projectChars),
    status: planStatus(`${field}.status`, p['status']),
    progress,
    concreteSteps: list(`${field}.concreteSteps`, p['concreteSteps'], PLAN_LIMITS.steps, step),
    decisionLog: list(`${field}.decisionLog`, p['decisionLog'], PLAN_LIMITS.decisions, decision),
    surprises: list(`${field}.surprises`, p['surprises'], PLAN_LIMITS.surprises, surprise),
    validation: {
      tests: list(`${field}.validation.tests`, validation['tests'], PLAN_LIMITS.tests, oneLine),
      checks: list(`${field}.validation.checks`, validation['checks'], PLAN_LIMITS.checks, oneLine),
    },
    taskLinks,
    createdAt: instant(`${field}.createdAt`, p['createdAt']),
    updatedAt: instant(`${field}.updatedAt`, p['updatedAt']),
    version: index(`${field}.version`, p['version']),
  };
  const size = JSON.stringify(plan).length;
  if (size > PLAN_LIMITS.planJsonChars)
    invalid(field, `at most ${String(PLAN_LIMITS.planJsonChars)} characters as JSON, not ${String(size)}`);
  return plan;
}

import { AppError, assertUnreachable } from '@agent-harness/core';
import { filePath } from './check-plan.js';
import {
  PLAN_LIMITS,
  isOpenPlan,
  type ExecPlan,
  type PlanStatus,
  type PlanTaskLink,
  type TaskLinkOutcome,
} from './exec-plan.types.js';
import { index, invalid, list, note, oneLine, onlyKeys, record, requireString, taskId } from './plan-text.js';

/** Every update action, as the JSON-RPC `exec_plan_update` names them. @public */
export const PLAN_UPDATE_ACTIONS = [
  'activate',
  'complete',
  'abandon',
  'add_milestone',
  'complete_milestone',
  'add_step',
  'complete_step',
  'log_decision',
  'add_surprise',
  'link_task',
] as const;
/** @public */
export type PlanUpdateAction = (typeof PLAN_UPDATE_ACTIONS)[number];

/**
 * One change to a plan. Indexes are 0-based positions in `progress` / `concreteSteps`.
 * @public
 */
export type PlanUpdate =
  | { readonly action: 'activate' }
  | { readonly action: 'complete' }
  | { readonly action: 'abandon' }
  | { readonly action: 'add_milestone'; readonly description: string }
  | { readonly action: 'complete_milestone'; readonly index: number }
  | { readonly action: 'add_step'; readonly description: string; readonly files?: readonly string[] | undefined }
  | { readonly action: 'complete_step'; readonly index: number }
  | { readonly action: 'log_decision'; readonly decision: string; readonly rationale: string }
  | { readonly action: 'add_surprise'; readonly description: string; readonly evidence: string }
  | { readonly action: 'link_task'; readonly taskId: string; readonly milestone: number };

/** The status changes: which action leads from which status where. Completed and abandoned are final. */
const TRANSITIONS = {
  draft: { activate: 'active', abandon: 'abandoned' },
  active: { complete: 'completed', abandon: 'abandoned' },
  completed: {},
  abandoned: {},
} as const satisfies Record<PlanStatus, Partial<Record<'activate' | 'complete' | 'abandon', PlanStatus>>>;

/** The fields each action takes on the wire (snake_case, as JSON-RPC sends them). */
const WIRE_FIELDS: Readonly<Record<PlanUpdateAction, readonly string[]>> = {
  activate: [],
  complete: [],
  abandon: [],
  add_milestone: ['description'],
  complete_milestone: ['index'],
  add_step: ['description', 'files'],
  complete_step: ['index'],
  log_decision: ['decision', 'rationale'],
  add_surprise: ['description', 'evidence'],
  link_task: ['task_id', 'milestone'],
};

/**
 * Reads an update from untrusted input (a JSON-RPC `updates` object, a request body):
 * `{ "action": "add_milestone", "description": "…" }`, `{ "action": "link_task", "task_id": "…",
 * "milestone": 0 }`, … Every field is checked and bounded (`PLAN_LIMITS`), text trimmed; an
 * unknown action or field is refused. Throws AppError INVALID_ARGUMENT `"<field>: …"`, the field
 * prefixed with `path.` when `path` is given (e.g. `updates.description: must not be empty`).
 * @public
 */
export function parsePlanUpdate(input: unknown, path?: string): PlanUpdate {
  const name = (field: string): string => (path === undefined ? field : `${path}.${field}`);
  const body = record(path ?? 'update', input);
  const actionText = requireString(name('action'), body['action']);
  const action = PLAN_UPDATE_ACTIONS.find((a) => a === actionText);
  if (action === undefined)
    invalid(name('action'), `one of ${PLAN_UPDATE_ACTIONS.join(', ')}, not ${JSON.stringify(actionText.slice(0, 40))}`);
  onlyKeys(path, body, ['action', ...WIRE_FIELDS[action]]);
  switch (action) {
    case 'activate':
    case 'complete':
    case 'abandon':
      return { action };
    case 'add_milestone':
      return { action, description: oneLine(name('description'), body['description']) };
    case 'complete_milestone':
    case 'complete_step':
      return { action, index: index(name('index'), body['index']) };
    case 'add_step':
      return {
        action,
        description: oneLine(name('description'), body['description']),
        files:
          body['files'] === undefined ? [] : list(name('files'), body['files'], PLAN_LIMITS.filesPerStep, filePath),
      };
    case 'log_decision':
      return {
        action,
        decision: oneLine(name('decision'), body['decision']),
        rationale: note(name('rationale'), body['rationale']),
      };
    case 'add_surprise':
      return {
        action,
        description: oneLine(name('description'), body['description']),
        evidence: note(name('evidence'), body['evidence']),
      };
    case 'link_task':
      return {
        action,
        taskId: taskId(name('task_id'), body['task_id']),
        milestone: index(name('milestone'), body['milestone']),
      };
    default:
      return assertUnreachable(action);
  }
}

function conflict(message: string, details?: Record<string, unknown>): never {
  throw new AppError('CONFLICT', message, details === undefined ? undefined : { details });
}

function inRange(plan: ExecPlan, what: 'milestone' | 'step', at: number, field: string): void {
  const count = what === 'milestone' ? plan.progress.length : plan.concreteSteps.length;
  if (at >= count)
    invalid(
      field,
      count === 0
        ? `plan ${plan.id} has no ${what}s yet`
        : `no ${what} ${String(at)}: plan ${plan.id} has ${String(count)} (0–${String(count - 1)})`,
    );
}

function room(plan: ExecPlan, count: number, max: number, what: string): void {
  if (count >= max) conflict(`plan ${plan.id} already has ${String(max)} ${what}, the most a plan holds`);
}

/**
 * The plan after one update, made at `now` (its `updatedAt`; `version` is the store's to raise).
 * Status changes follow `draft → active → completed`, `draft|active → abandoned`; a completed or
 * abandoned plan no longer changes. Refusals: an index out of range is INVALID_ARGUMENT; an
 * illegal status change, a change to a closed plan, a milestone or step already completed, a task
 * linked twice or a plan at a bound of `PLAN_LIMITS` is CONFLICT. The update's text is checked
 * as `parsePlanUpdate` checks it, so a typed caller cannot bypass the bounds.
 * @public
 */
export function applyPlanUpdate(plan: ExecPlan, update: PlanUpdate, now: Date): ExecPlan {
  const at = now.toISOString();
  if (update.action === 'activate' || update.action === 'complete' || update.action === 'abandon') {
    const transitions: Partial<Record<string, PlanStatus>> = TRANSITIONS[plan.status];
    const next = transitions[update.action];
    if (next === undefined)
      conflict(
        `plan ${plan.id} is ${plan.status}: it cannot ${update.action === 'activate' ? 'be activated' : update.action}`,
        {
          status: plan.status,
          action: update.action,
        },
      );
    return { ...plan, status: next, updatedAt: at };
  }
  if (!isOpenPlan(plan)) conflict(`plan ${plan.id} is ${plan.status}: it no longer changes`, { status: plan.status });
  switch (update.action) {
    case 'add_milestone':
      room(plan, plan.progress.length, PLAN_LIMITS.milestones, 'milestones');
      return {
        ...plan,
        progress: [...plan.progress, { description: oneLine('description', update.description), completed: false }],
        updatedAt: at,
      };
    case 'complete_milestone': {
      const i = index('index', update.index);
      inRange(plan, 'milestone', i, 'index');
      return (
        completeMilestone(plan, i, at) ?? conflict(`milestone ${String(i)} of plan ${plan.id} is already completed`)
      );
    }
    case 'add_step':
      room(plan, plan.concreteSteps.length, PLAN_LIMITS.steps, 'steps');
      return {
        ...plan,
        concreteSteps: [
          ...plan.concreteSteps,
          {
            description: oneLine('description', update.description),
            files: list('files', update.files ?? [], PLAN_LIMITS.filesPerStep, filePath),
            completed: false,
          },
        ],
        updatedAt: at,
      };
    case 'complete_step': {
      const i = index('index', update.index);
      inRange(plan, 'step', i, 'index');
      if (plan.concreteSteps[i]?.completed === true)
        conflict(`step ${String(i)} of plan ${plan.id} is already completed`);
      return {
        ...plan,
        concreteSteps: plan.concreteSteps.map((s, j) => (j === i ? { ...s, completed: true } : s)),
        updatedAt: at,
      };
    }
    case 'log_decision':
      room(plan, plan.decisionLog.length, PLAN_LIMITS.decisions, 'decisions');
      return {
        ...plan,
        decisionLog: [
          ...plan.decisionLog,
          {
            decision: oneLine('decision', update.decision),
            rationale: note('rationale', update.rationale),
            timestamp: at,
          },
        ],
        updatedAt: at,
      };
    case 'add_surprise':
      room(plan, plan.surprises.length, PLAN_LIMITS.surprises, 'surprises');
      return {
        ...plan,
        surprises: [
          ...plan.surprises,
          {
            description: oneLine('description', update.description),
            evidence: note('evidence', update.evidence),
            timestamp: at,
          },
        ],
        updatedAt: at,
      };
    case 'link_task': {
      const id = taskId('task_id', update.taskId);
      const milestone = index('milestone', update.milestone);
      inRange(plan, 'milestone', milestone, 'milestone');
      const linked = plan.taskLinks.find((l) => l.taskId === id);
      if (linked !== undefined)
        conflict(`task ${id} is already linked to milestone ${String(linked.milestone)} of plan ${plan.id}`);
      room(plan, plan.taskLinks.length, PLAN_LIMITS.taskLinks, 'linked tasks');
      const link: PlanTaskLink = { taskId: id, milestone, linkedAt: at };
      return { ...plan, taskLinks: [...plan.taskLinks, link], updatedAt: at };
    }
    default:
      return assertUnreachable(update);
  }
}

/** The plan with milestone `i` completed at `at`; undefined when it already was. */
function completeMilestone(plan: ExecPlan, i: number, at: string): ExecPlan | undefined {
  if (plan.progress[i]?.completed !== false) return undefined;
  return {
    ...plan,
    progress: plan.progress.map((m, j) => (j === i ? { ...m, completed: true, completedAt: at } : m)),
    updatedAt: at,
  };
}

/**
 * The plan once a linked task has ended with `outcome` at `now`: the link records how and when it
 * ended, and when the task is `done` its milestone is completed and the decision log says which
 * task completed it. Undefined when nothing changes (the task is not linked, or its end is
 * already recorded), so settling a link twice is harmless. A closed plan only records the end.
 * @public
 */
export function recordTaskEnd(
  plan: ExecPlan,
  taskIdOfLink: string,
  outcome: TaskLinkOutcome,
  now: Date,
): ExecPlan | undefined {
  const link = plan.taskLinks.find((l) => l.taskId === taskIdOfLink);
  if (link === undefined || link.outcome !== undefined) return undefined;
  const at = now.toISOString();
  let next: ExecPlan = {
    ...plan,
    taskLinks: plan.taskLinks.map((l) => (l === link ? { ...l, outcome, endedAt: at } : l)),
    updatedAt: at,
  };
  if (outcome !== 'done' || !isOpenPlan(plan)) return next;
  const milestone = plan.progress[link.milestone];
  const label = `milestone ${String(link.milestone)}`;
  const ticked = completeMilestone(next, link.milestone, at);
  if (ticked !== undefined) next = ticked;
  // The log is bounded; a full one still gets the milestone ticked.
  if (next.decisionLog.length < PLAN_LIMITS.decisions)
    next = {
      ...next,
      decisionLog: [
        ...next.decisionLog,
        {
          decision:
            ticked === undefined
              ? `Task ${link.taskId} done (${label} was already completed)`
              : `${label[0]?.toUpperCase() ?? ''}${label.slice(1)} completed by task ${link.taskId}`,
          rationale: `Task ${link.taskId}, linked to ${label} ("${milestone?.description ?? ''}"), ended done.`,
          timestamp: at,
        },
      ],
    };
  return next;
}

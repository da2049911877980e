import type { ExecPlan, PlanStatus, TaskLinkOutcome } from './exec-plan.types.js';

/**
 * A plan as JSON on the wire (JSON-RPC `exec_plan_status`, `harness plan status --json`): the
 * original's snake_case field names, plus `task_links` and `version`.
 * @public
 */
export interface ExecPlanJson {
  readonly id: string;
  readonly purpose: string;
  readonly project: string;
  readonly status: PlanStatus;
  readonly progress: readonly { description: string; completed: boolean; completed_at: string | null }[];
  readonly concrete_steps: readonly { description: string; files: readonly string[]; completed: boolean }[];
  readonly decision_log: readonly { decision: string; rationale: string; timestamp: string }[];
  readonly surprises: readonly { description: string; evidence: string; timestamp: string }[];
  readonly validation: { readonly tests: readonly string[]; readonly checks: readonly string[] };
  readonly task_links: readonly {
    task_id: string;
    milestone: number;
    linked_at: string;
    outcome: TaskLinkOutcome | null;
    ended_at: string | null;
  }[];
  readonly created_at: string;
  readonly updated_at: string;
  readonly version: number;
}

/** The plan in its wire shape. @public */
export function planToJson(plan: ExecPlan): ExecPlanJson {
  return {
    id: plan.id,
    purpose: plan.purpose,
    project: plan.project,
    status: plan.status,
    progress: plan.progress.map((m) => ({
      description: m.description,
      completed: m.completed,
      completed_at: m.completedAt ?? null,
    })),
    concrete_steps: plan.concreteSteps.map((s) => ({
      description: s.description,
      files: [...s.files],
      completed: s.completed,
    })),
    decision_log: plan.decisionLog.map((d) => ({ ...d })),
    surprises: plan.surprises.map((s) => ({ ...s })),
    validation: { tests: [...plan.validation.tests], checks: [...plan.validation.checks] },
    task_links: plan.taskLinks.map((l) => ({
      task_id: l.taskId,
      milestone: l.milestone,
      linked_at: l.linkedAt,
      outcome: l.outcome ?? null,
      ended_at: l.endedAt ?? null,
    })),
    created_at: plan.createdAt,
    updated_at: plan.updatedAt,
    version: plan.version,
  };
}

/** Milestones completed and in all: what a listing shows of progress. @public */
export function planProgress(plan: Pick<ExecPlan, 'progress'>): { readonly done: number; readonly total: number } {
  return { done: plan.progress.filter((m) => m.completed).length, total: plan.progress.length };
}

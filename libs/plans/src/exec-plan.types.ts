/**
 * The statuses of a plan. `draft` (as made from a spec) → `active` → `completed`; `draft` or
 * `active` → `abandoned`. Completed and abandoned plans no longer change.
 * @public
 */
export const PLAN_STATUSES = ['draft', 'active', 'completed', 'abandoned'] as const;
/** @public */
export type PlanStatus = (typeof PLAN_STATUSES)[number];

/** How a linked task ended (its terminal status). @public */
export const TASK_LINK_OUTCOMES = ['done', 'failed', 'cancelled'] as const;
/** @public */
export type TaskLinkOutcome = (typeof TASK_LINK_OUTCOMES)[number];

/** A milestone of the plan's progress. @public */
export interface Milestone {
  readonly description: string;
  readonly completed: boolean;
  /** ISO-8601 UTC; set exactly when `completed`. */
  readonly completedAt?: string | undefined;
}

/** A concrete step, with the files it touches. @public */
export interface PlanStep {
  readonly description: string;
  readonly files: readonly string[];
  readonly completed: boolean;
}

/** An entry of the decision log. @public */
export interface PlanDecision {
  readonly decision: string;
  /** May span lines. */
  readonly rationale: string;
  readonly timestamp: string;
}

/** Something found on the way that the plan did not expect. @public */
export interface PlanSurprise {
  readonly description: string;
  /** May span lines. */
  readonly evidence: string;
  readonly timestamp: string;
}

/** How the work is known to be right: tests to run and checks to make. @public */
export interface PlanValidation {
  readonly tests: readonly string[];
  readonly checks: readonly string[];
}

/**
 * A task working on a milestone. When the task ends `done` the milestone is completed; any end
 * is recorded here (`outcome`, `endedAt`), so a link is settled once.
 * @public
 */
export interface PlanTaskLink {
  readonly taskId: string;
  /** The milestone's index in `progress` (0-based). */
  readonly milestone: number;
  readonly linkedAt: string;
  readonly outcome?: TaskLinkOutcome | undefined;
  readonly endedAt?: string | undefined;
}

/**
 * An exec plan: a living document of what a piece of work is for, its milestones and steps, the
 * decisions and surprises on the way, how it is validated, and the tasks doing it. Timestamps are
 * ISO-8601 UTC strings as `Date#toISOString` writes them. `version` counts stored writes (0: never
 * stored); the store refuses a write made from an older version.
 * @public
 */
export interface ExecPlan {
  /** 12 lowercase hex characters. */
  readonly id: string;
  readonly purpose: string;
  /** The project's name. */
  readonly project: string;
  readonly status: PlanStatus;
  readonly progress: readonly Milestone[];
  readonly concreteSteps: readonly PlanStep[];
  readonly decisionLog: readonly PlanDecision[];
  readonly surprises: readonly PlanSurprise[];
  readonly validation: PlanValidation;
  readonly taskLinks: readonly PlanTaskLink[];
  readonly createdAt: string;
  readonly updatedAt: string;
  readonly version: number;
}

/**
 * Bounds on every part of a plan, so a hostile spec or update cannot grow the database without
 * limit. Text lengths are in UTF-16 code units (`string#length`).
 * @public
 */
export const PLAN_LIMITS = {
  /** A spec given to `planFromSpec`. */
  specChars: 200_000,
  /** A plan file given to `planFromMarkdown`. */
  markdownChars: 2_000_000,
  /** The whole plan as JSON. */
  planJsonChars: 1_000_000,
  purposeChars: 500,
  projectChars: 200,
  /** A milestone's, a step's, a decision's, a surprise's, a test's or a check's one line. */
  lineChars: 1000,
  /** A rationale or an evidence (several lines). */
  noteChars: 4000,
  filePathChars: 300,
  milestones: 100,
  steps: 200,
  filesPerStep: 20,
  decisions: 300,
  surprises: 200,
  tests: 100,
  checks: 100,
  taskLinks: 200,
  taskIdChars: 64,
} as const;

/** Whether the plan still changes (draft or active). @public */
export function isOpenPlan(plan: Pick<ExecPlan, 'status'>): boolean {
  return plan.status === 'draft' || plan.status === 'active';
}

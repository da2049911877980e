import type { ApprovalStage, FailureClass, Grade, ReviewOutcome, TaskKind, TaskStatus } from '@agent-harness/core';

// Defined once in core, where the API contract uses them too.
export { TASK_KINDS, TASK_STATUSES } from '@agent-harness/core';
export type { Grade, ReviewOutcome, TaskKind, TaskStatus } from '@agent-harness/core';

/** Statuses a task ends in; only a person's follow-up moves it out of `done` or `failed` again. @public */
export const TERMINAL_STATUSES: readonly TaskStatus[] = ['done', 'failed', 'cancelled'];
/** Statuses of a task holding a run slot. @public */
export const ACTIVE_STATUSES: readonly TaskStatus[] = ['preparing', 'running', 'validating', 'committing', 'reviewing'];
/** Statuses of a task that holds no slot and no worktree but is not over: its pull request loop waits. @public */
export const WAITING_STATUSES: readonly TaskStatus[] = ['waiting_ci', 'awaiting_approval'];

/** @public */
export function isTerminal(status: TaskStatus): boolean {
  return TERMINAL_STATUSES.includes(status);
}

/**
 * How far a run got, stored so a restart resumes from there instead of guessing from which fields
 * are set: `published` means the change is committed and pushed (and its PR opened, when GitHub is
 * configured), so only the review remains; `approved` means the review approved that change, so
 * nothing remains but recording the end.
 * @public
 */
export type TaskCheckpoint = 'published' | 'approved';

/**
 * A round of work queued on a task whose change is already published: a fix for its pull request's
 * failed CI, an answer to a person's requested changes, a person's follow-up prompt, or the rest of
 * a run a person approved (`approved`, with the step it was held at). The run that takes it clears it.
 * @public
 */
export interface TaskRound {
  readonly kind: 'ci_fix' | 'review_feedback' | 'follow_up' | 'approved';
  /** What the implementer is asked (not for `approved`). */
  readonly prompt?: string | undefined;
  /** `approved`: the step the task was held at. */
  readonly stage?: ApprovalStage | undefined;
  /** `review_feedback`: the review comments to reply to on their threads once the fix is pushed. */
  readonly replyTo?: readonly number[] | undefined;
  /** Who asked for it (a GitHub login, or `api`). */
  readonly by?: string | undefined;
}

/**
 * What Harness keeps of a task's pull request loop (after its first publication): the round queued,
 * the approval it waits for, the rounds spent, and the reviews already answered.
 * @public
 */
export interface TaskLoop {
  readonly round?: TaskRound | undefined;
  /**
   * While `awaiting_approval`: the step held and since when (ISO 8601); for a merge, the head its CI
   * passed on (only that is merged).
   */
  readonly approval?:
    { readonly stage: ApprovalStage; readonly since: string; readonly sha?: string | undefined } | undefined;
  /**
   * The pull request's head when the last round was queued: until GitHub shows the round's push,
   * what it says about that head is no answer about the round.
   */
  readonly staleHead?: string | undefined;
  /** The last look at its pull request (ISO 8601), and until when a look (of some server) holds it. */
  readonly lookedAt?: string | undefined;
  readonly lookingUntil?: string | undefined;
  /** The server whose look holds it. */
  readonly lookingBy?: string | undefined;
  /** While `waiting_ci`: since when (ISO 8601), for the no-CI grace and the CI timeout. */
  readonly waitingSince?: string | undefined;
  readonly ciFixRounds: number;
  readonly feedbackRounds: number;
  readonly followUps: number;
  /** A CI fix round ran since the last green: the next green is `ci_fixed`. */
  readonly ciFixing?: boolean | undefined;
  /** Reviews by people already answered with a round (their ids, newest last, at most 100). */
  readonly answeredReviews: readonly number[];
  /** The pull request was merged by Harness (`[github] auto_merge`). */
  readonly merged?: boolean | undefined;
}

/** A task's loop before anything happened in it. @public */
export const EMPTY_LOOP: TaskLoop = { ciFixRounds: 0, feedbackRounds: 0, followUps: 0, answeredReviews: [] };

/** The classifier's view of a task (see classifyTask in @agent-harness/pipeline). @public */
export type TaskComplexity = 'simple' | 'complex';

/** A file Harness writes into a task's new worktree before its agent starts. @public */
export interface SeedFile {
  /** Relative to the worktree; checked again (no `..`, no `.git`, no symlink escape) when written. */
  readonly path: string;
  readonly content: string;
  /** Written with mode 0755 (a guard script). */
  readonly executable?: boolean | undefined;
}

/**
 * What a task starts from besides its base branch: files written and unified diffs applied
 * (`git apply`) in the new worktree before the agent runs. GC adoption seeds a draft's artifacts
 * this way, so they are committed on the task's branch and never written into the user's checkout.
 * @public
 */
export interface TaskSeed {
  readonly files: readonly SeedFile[];
  readonly patches: readonly string[];
}

/**
 * Where a task came from outside Harness's own surfaces, so its outcome can be told there: a
 * GitHub issue or pull request (a webhook delivery, or the issue poller). Set by Harness, never by
 * API clients.
 * @public
 */
export interface TaskOrigin {
  readonly source: 'github';
  /** A webhook delivery, or the `[intake.github]` poller. */
  readonly via: 'webhook' | 'intake';
  /** `owner/name` of the repository. */
  readonly repo: string;
  /** The issue or pull request replies go to. */
  readonly number: number;
  /** The GitHub login that asked (commented, reviewed, applied the label). */
  readonly actor?: string | undefined;
  /** The webhook delivery (`X-GitHub-Delivery`) it came with. */
  readonly deliveryId?: string | undefined;
}

/** The whole request, persisted as submitted so a restart loses nothing. @public */
export interface TaskRequest {
  readonly kind: TaskKind;
  readonly prompt?: string | undefined;
  readonly issue?: number | undefined;
  readonly pr?: number | undefined;
  readonly description?: string | undefined;
  readonly agent?: string | undefined;
  readonly model?: string | undefined;
  /**
   * The branch to work on instead of `harness/<id8>-<slug>`: a prompt task's (GC adoption; checked
   * as a git ref), or an issue task's that retries an ended one (set by Harness: its branch and PR).
   */
  readonly headBranch?: string | undefined;
  /** Files and patches the worktree starts with (prompt tasks; set by Harness, not by API clients). */
  readonly seed?: TaskSeed | undefined;
  /** Where it came from, when that was GitHub: the outcome is posted there (set by Harness). */
  readonly origin?: TaskOrigin | undefined;
}

/** A task as stored. Immutable: changes make a new value. @public */
export interface Task extends TaskRequest {
  readonly id: string;
  readonly project: string;
  readonly status: TaskStatus;
  /** 1 for the first run; raised when an interrupted or rate-limited task is requeued. */
  readonly attempt: number;
  /** A requeued task waits until then (ISO 8601). */
  readonly notBefore?: string | undefined;
  readonly branch?: string | undefined;
  readonly worktree?: string | undefined;
  readonly commit?: string | undefined;
  /** The agent that ran (or runs) it, and its session. */
  readonly agentUsed?: string | undefined;
  readonly sessionId?: string | undefined;
  readonly inputTokens: number;
  readonly outputTokens: number;
  /** Times a validation failure went back to the agent. */
  readonly validationRetries: number;
  /** The pull request the task opened (or worked on). */
  readonly prNumber?: number | undefined;
  readonly prUrl?: string | undefined;
  /** Review rounds run, and how the review ended. */
  readonly reviewRounds: number;
  readonly reviewOutcome?: ReviewOutcome | undefined;
  /**
   * The server running the task, and until when its lease holds (ISO 8601). The server renews it
   * while the task runs; recovery takes back only its own tasks and those whose lease expired.
   */
  readonly leaseOwner?: string | undefined;
  readonly leaseExpiresAt?: string | undefined;
  /** Its pull request loop (CI, reviews, follow-ups, approvals); undefined until one began. */
  readonly loop?: TaskLoop | undefined;
  /** The last durable step of the run (see TaskCheckpoint); cleared when the task is redone. */
  readonly checkpoint?: TaskCheckpoint | undefined;
  /** Set when the task starts: complex work prefers `complexity_preferred_agents`. */
  readonly complexity?: TaskComplexity | undefined;
  /** The quality grade and its score (0–100), once finished. */
  readonly grade?: Grade | undefined;
  readonly score?: number | undefined;
  readonly costUsd?: number | undefined;
  readonly error?: string | undefined;
  /** Why it failed, as data (see FailureClass); set with `error` when the task ends failed or cancelled. */
  readonly failureClass?: FailureClass | undefined;
  readonly createdAt: string;
  readonly updatedAt: string;
  readonly startedAt?: string | undefined;
  readonly finishedAt?: string | undefined;
  /** Optimistic-locking counter: every update must name the version it read. */
  readonly version: number;
}

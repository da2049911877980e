import type { FailureClass, Grade, ReviewOutcome, TaskKind, TaskStatus } from '@agent-harness/core';

// Defined once in core, where the API contract uses them too.
export { TASK_KINDS, TASK_STATUSES } from '@agent-harness/core';
export type { Grade, ReviewOutcome, TaskKind, TaskStatus } from '@agent-harness/core';

/** Statuses a task ends in; nothing moves it out of them. @public */
export const TERMINAL_STATUSES: readonly TaskStatus[] = ['done', 'failed', 'cancelled'];
/** Statuses of a task holding a run slot. @public */
export const ACTIVE_STATUSES: readonly TaskStatus[] = ['preparing', 'running', 'validating', 'committing', 'reviewing'];

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

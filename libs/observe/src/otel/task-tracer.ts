import type { FailureClass, Grade, TaskKind } from '@agent-harness/core';

/**
 * The phases of a task run that become child spans of its task span. A phase lasts until the next
 * one starts or the task ends; phases repeat (a review round sends the task back to the agent).
 * @public
 */
export const TRACED_PHASES = ['prepare', 'agent', 'validation', 'publish', 'review'] as const;
/** @public */
export type TracedPhase = (typeof TRACED_PHASES)[number];

/** A task run started (`queued → preparing`). @public */
export interface TracedTaskStart {
  readonly taskId: string;
  readonly project: string;
  readonly kind: TaskKind;
  readonly attempt: number;
  /** The agent asked for, if any (the one chosen comes with the agent runs). */
  readonly agent?: string | undefined;
  /** The model asked for, if any. */
  readonly model?: string | undefined;
  readonly issue?: number | undefined;
  readonly pr?: number | undefined;
  /** The work as asked, secrets already redacted: exported only with `[otel] log_user_prompt`. */
  readonly prompt?: string | undefined;
  readonly at: Date;
}

/** A phase of a started task began; the one before it (if any) ends here. @public */
export interface TracedPhaseStart {
  readonly taskId: string;
  readonly phase: TracedPhase;
  readonly at: Date;
  /** The review round a `review` phase runs. */
  readonly round?: number | undefined;
  /** The agent working in an `agent` phase. */
  readonly agent?: string | undefined;
}

/** One agent run (implementer or reviewer), once it ended. @public */
export interface TracedAgentRun {
  readonly taskId: string;
  readonly agent: string;
  readonly role: 'implementer' | 'reviewer';
  /** The model the agent reported (else the one asked for). */
  readonly model?: string | undefined;
  readonly startedAt: Date;
  readonly endedAt: Date;
  readonly ok: boolean;
  /** Why it ended (`completed`, `failed`, `rate_limited`…). */
  readonly reason: string;
  readonly inputTokens: number;
  readonly outputTokens: number;
  readonly costUsd?: number | undefined;
}

/**
 * How a task run ended: a terminal status, back to the queue (`requeued`), or waiting on its pull
 * request or a person (`waiting`: the run is over, the task is not). @public
 */
export type TracedOutcome = 'done' | 'failed' | 'cancelled' | 'requeued' | 'waiting';

/** A task run ended. Its totals are the task's (every run of it so far). @public */
export interface TracedTaskEnd {
  readonly taskId: string;
  readonly project: string;
  readonly kind: TaskKind;
  readonly outcome: TracedOutcome;
  readonly at: Date;
  /** The agent that implemented it. */
  readonly agent?: string | undefined;
  readonly failureClass?: FailureClass | undefined;
  readonly grade?: Grade | undefined;
  /** Why it failed or went back to the queue, secrets already redacted. */
  readonly error?: string | undefined;
  readonly inputTokens: number;
  readonly outputTokens: number;
  readonly costUsd?: number | undefined;
  readonly reviewRounds: number;
  readonly validationRetries: number;
}

/**
 * Where the pipeline reports what its tasks go through, for tracing and metrics. Calls come in the
 * order things happen; a task resumed after a restart starts with whatever phase it resumes in. An
 * implementation must never throw and never block: it is called in the middle of a task's run.
 * @public
 */
export interface TaskTracer {
  taskStarted(task: TracedTaskStart): void;
  phaseStarted(phase: TracedPhaseStart): void;
  agentRan(run: TracedAgentRun): void;
  taskEnded(end: TracedTaskEnd): void;
}

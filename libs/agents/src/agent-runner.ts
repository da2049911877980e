import type { AgentEvent, AgentOutcome, SandboxMode } from '@agent-harness/core';
import type { Observable } from 'rxjs';

/** The phase a run belongs to; with `[agents.claude] reasoning_budget` it selects the model. @public */
export type AgentPhase = 'planning' | 'execution' | 'validation';

/** One run of an agent. @public */
export interface AgentRequest {
  readonly prompt: string;
  /** Directory the agent works in (a task's worktree). */
  readonly cwd: string;
  readonly model?: string | undefined;
  readonly phase?: AgentPhase | undefined;
  /**
   * Tools the agent may use without asking. Unset means full access within `sandboxMode`
   * (default `[agents] sandbox_mode`).
   */
  readonly allowedTools?: readonly string[] | undefined;
  readonly sandboxMode?: SandboxMode | undefined;
  /** Spending cap for the run, where the agent supports one (Claude Code). */
  readonly budgetUsd?: number | undefined;
  /** The most model turns for the run, where the agent takes a limit (Claude Code, the Anthropic API). */
  readonly maxTurns?: number | undefined;
  /** Continue this agent session instead of starting a new one. */
  readonly resumeSessionId?: string | undefined;
  /** Override the configured total and idle-output timeouts. */
  readonly timeoutMs?: number | undefined;
  readonly idleTimeoutMs?: number | undefined;
  /**
   * Extra environment variables for this run (added after the configured `env`). A task's runs carry
   * `HARNESS_TASK_ID` (`TASK_MARKER_ENV`): when the run ends, every process still carrying it is ended.
   */
  readonly env?: Readonly<Record<string, string>> | undefined;
  /** Aborting cancels the run and ends the agent's whole process group. */
  readonly signal?: AbortSignal | undefined;
}

/** How a run ended. Failures are data, never a rejected promise. @public */
export interface AgentResult extends AgentOutcome {
  readonly agent: string;
  /** When the agent reported a rate limit, the time it resets, if known (ISO 8601). */
  readonly rateLimitResetAt?: string | undefined;
  readonly durationMs: number;
  /** Exit of the agent process (CLI agents). */
  readonly exitCode?: number | null | undefined;
  /** The end of the agent's stderr, kept for diagnostics only. */
  readonly stderrTail?: string | undefined;
}

/** A run in progress: its live events and its final result. @public */
export interface AgentRun {
  /**
   * Every event of the run, live; ends with one `completed` event. Late subscribers get the events
   * buffered so far (bounded).
   */
  readonly events$: Observable<AgentEvent>;
  readonly result: Promise<AgentResult>;
}

/** The `completed` event that closes every run's stream. */
export function completedEvent(outcome: AgentOutcome): AgentEvent {
  const { ok, reason, message, finalText, sessionId, usage, costUsd } = outcome;
  return { type: 'completed', ok, reason, message, finalText, sessionId, usage, costUsd };
}

/**
 * The port every agent implements: Claude Code, Codex, the Anthropic API, or a tool's own.
 * @public
 */
export abstract class AgentRunner {
  /** Registry name: `claude`, `codex`, `anthropic-api`. */
  abstract readonly name: string;
  abstract run(request: AgentRequest): AgentRun;
}

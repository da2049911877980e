/**
 * The one event language every agent speaks to the rest of Harness, whatever its CLI or API prints.
 * Closed union: a consumer's `switch (event.type)` is checked for exhaustiveness.
 */

/** Token counts of one model step (in a `usage` event) or of a whole run (in `completed`). @public */
export interface TokenUsage {
  readonly inputTokens: number;
  /** Input tokens served from the prompt cache (a subset of `inputTokens` for Codex, extra for Claude). */
  readonly cachedInputTokens: number;
  /** Input tokens written to the prompt cache (Claude only). */
  readonly cacheWriteTokens: number;
  readonly outputTokens: number;
}

/** Why a run ended. @public */
export const AGENT_END_REASONS = [
  'completed',
  'failed',
  'rate_limited',
  'quota_exceeded',
  'budget_exceeded',
  'auth_failed',
  'timeout',
  'idle_timeout',
  'cancelled',
  'unavailable',
] as const;
/** @public */
export type AgentEndReason = (typeof AGENT_END_REASONS)[number];

/** @public */
export interface FileChange {
  readonly path: string;
  readonly kind: 'add' | 'update' | 'delete';
}

/** How a run ended: carried by the `completed` event and by the run's result. @public */
export interface AgentOutcome {
  readonly ok: boolean;
  readonly reason: AgentEndReason;
  /** What went wrong, when not ok. */
  readonly message?: string | undefined;
  readonly finalText: string;
  readonly sessionId?: string | undefined;
  readonly usage: TokenUsage;
  /** The agent's own estimate from list prices, when it gives one; not a bill. */
  readonly costUsd?: number | undefined;
}

/** @public */
export type AgentEvent =
  | { readonly type: 'session_started'; readonly sessionId: string; readonly model?: string | undefined }
  | { readonly type: 'text'; readonly text: string }
  | { readonly type: 'tool_call'; readonly id: string; readonly name: string; readonly input: unknown }
  | { readonly type: 'tool_result'; readonly id: string; readonly ok: boolean; readonly output: string }
  | { readonly type: 'file_change'; readonly changes: readonly FileChange[] }
  | ({ readonly type: 'usage'; readonly costUsd?: number | undefined } & TokenUsage)
  | { readonly type: 'rate_limited'; readonly message: string; readonly resetAt?: string | undefined }
  | { readonly type: 'error'; readonly message: string; readonly fatal: boolean }
  | ({ readonly type: 'completed' } & AgentOutcome);

/** @public */
export type AgentEventType = AgentEvent['type'];

/** @public */
export const ZERO_USAGE: TokenUsage = Object.freeze({
  inputTokens: 0,
  cachedInputTokens: 0,
  cacheWriteTokens: 0,
  outputTokens: 0,
});

/** Adds two token counts. @public */
export function addUsage(a: TokenUsage, b: TokenUsage): TokenUsage {
  return {
    inputTokens: a.inputTokens + b.inputTokens,
    cachedInputTokens: a.cachedInputTokens + b.cachedInputTokens,
    cacheWriteTokens: a.cacheWriteTokens + b.cacheWriteTokens,
    outputTokens: a.outputTokens + b.outputTokens,
  };
}

import type { AgentPhase, AgentRunner } from '@agent-harness/agents';
import type { AgentEvent } from '@agent-harness/core';
import type { DraftAgent, DraftAgentAnswer, DraftAgentRequest } from '@agent-harness/gc';

/** Who watches GC and learning at work: its lines, and each agent's live events. @public */
export interface GcObserver {
  progress?(message: string): void;
  /** A draft or learning agent's events, live (the CLI shows them as `harness exec` does). */
  agentEvent?(agent: string, event: AgentEvent): void;
}

/** One read-only agent run: GC's drafts and learning, the periodic review. */
export interface ReadOnlyRunRequest {
  readonly prompt: string;
  /** The project root: the agent reads it and changes nothing. */
  readonly cwd: string;
  readonly allowedTools: readonly string[];
  readonly phase: AgentPhase;
  readonly budgetUsd?: number | undefined;
  /** Overrides the agent's configured total timeout. */
  readonly timeoutMs?: number | undefined;
  readonly signal?: AbortSignal | undefined;
}

/**
 * Runs `runner` read-only: the read-only sandbox, only the allowed tools, in the project's
 * directory; its events go to the observer live. Its answer (and failure message) is redacted
 * before anyone sees it: drafts, learned rules, skills and review findings are stored.
 */
export async function runReadOnly(
  runner: AgentRunner,
  request: ReadOnlyRunRequest,
  observer: GcObserver = {},
  redact: (text: string) => string = (text) => text,
): Promise<DraftAgentAnswer> {
  const run = runner.run({
    prompt: request.prompt,
    cwd: request.cwd,
    phase: request.phase,
    sandboxMode: 'read-only',
    allowedTools: request.allowedTools,
    budgetUsd: request.budgetUsd,
    timeoutMs: request.timeoutMs,
    signal: request.signal,
  });
  let model: string | undefined;
  const subscription = run.events$.subscribe((event) => {
    if (event.type === 'session_started') model = event.model;
    observer.agentEvent?.(runner.name, event);
  });
  try {
    const result = await run.result;
    return {
      ok: result.ok,
      text: redact(result.finalText),
      costUsd: result.costUsd,
      message: result.ok ? undefined : redact(result.message ?? result.reason),
      model,
    };
  } finally {
    subscription.unsubscribe();
  }
}

/**
 * An agent run as GC asks for it: read-only (`runReadOnly`), the budget passed down (Claude Code's
 * `--max-budget-usd`).
 */
export function draftAgent(
  runner: AgentRunner,
  observer: GcObserver = {},
  redact: (text: string) => string = (text) => text,
): DraftAgent {
  return {
    name: runner.name,
    run: (request: DraftAgentRequest): Promise<DraftAgentAnswer> =>
      runReadOnly(runner, { ...request, phase: 'planning' }, observer, redact),
  };
}

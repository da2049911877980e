import type { AgentRunner } from '@agent-harness/agents';
import type { AgentEvent } from '@agent-harness/core';
import type { DraftAgent, DraftAgentAnswer, DraftAgentRequest } from '@agent-harness/gc';

/** Who watches GC and learning at work: its lines, and each agent's live events. @public */
export interface GcObserver {
  progress?(message: string): void;
  /** A draft or learning agent's events, live (the CLI shows them as `harness exec` does). */
  agentEvent?(agent: string, event: AgentEvent): void;
}

/**
 * An agent run as GC asks for it: the read-only sandbox, only the allowed tools (read, grep,
 * glob), the budget passed down (Claude Code's `--max-budget-usd`), in the project's directory.
 * Its answer is redacted before GC sees it: drafts, learned rules and skills are stored.
 */
export function draftAgent(
  runner: AgentRunner,
  observer: GcObserver = {},
  redact: (text: string) => string = (text) => text,
): DraftAgent {
  return {
    name: runner.name,
    async run(request: DraftAgentRequest): Promise<DraftAgentAnswer> {
      const run = runner.run({
        prompt: request.prompt,
        cwd: request.cwd,
        phase: 'planning',
        sandboxMode: 'read-only',
        allowedTools: request.allowedTools,
        budgetUsd: request.budgetUsd,
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
    },
  };
}

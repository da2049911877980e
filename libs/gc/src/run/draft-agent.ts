/** One read-only agent run GC asks for: a draft, or learning from adopted drafts. @public */
export interface DraftAgentRequest {
  readonly prompt: string;
  /** The project root: the agent reads it and changes nothing. */
  readonly cwd: string;
  /** The most this run may spend (USD), passed to the agent (Claude Code's `--max-budget-usd`). */
  readonly budgetUsd: number;
  /** The tools it may use: read, grep and glob (`[gc] allowed_tools`). */
  readonly allowedTools: readonly string[];
  readonly signal?: AbortSignal | undefined;
}

/** How the run ended. Failures are data, never a rejected promise. @public */
export interface DraftAgentAnswer {
  readonly ok: boolean;
  /** The final answer. */
  readonly text: string;
  /** What the agent reported spending; unknown when it reports nothing (then GC counts the whole cap). */
  readonly costUsd?: number | undefined;
  /** Why it failed, when it did. */
  readonly message?: string | undefined;
  readonly model?: string | undefined;
}

/**
 * The agent GC runs (the runtime adapts an `AgentRunner` to this: read-only sandbox, the allowed
 * tools, the budget, progress lines for the CLI).
 * @public
 */
export interface DraftAgent {
  readonly name: string;
  run(request: DraftAgentRequest): Promise<DraftAgentAnswer>;
}

/** Where GC tells what it is doing, a line at a time (the CLI prints these live). @public */
export type GcProgress = (message: string) => void;

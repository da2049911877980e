import { homedir } from 'node:os';
import type { AgentRun } from '@agent-harness/agents';
import type { AgentOutcome, HarnessConfig, SandboxMode } from '@agent-harness/core';
import type { CliContext } from '../cli-context.js';

/** One agent run outside the task queue: `harness exec`, and the MCP tool `run_agent`. */
export interface OneShotRunRequest {
  readonly prompt: string;
  /** The directory the agent works in. */
  readonly root: string;
  /** An agent name or "auto"; default: the project's, then `[agents] default_agent`. */
  readonly agent?: string | undefined;
  readonly projectDefaultAgent?: string | undefined;
  readonly model?: string | undefined;
  /** Default: `[agents] sandbox_mode`. */
  readonly sandboxMode?: SandboxMode | undefined;
  /** Aborting cancels the run and ends the agent's process group. */
  readonly signal: AbortSignal;
}

/** A started one-shot run and the agent that runs it. */
export interface OneShotRun {
  readonly agent: string;
  readonly run: AgentRun;
}

/** Picks the agent the way `harness exec` does and starts it; throws AGENT_UNAVAILABLE when none fits. */
export async function startOneShotRun(
  config: HarnessConfig,
  ctx: Pick<CliContext, 'env' | 'cwd'>,
  request: OneShotRunRequest,
): Promise<OneShotRun> {
  // Loaded here so other commands start without the agent SDKs.
  const { AgentRegistry, ConfiguredSandbox } = await import('@agent-harness/agents');
  const sandbox = ConfiguredSandbox.fromConfig(config, ctx.env['HOME'] ?? homedir());
  const registry = AgentRegistry.fromConfig(config, ctx.env, ctx.cwd, sandbox);
  const runner = registry.select({ agent: request.agent, projectDefault: request.projectDefaultAgent });
  const run = runner.run({
    prompt: request.prompt,
    cwd: request.root,
    model: request.model,
    sandboxMode: request.sandboxMode,
    signal: request.signal,
  });
  return { agent: runner.name, run };
}

/** What the user reads when a run ends without success: each reason said once. */
export function endedMessage(agent: string, result: AgentOutcome): string {
  if (result.reason === 'cancelled') return `${agent} cancelled`;
  const what = result.reason === 'failed' ? `${agent} failed` : `${agent} ended: ${result.reason}`;
  return result.message === undefined || result.message === result.reason ? what : `${what}: ${result.message}`;
}

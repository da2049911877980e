import { realpathSync } from 'node:fs';
import { isAbsolute, parse, relative, sep } from 'node:path';
import type { AgentResult } from '@agent-harness/agents';
import { AppError, SANDBOX_MODES, type AgentEvent, type HarnessConfig, type SandboxMode } from '@agent-harness/core';
import type { CliContext } from '../cli-context.js';
import { startOneShotRun } from '../exec/one-shot-run.js';
import { projectDirectory, type ProjectDirectory } from '../project-directory.js';
import type { RunAgentInput } from './tool-inputs.js';

function isInside(dir: string, path: string): boolean {
  const rel = relative(dir, path);
  return rel === '' || (!rel.startsWith(`..${sep}`) && rel !== '..' && !isAbsolute(rel));
}

/** The real path, so a symbolic link cannot lead outside what is allowed. */
function real(path: string): string {
  try {
    return realpathSync(path);
  } catch {
    return path;
  }
}

/**
 * Where `run_agent` works. The caller is an agent, whose arguments may come from text it read:
 * only inside a configured project, or inside the directory the MCP server was started in (where
 * Claude Code and Codex start it: the user's project), never anywhere on the machine. A server
 * started in `/` or the home directory (as some desktop clients do) gets configured projects only.
 */
export function runAgentDirectory(config: HarnessConfig, ctx: CliContext, given: string | undefined): ProjectDirectory {
  const directory = projectDirectory(config, ctx, given ?? '.', 'project');
  const startDir = real(ctx.cwd);
  const isStartDirAProject = startDir !== parse(startDir).root && startDir !== real(ctx.homeDir);
  const allowed = [...(isStartDirAProject ? [startDir] : []), ...config.projects.map((p) => real(p.root))];
  if (!allowed.some((dir) => isInside(dir, real(directory.root))))
    throw new AppError(
      'INVALID_ARGUMENT',
      `project ${given ?? '(default)'}: ${directory.root} is neither inside a configured project nor inside the directory harness mcp-server was started in${isStartDirAProject ? ` (${startDir})` : ''}`,
    );
  return directory;
}

/**
 * The sandbox of a `run_agent` run: the one asked for when it is no wider than `[agents]
 * sandbox_mode`, which is also the default. An agent calling the tool may narrow it, never widen it.
 */
export function runAgentSandbox(config: HarnessConfig, asked: SandboxMode | undefined): SandboxMode {
  const configured = config.agents.sandbox_mode;
  if (asked === undefined) return configured;
  const allowed = SANDBOX_MODES.slice(0, SANDBOX_MODES.indexOf(configured) + 1);
  if (!allowed.includes(asked))
    throw new AppError(
      'INVALID_ARGUMENT',
      `sandbox_mode ${asked} is wider than the configured [agents] sandbox_mode (${configured}); ask for ${allowed.join(' or ')}`,
    );
  return asked;
}

/** How a `run_agent` call ended. */
export interface RunAgentOutcome {
  readonly agent: string;
  readonly directory: string;
  readonly result: AgentResult;
}

/**
 * Runs one agent on a prompt the way `harness exec` does, reporting each event with the directory
 * it works in to `onEvent`. Directory and sandbox are checked before anything starts.
 */
export async function runAgent(
  config: HarnessConfig,
  ctx: CliContext,
  input: RunAgentInput,
  signal: AbortSignal,
  onEvent: (event: AgentEvent, directory: string) => void,
): Promise<RunAgentOutcome> {
  const directory = runAgentDirectory(config, ctx, input.project);
  const sandboxMode = runAgentSandbox(config, input.sandbox_mode);
  const { agent, run } = await startOneShotRun(config, ctx, {
    prompt: input.prompt,
    root: directory.root,
    agent: input.agent,
    projectDefaultAgent: directory.defaultAgent,
    model: input.model,
    sandboxMode,
    signal,
  });
  const subscription = run.events$.subscribe((event) => {
    onEvent(event, directory.root);
  });
  try {
    return { agent, directory: directory.root, result: await run.result };
  } finally {
    subscription.unsubscribe();
  }
}

import { execFile } from 'node:child_process';
import { homedir } from 'node:os';
import { isAbsolute } from 'node:path';
import { commandEnv, type HarnessConfig } from '@agent-harness/core';

/** An agent `harness serve` can run, as its start-up block shows it. */
export interface FoundAgent {
  readonly name: string;
  /** First line of `<cli> --version`; undefined when it did not answer in time. */
  readonly version?: string | undefined;
  /** Path of its CLI, or what makes it available (the API agent: its key). */
  readonly where: string;
}

/** Long enough for a CLI to print its version, short enough not to hold up the start. */
const VERSION_TIMEOUT_MS = 3000;

/** The available agents, with what to do when there is none. */
export interface FoundAgents {
  readonly agents: readonly FoundAgent[];
  /** `install Claude Code (claude) or Codex (codex), or set ANTHROPIC_API_KEY` (from the agents' descriptors). */
  readonly noAgentHint: string;
  /** Agents defined in `[agents.custom.<name>]` that cannot run here, with what is missing. */
  readonly missingCustom: readonly { readonly name: string; readonly detail: string }[];
}

/** The available agents, in preference order, with their CLI versions (asked in parallel). */
export async function findAgents(
  config: HarnessConfig,
  env: Readonly<Record<string, string | undefined>>,
  cwd: string,
): Promise<FoundAgents> {
  // Loaded here so other commands start without the agent SDKs.
  const { AgentRegistry, ConfiguredSandbox } = await import('@agent-harness/agents');
  const sandbox = ConfiguredSandbox.fromConfig(config, env['HOME'] ?? homedir());
  const registry = AgentRegistry.fromConfig(config, env, cwd, sandbox);
  const available = registry.availability().filter((agent) => agent.available);
  const agents = await Promise.all(
    available.map(async (agent) => {
      const requires = registry.descriptor(agent.name)?.requires;
      // A CLI agent's detail is the path of its binary; an agent that needs a credential has none to ask.
      const version =
        requires?.kind === 'cli' && isAbsolute(agent.detail)
          ? await versionOf(agent.detail, requires.versionArgs, env)
          : undefined;
      return { name: agent.name, where: agent.detail, version };
    }),
  );
  const missingCustom = registry
    .availability()
    .filter((agent) => !agent.available && agent.name in config.agents.custom)
    .map(({ name, detail }) => ({ name, detail }));
  return { agents, noAgentHint: registry.noAgentHint(), missingCustom };
}

function versionOf(
  binary: string,
  args: readonly string[],
  env: Readonly<Record<string, string | undefined>>,
): Promise<string | undefined> {
  return new Promise((resolve) => {
    execFile(
      binary,
      [...args],
      { env: commandEnv(env), timeout: VERSION_TIMEOUT_MS, killSignal: 'SIGKILL', maxBuffer: 64 * 1024 },
      (error, stdout) => {
        const first = stdout.trim().split('\n')[0]?.trim() ?? '';
        resolve(error === null && first !== '' ? first.slice(0, 100) : undefined);
      },
    );
  });
}

/**
 * The start-up line about the OS sandbox: its mode when it works, the warning when it is off, or
 * why it cannot start (tasks are then refused until it can).
 */
export async function sandboxStatus(
  config: HarnessConfig,
  env: Readonly<Record<string, string | undefined>>,
): Promise<{ readonly ok: boolean; readonly line: string }> {
  const { ConfiguredSandbox } = await import('@agent-harness/agents');
  const sandbox = ConfiguredSandbox.fromConfig(config, env['HOME'] ?? homedir());
  if (sandbox.warning !== undefined) return { ok: false, line: sandbox.warning };
  const refusal = await sandbox.refusal();
  return refusal === undefined
    ? { ok: true, line: `sandbox: ${sandbox.mode} (bubblewrap)` }
    : { ok: false, line: `warning: tasks are refused until the sandbox can start: ${refusal}` };
}

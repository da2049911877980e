import { AppError, type CommandSandbox, type HarnessConfig } from '@agent-harness/core';
import { AnthropicApiAgentRunner } from '../anthropic-api/anthropic-api-agent-runner.js';
import type { AgentRunner } from '../agent-runner.js';
import { CLAUDE_INSTALL_HINT, ClaudeCodeAgentRunner } from '../claude/claude-code-agent-runner.js';
import { CODEX_INSTALL_HINT, CodexAgentRunner } from '../codex/codex-agent-runner.js';
import { findExecutable } from '../process/find-executable.js';

/** @public */
export interface AgentAvailability {
  readonly name: string;
  readonly available: boolean;
  /** Where the binary is, or what is missing. */
  readonly detail: string;
}

/** @public */
export interface SelectAgentInput {
  /** An agent name, or "auto" / undefined for the configured default. */
  readonly agent?: string | undefined;
  /** The project's `default_agent`, used when the request names none. */
  readonly projectDefault?: string | undefined;
  /** Complex or critical work: `complexity_preferred_agents` go first. */
  readonly complex?: boolean | undefined;
}

/**
 * The agents Harness can run, in preference order (claude, codex, then anthropic-api when
 * `ANTHROPIC_API_KEY` is set), and the rules for picking one.
 * @public
 */
export class AgentRegistry {
  constructor(
    private readonly runners: readonly AgentRunner[],
    private readonly checkAvailability: (runner: AgentRunner) => AgentAvailability,
    private readonly defaults: Pick<HarnessConfig['agents'], 'default_agent' | 'complexity_preferred_agents'>,
  ) {}

  /**
   * Registers the agents the configuration and environment describe, each starting its runs in
   * `sandbox` (the configured OS sandbox: `ConfiguredSandbox.fromConfig`).
   */
  static fromConfig(
    config: HarnessConfig,
    env: Readonly<Record<string, string | undefined>>,
    cwd: string,
    sandbox: CommandSandbox,
  ): AgentRegistry {
    const agents = config.agents;
    const sandboxMode = agents.sandbox_mode;
    const runners: AgentRunner[] = [
      new ClaudeCodeAgentRunner({ config: agents.claude, sandboxMode, baseEnv: env, sandbox }),
      new CodexAgentRunner({ config: agents.codex, sandboxMode, baseEnv: env, sandbox }),
    ];
    const apiKey = agents.anthropic_api.api_key;
    if (apiKey !== undefined)
      runners.push(
        new AnthropicApiAgentRunner({ config: agents.anthropic_api, apiKey, baseEnv: env, sandboxMode, sandbox }),
      );
    const clis: Readonly<Record<string, { command: string; install: string }>> = {
      claude: { command: agents.claude.cli_path, install: CLAUDE_INSTALL_HINT },
      codex: { command: agents.codex.cli_path, install: CODEX_INSTALL_HINT },
    };
    return new AgentRegistry(
      runners,
      (runner) => {
        const cli = clis[runner.name];
        if (cli === undefined) return { name: runner.name, available: true, detail: 'ANTHROPIC_API_KEY is set' };
        const found = findExecutable(cli.command, env['PATH'], cwd);
        return found === undefined
          ? {
              name: runner.name,
              available: false,
              detail: `${cli.command} not found (install: ${cli.install}, or set [agents.${runner.name}] cli_path)`,
            }
          : { name: runner.name, available: true, detail: found };
      },
      agents,
    );
  }

  /** `[agents] default_agent`: the agent of tasks that, with their project, name none. */
  get defaultAgent(): string {
    return this.defaults.default_agent;
  }

  names(): string[] {
    return this.runners.map((r) => r.name);
  }

  get(name: string): AgentRunner | undefined {
    return this.runners.find((r) => r.name === name);
  }

  availability(): AgentAvailability[] {
    return this.runners.map(this.checkAvailability);
  }

  /**
   * The agent for a request: the one it names (which must be registered), else the project's, else
   * `[agents] default_agent`; "auto" picks the first available one, trying
   * `complexity_preferred_agents` first for complex work.
   */
  select(input: SelectAgentInput = {}): AgentRunner {
    const wanted = input.agent ?? input.projectDefault ?? this.defaults.default_agent;
    if (wanted !== 'auto') {
      const runner = this.get(wanted);
      if (runner !== undefined) return runner;
      if (wanted === 'anthropic-api') {
        throw new AppError(
          'AGENT_UNAVAILABLE',
          'agent "anthropic-api" needs an Anthropic API key: ANTHROPIC_API_KEY is not set (export it in the environment Harness runs in)',
        );
      }
      throw new AppError(
        'AGENT_UNAVAILABLE',
        `unknown agent "${wanted}" (available names: ${this.names().join(', ')})`,
      );
    }
    const order =
      input.complex === true ? [...this.defaults.complexity_preferred_agents, ...this.names()] : this.names();
    for (const name of order) {
      const runner = this.get(name);
      if (runner !== undefined && this.checkAvailability(runner).available) return runner;
    }
    throw new AppError(
      'AGENT_UNAVAILABLE',
      'no agent is available: install Claude Code (claude) or Codex (codex), or point [agents.claude] cli_path / [agents.codex] cli_path at them, or set ANTHROPIC_API_KEY',
    );
  }
}

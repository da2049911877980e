import { AppError, type CommandSandbox, type HarnessConfig } from '@agent-harness/core';
import type { AgentRunner } from '../agent-runner.js';
import { findExecutable } from '../process/find-executable.js';
import { noAgentHint, settingOf, type AgentDescriptor } from './agent-descriptor.js';
import { AGENT_DESCRIPTORS, agentDescriptorsOf } from './agent-descriptors.js';

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
 * The agents Harness can run, in preference order (`AGENT_DESCRIPTORS`: claude, codex, then
 * anthropic-api when `ANTHROPIC_API_KEY` is set), and the rules for picking one.
 * @public
 */
export class AgentRegistry {
  constructor(
    private readonly runners: readonly AgentRunner[],
    private readonly checkAvailability: (runner: AgentRunner) => AgentAvailability,
    private readonly defaults: Pick<HarnessConfig['agents'], 'default_agent' | 'complexity_preferred_agents'>,
    /** What Harness knows of each kind of agent (hints, credentials); the runners' own when built from config. */
    readonly descriptors: readonly AgentDescriptor[] = AGENT_DESCRIPTORS,
  ) {}

  /**
   * Registers the agents the configuration and environment describe (one runner per descriptor
   * that can make one here), each starting its runs in `sandbox` (the configured OS sandbox:
   * `ConfiguredSandbox.fromConfig`).
   */
  static fromConfig(
    config: HarnessConfig,
    env: Readonly<Record<string, string | undefined>>,
    cwd: string,
    sandbox: CommandSandbox,
    descriptors: readonly AgentDescriptor[] = agentDescriptorsOf(config),
  ): AgentRegistry {
    const runners = descriptors.flatMap((d) => d.create({ config, env, sandbox }) ?? []);
    const byName = new Map(descriptors.map((d) => [d.name, d]));
    return new AgentRegistry(
      runners,
      (runner) => {
        const descriptor = byName.get(runner.name);
        if (descriptor === undefined) return { name: runner.name, available: true, detail: 'registered' };
        const requires = descriptor.requires;
        if (requires.kind === 'credential')
          return { name: runner.name, available: true, detail: `${requires.env} is set` };
        const command = requires.command(config);
        const found = findExecutable(command, env['PATH'], cwd);
        return found === undefined
          ? {
              name: runner.name,
              available: false,
              detail: `${command} not found (install: ${requires.install}, or set ${settingOf(descriptor)})`,
            }
          : { name: runner.name, available: true, detail: found };
      },
      config.agents,
      descriptors,
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

  /** The descriptor of a kind of agent, registered here or not. */
  descriptor(name: string): AgentDescriptor | undefined {
    return this.descriptors.find((d) => d.name === name);
  }

  /** What to do when no agent is available (see `noAgentHint`). */
  noAgentHint(options: { cliPath?: boolean } = {}): string {
    return noAgentHint(this.descriptors, options);
  }

  /** The credential a known agent that is not registered here lacks, when a credential is what it needs. */
  missingCredential(name: string): { readonly env: string; readonly what: string } | undefined {
    const requires = this.get(name) === undefined ? this.descriptor(name)?.requires : undefined;
    return requires?.kind === 'credential' ? requires : undefined;
  }

  availability(): AgentAvailability[] {
    return this.runners.map(this.checkAvailability);
  }

  /**
   * The agent for a request: the one it names (which must be registered); else, for complex work,
   * the first available of `complexity_preferred_agents`; else the project's, else `[agents]
   * default_agent`; "auto" picks the first available one.
   */
  select(input: SelectAgentInput = {}): AgentRunner {
    const named = input.agent !== undefined && input.agent !== 'auto';
    if (!named && input.complex === true) {
      for (const name of this.defaults.complexity_preferred_agents) {
        const runner = this.get(name);
        if (runner !== undefined && this.checkAvailability(runner).available) return runner;
      }
    }
    const wanted = (named ? input.agent : undefined) ?? input.projectDefault ?? this.defaults.default_agent;
    if (wanted !== 'auto') {
      const runner = this.get(wanted);
      if (runner !== undefined) return runner;
      const missing = this.missingCredential(wanted);
      if (missing !== undefined) {
        throw new AppError(
          'AGENT_UNAVAILABLE',
          `agent "${wanted}" needs ${missing.what}: ${missing.env} is not set (export it in the environment Harness runs in)`,
        );
      }
      throw new AppError(
        'AGENT_UNAVAILABLE',
        `unknown agent "${wanted}" (available names: ${this.names().join(', ')})`,
      );
    }
    for (const runner of this.runners) {
      if (this.checkAvailability(runner).available) return runner;
    }
    throw new AppError('AGENT_UNAVAILABLE', `no agent is available: ${this.noAgentHint({ cliPath: true })}`);
  }
}

import type { CommandSandbox, HarnessConfig } from '@agent-harness/core';
import type { AgentRunner } from '../agent-runner.js';

/** What a descriptor's factory is given to make its runner. @public */
export interface AgentFactoryDeps {
  readonly config: HarnessConfig;
  /** The environment Harness runs with (each agent takes only its allow-list of it). */
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly sandbox: CommandSandbox;
}

/** How an agent becomes available: its CLI on PATH (or at `cli_path`), or a credential in the environment. @public */
export type AgentRequirement =
  | {
      readonly kind: 'cli';
      /** The configured command (`[agents.<key>] cli_path`). */
      readonly command: (config: HarnessConfig) => string;
      /** How to install it, said when it is missing. */
      readonly install: string;
      /** Asks the CLI its version (its first line of output). */
      readonly versionArgs: readonly string[];
      /** Where a user points Harness at it; default `[<configKey>] cli_path`. */
      readonly setting?: string | undefined;
    }
  | {
      readonly kind: 'credential';
      /** The variable that holds it. */
      readonly env: string;
      /** What it is, in a sentence (`an Anthropic API key`). */
      readonly what: string;
    };

/**
 * Everything Harness knows of one kind of agent, in one place: its name, where it is configured,
 * what makes it available, and how to make its runner. The registry, the start-up report and the
 * error messages that list agents all read these; adding an agent is a descriptor (with its runner,
 * its parser and their tests) and its line in `AGENT_DESCRIPTORS`.
 * @public
 */
export interface AgentDescriptor {
  /** The name requests and config use (`agent = "claude"`). */
  readonly name: string;
  /** What people call it (`Claude Code`). */
  readonly title: string;
  /** Its configuration table (`[agents.claude]`). */
  readonly configKey: string;
  readonly requires: AgentRequirement;
  /**
   * Its own state and login under the home directory (`.claude`, `.claude.json`): the sandbox
   * hides every agent's from the others' runs.
   */
  readonly homeState: readonly string[];
  /**
   * The secrets its configuration holds (a key, its `env` table's secret values), and those of the
   * server's environment it is given by name: never logged or stored.
   */
  secrets(config: HarnessConfig, env: Readonly<Record<string, string | undefined>>): readonly (string | undefined)[];
  /** The model its runs use when a task names none (`default_model`): what spend is priced at. */
  defaultModel(config: HarnessConfig): string | undefined;
  /** Its runner, or undefined when it cannot be made here (no credential). */
  create(deps: AgentFactoryDeps): AgentRunner | undefined;
}

/** How one descriptor's agent is made available, in the words of a hint (`install Claude Code (claude)`). */
function howToGet(descriptor: AgentDescriptor): string {
  return descriptor.requires.kind === 'cli'
    ? `install ${descriptor.title} (${descriptor.name})`
    : `set ${descriptor.requires.env}`;
}

/**
 * What to do when no agent is available, from the descriptors: `install Claude Code (claude) or
 * Codex (codex), or set ANTHROPIC_API_KEY`; with `cliPath`, also `or point [agents.claude] cli_path
 * / [agents.codex] cli_path at them`.
 * @public
 */
export function noAgentHint(descriptors: readonly AgentDescriptor[], options: { cliPath?: boolean } = {}): string {
  const clis = descriptors.filter((d) => d.requires.kind === 'cli');
  const installs = clis
    .map(howToGet)
    .join(' or ')
    .replace(/ or install /g, ' or ');
  const paths = clis.map(settingOf).join(' / ');
  const credentials = descriptors.filter((d) => d.requires.kind === 'credential').map(howToGet);
  return [installs, options.cliPath === true && paths !== '' ? `point ${paths} at them` : '', ...credentials]
    .filter((part) => part !== '')
    .join(', or ');
}

/** Where a user points Harness at a CLI agent (`[agents.claude] cli_path`, `[agents.opencode] command`). @public */
export function settingOf(descriptor: AgentDescriptor): string {
  return descriptor.requires.kind === 'cli'
    ? (descriptor.requires.setting ?? `[${descriptor.configKey}] cli_path`)
    : descriptor.requires.env;
}

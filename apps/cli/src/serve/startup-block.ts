import { HARNESS_VERSION } from '@agent-harness/core';
import type { FoundAgents } from './agent-versions.js';
import type { ServeOutput } from './serve-output.js';

/** A project as the start-up block shows it. */
export interface ServedProject {
  readonly name: string;
  readonly root: string;
  readonly isDefault: boolean;
  readonly active: boolean;
}

export interface StartupFacts {
  readonly url: string;
  readonly dataDir: string;
  readonly projects: readonly ServedProject[];
  /** Undefined when they could not be looked for. */
  readonly agents: FoundAgents | undefined;
  /** The OS sandbox's start-up line (`sandboxStatus`). */
  readonly sandbox: { readonly ok: boolean; readonly line: string };
  /** How GitHub is reached (`describeGitHubAuth`): the App (which wins over GITHUB_TOKEN) or the token. */
  readonly github?: { readonly auth: 'app' | 'token'; readonly line: string } | undefined;
}

/**
 * The lines that tell a user where they stand once the server listens: its URL, where its data
 * lives, what it can work on and with which agents, or what to do when something is missing.
 */
export function printStartupBlock(out: ServeOutput, facts: StartupFacts): void {
  out.info(`Harness ${HARNESS_VERSION} listening on ${facts.url}`, { url: facts.url, version: HARNESS_VERSION });
  out.info(`data directory: ${facts.dataDir}`, { data_dir: facts.dataDir });
  if (facts.projects.length === 0)
    out.info('no project yet: add one with --project NAME=PATH or POST /api/projects', { projects: 0 });
  for (const p of facts.projects) {
    const marks = [p.isDefault ? 'default' : undefined, p.active ? undefined : 'inactive'].filter(
      (m) => m !== undefined,
    );
    out.info(`project ${p.name}${marks.length > 0 ? ` (${marks.join(', ')})` : ''}: ${p.root}`, {
      project: p.name,
      root: p.root,
      default: p.isDefault,
      active: p.active,
    });
  }
  out.info(facts.sandbox.line, { sandbox: facts.sandbox.ok ? 'on' : 'off' });
  if (facts.github !== undefined) out.info(`github: ${facts.github.line}`, { github_auth: facts.github.auth });
  const agents = facts.agents?.agents ?? [];
  if (agents.length === 0)
    out.info(`no agent found: ${facts.agents?.noAgentHint ?? 'install an agent CLI (see docs/agents.md)'}`, {
      agents: 0,
    });
  for (const a of agents) {
    out.info(`agent ${a.name}${a.version === undefined ? '' : ` ${a.version}`}: ${a.where}`, {
      agent: a.name,
      agent_version: a.version ?? null,
      where: a.where,
    });
  }
}

import { FAKE_AGENT_BIN_DIR, ScriptedAgentRunner } from '@agent-harness/testing';
import { RESERVED_AGENT_NAMES } from '@agent-harness/core';
import { describe, expect, it } from 'vitest';
import { configFrom } from '../../test/helpers.js';
import { ConfiguredSandbox } from '../sandbox/configured-sandbox.js';
import { noAgentHint, type AgentDescriptor } from './agent-descriptor.js';
import { AGENT_DESCRIPTORS } from './agent-descriptors.js';
import { AgentRegistry } from './agent-registry.js';

const sandbox = ConfiguredSandbox.fromConfig(configFrom(), '/h');

const withFakes = `[agents.claude]\ncli_path = "${FAKE_AGENT_BIN_DIR}/claude"\n[agents.codex]\ncli_path = "${FAKE_AGENT_BIN_DIR}/codex"\n`;

describe('AgentRegistry', () => {
  it('registers claude and codex, and anthropic-api only with ANTHROPIC_API_KEY', () => {
    expect(AgentRegistry.fromConfig(configFrom(withFakes), {}, '/', sandbox).names()).toEqual([
      'claude',
      'codex',
      'opencode',
      'gemini',
    ]);
    const keyed = AgentRegistry.fromConfig(
      {
        ...configFrom(withFakes),
        agents: {
          ...configFrom(withFakes).agents,
          anthropic_api: { ...configFrom().agents.anthropic_api, api_key: 'sk' },
        },
      },
      {},
      '/',
      sandbox,
    );
    expect(keyed.names()).toEqual(['claude', 'codex', 'anthropic-api', 'opencode', 'gemini']);
  });

  it('"auto" picks the first agent whose binary is found', () => {
    const onlyCodex = configFrom(
      `[agents.claude]\ncli_path = "/nope/claude"\n[agents.codex]\ncli_path = "${FAKE_AGENT_BIN_DIR}/codex"\n`,
    );
    const registry = AgentRegistry.fromConfig(onlyCodex, { PATH: '' }, '/', sandbox);
    expect(registry.select().name).toBe('codex');
    expect(registry.availability()).toEqual([
      {
        name: 'claude',
        available: false,
        detail:
          '/nope/claude not found (install: npm install -g @anthropic-ai/claude-code, or set [agents.claude] cli_path)',
      },
      { name: 'codex', available: true, detail: `${FAKE_AGENT_BIN_DIR}/codex` },
      {
        name: 'opencode',
        available: false,
        detail: 'opencode not found (install: npm install -g opencode-ai, or set [agents.opencode] command)',
      },
      {
        name: 'gemini',
        available: false,
        detail: 'gemini not found (install: npm install -g @google/gemini-cli, or set [agents.gemini] command)',
      },
    ]);
    expect(AgentRegistry.fromConfig(configFrom(withFakes), {}, '/', sandbox).select().name).toBe('claude');
  });

  it('finds bare names on PATH', () => {
    const registry = AgentRegistry.fromConfig(configFrom(), { PATH: FAKE_AGENT_BIN_DIR }, '/', sandbox);
    expect(registry.availability().map((a) => a.available)).toEqual([true, true, false, false]);
  });

  it('routes complex work to complexity_preferred_agents unless the task names an agent; honours explicit and project choices', () => {
    const registry = AgentRegistry.fromConfig(
      configFrom(
        `${withFakes}[agents]\ndefault_agent = "claude"\ncomplexity_preferred_agents = ["opencode", "codex", "claude"]\n`,
      ),
      {},
      '/',
      sandbox,
    );
    // opencode is not installed here: the next preferred one that is.
    expect(registry.select({ complex: true }).name).toBe('codex');
    expect(registry.select({ complex: true, agent: 'auto' }).name).toBe('codex');
    // Over the project's agent and default_agent too; only the task's own choice wins.
    expect(registry.select({ complex: true, projectDefault: 'claude' }).name).toBe('codex');
    expect(registry.select({ complex: true, agent: 'claude' }).name).toBe('claude');
    expect(registry.select({ complex: false }).name).toBe('claude');
    expect(registry.select({ agent: 'codex' }).name).toBe('codex');
    expect(registry.select({ projectDefault: 'codex' }).name).toBe('codex');
    expect(registry.select({ agent: 'claude', projectDefault: 'codex' }).name).toBe('claude');
  });

  it('keeps every built-in agent name from [agents.custom.<name>]', () => {
    // The config schema (in core) cannot read the descriptors: its list must name them all.
    expect(RESERVED_AGENT_NAMES).toEqual(expect.arrayContaining(['auto', ...AGENT_DESCRIPTORS.map((d) => d.name)]));
  });

  it('explains unknown agents, a missing API key and an empty machine', () => {
    const registry = AgentRegistry.fromConfig(
      configFrom('[agents.claude]\ncli_path = "/no/claude"\n[agents.codex]\ncli_path = "/no/codex"\n'),
      { PATH: '' },
      '/',
      sandbox,
    );
    expect(() => registry.select({ agent: 'anthropic-api' })).toThrow(
      'agent "anthropic-api" needs an Anthropic API key: ANTHROPIC_API_KEY is not set',
    );
    expect(() => registry.select({ agent: 'gpt-pilot' })).toThrow(
      'unknown agent "gpt-pilot" (available names: claude, codex, opencode, gemini)',
    );
    expect(() => registry.select()).toThrow(/no agent is available/);
  });

  it('says how to get an agent from the descriptors, and takes a new agent from one descriptor', () => {
    expect(noAgentHint(AGENT_DESCRIPTORS)).toBe(
      'install Claude Code (claude) or Codex (codex) or OpenCode (opencode) or Gemini CLI (gemini), or set ANTHROPIC_API_KEY',
    );
    expect(noAgentHint(AGENT_DESCRIPTORS, { cliPath: true })).toBe(
      'install Claude Code (claude) or Codex (codex) or OpenCode (opencode) or Gemini CLI (gemini), or point [agents.claude] cli_path / [agents.codex] cli_path / [agents.opencode] command / [agents.gemini] command at them, or set ANTHROPIC_API_KEY',
    );
    // Another agent: its descriptor is all the registry, the hints and the version probe read.
    const pilot: AgentDescriptor = {
      name: 'pilot',
      title: 'Pilot',
      configKey: 'agents.pilot',
      requires: {
        kind: 'cli',
        command: () => `${FAKE_AGENT_BIN_DIR}/claude`,
        install: 'npm i -g pilot',
        versionArgs: ['-V'],
      },
      homeState: ['.pilot'],
      secrets: () => [],
      defaultModel: () => undefined,
      create: () => new ScriptedAgentRunner('pilot', []),
    };
    const keyless: AgentDescriptor = {
      name: 'keyless',
      title: 'Keyless',
      configKey: 'agents.keyless',
      requires: { kind: 'credential', env: 'KEYLESS_TOKEN', what: 'a Keyless token' },
      homeState: [],
      secrets: () => [],
      defaultModel: () => undefined,
      create: () => undefined,
    };
    const registry = AgentRegistry.fromConfig(configFrom(), {}, '/', sandbox, [pilot, keyless]);
    expect(registry.names()).toEqual(['pilot']);
    expect(registry.availability()).toEqual([
      { name: 'pilot', available: true, detail: `${FAKE_AGENT_BIN_DIR}/claude` },
    ]);
    expect(registry.select().name).toBe('pilot');
    expect(registry.descriptor('pilot')?.requires).toMatchObject({ versionArgs: ['-V'] });
    expect(registry.noAgentHint()).toBe('install Pilot (pilot), or set KEYLESS_TOKEN');
    expect(registry.missingCredential('keyless')).toEqual({
      kind: 'credential',
      env: 'KEYLESS_TOKEN',
      what: 'a Keyless token',
    });
    expect(registry.missingCredential('pilot')).toBeUndefined();
    expect(() => registry.select({ agent: 'keyless' })).toThrow(
      'agent "keyless" needs a Keyless token: KEYLESS_TOKEN is not set (export it in the environment Harness runs in)',
    );
  });
});

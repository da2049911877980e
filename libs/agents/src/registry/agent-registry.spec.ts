import { FAKE_AGENT_BIN_DIR } from '@agent-harness/testing';
import { describe, expect, it } from 'vitest';
import { configFrom } from '../../test/helpers.js';
import { ConfiguredSandbox } from '../sandbox/configured-sandbox.js';
import { AgentRegistry } from './agent-registry.js';

const sandbox = ConfiguredSandbox.fromConfig(configFrom(), '/h');

const withFakes = `[agents.claude]\ncli_path = "${FAKE_AGENT_BIN_DIR}/claude"\n[agents.codex]\ncli_path = "${FAKE_AGENT_BIN_DIR}/codex"\n`;

describe('AgentRegistry', () => {
  it('registers claude and codex, and anthropic-api only with ANTHROPIC_API_KEY', () => {
    expect(AgentRegistry.fromConfig(configFrom(withFakes), {}, '/', sandbox).names()).toEqual(['claude', 'codex']);
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
    expect(keyed.names()).toEqual(['claude', 'codex', 'anthropic-api']);
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
    ]);
    expect(AgentRegistry.fromConfig(configFrom(withFakes), {}, '/', sandbox).select().name).toBe('claude');
  });

  it('finds bare names on PATH', () => {
    const registry = AgentRegistry.fromConfig(configFrom(), { PATH: FAKE_AGENT_BIN_DIR }, '/', sandbox);
    expect(registry.availability().map((a) => a.available)).toEqual([true, true]);
  });

  it('routes complex work to complexity_preferred_agents, and honours explicit and project choices', () => {
    const registry = AgentRegistry.fromConfig(
      configFrom(`${withFakes}[agents]\ncomplexity_preferred_agents = ["codex", "claude"]\n`),
      {},
      '/',
      sandbox,
    );
    expect(registry.select({ complex: true }).name).toBe('codex');
    expect(registry.select({ complex: false }).name).toBe('claude');
    expect(registry.select({ agent: 'codex' }).name).toBe('codex');
    expect(registry.select({ projectDefault: 'codex' }).name).toBe('codex');
    expect(registry.select({ agent: 'claude', projectDefault: 'codex' }).name).toBe('claude');
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
      'unknown agent "gpt-pilot" (available names: claude, codex)',
    );
    expect(() => registry.select()).toThrow(/no agent is available/);
  });
});

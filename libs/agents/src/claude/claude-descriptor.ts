import { secretValues } from '@agent-harness/core';
import type { AgentDescriptor } from '../registry/agent-descriptor.js';
import { CLAUDE_INSTALL_HINT, ClaudeCodeAgentRunner } from './claude-code-agent-runner.js';

/** Claude Code: the `claude` CLI, `[agents.claude]`. @public */
export const CLAUDE_DESCRIPTOR: AgentDescriptor = {
  name: 'claude',
  title: 'Claude Code',
  configKey: 'agents.claude',
  requires: {
    kind: 'cli',
    command: (config) => config.agents.claude.cli_path,
    install: CLAUDE_INSTALL_HINT,
    versionArgs: ['--version'],
  },
  homeState: ['.claude', '.claude.json'],
  secrets: (config) => secretValues(config.agents.claude.env, []),
  defaultModel: (config) => config.agents.claude.default_model,
  create: ({ config, env, sandbox }) =>
    new ClaudeCodeAgentRunner({
      config: config.agents.claude,
      sandboxMode: config.agents.sandbox_mode,
      approvalPolicy: config.agents.approval_policy,
      baseEnv: env,
      sandbox,
    }),
};

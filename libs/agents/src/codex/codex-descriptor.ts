import { secretValues } from '@agent-harness/core';
import type { AgentDescriptor } from '../registry/agent-descriptor.js';
import { CODEX_INSTALL_HINT, CodexAgentRunner } from './codex-agent-runner.js';

/** Codex: the `codex` CLI, `[agents.codex]`. @public */
export const CODEX_DESCRIPTOR: AgentDescriptor = {
  name: 'codex',
  title: 'Codex',
  configKey: 'agents.codex',
  requires: {
    kind: 'cli',
    command: (config) => config.agents.codex.cli_path,
    install: CODEX_INSTALL_HINT,
    versionArgs: ['--version'],
  },
  homeState: ['.codex'],
  secrets: (config) => secretValues(config.agents.codex.env, []),
  defaultModel: (config) => config.agents.codex.default_model,
  create: ({ config, env, sandbox }) =>
    new CodexAgentRunner({
      config: config.agents.codex,
      sandboxMode: config.agents.sandbox_mode,
      approvalPolicy: config.agents.approval_policy,
      baseEnv: env,
      sandbox,
    }),
};

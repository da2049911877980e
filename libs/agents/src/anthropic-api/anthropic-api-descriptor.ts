import type { AgentDescriptor } from '../registry/agent-descriptor.js';
import { AnthropicApiAgentRunner } from './anthropic-api-agent-runner.js';

/** The Anthropic Messages API with Harness's own tool loop, `[agents.anthropic_api]`: needs its key. @public */
export const ANTHROPIC_API_DESCRIPTOR: AgentDescriptor = {
  name: 'anthropic-api',
  title: 'the Anthropic API',
  configKey: 'agents.anthropic_api',
  requires: { kind: 'credential', env: 'ANTHROPIC_API_KEY', what: 'an Anthropic API key' },
  // Harness's own loop: no state of its own under the home directory.
  homeState: [],
  secrets: (config) => [config.agents.anthropic_api.api_key],
  defaultModel: (config) => config.agents.anthropic_api.default_model,
  create: ({ config, env, sandbox }) => {
    const apiKey = config.agents.anthropic_api.api_key;
    return apiKey === undefined
      ? undefined
      : new AnthropicApiAgentRunner({
          config: config.agents.anthropic_api,
          apiKey,
          baseEnv: env,
          sandboxMode: config.agents.sandbox_mode,
          approvalPolicy: config.agents.approval_policy,
          sandbox,
        });
  },
};

import { secretValues, type AgentEnvAllowance, type HarnessConfig } from '@agent-harness/core';
import type { AgentDescriptor } from '../registry/agent-descriptor.js';
import { AcpAgentRunner, jsonStringsUnder, type AcpAgentConfig, type AcpAgentRunnerDeps } from './acp-agent-runner.js';

/** What differs between agents spoken to over ACP; the rest of a descriptor follows from it. */
interface AcpAgentKind {
  readonly name: string;
  readonly title: string;
  readonly configKey: string;
  readonly install: string;
  readonly versionArgs: readonly string[];
  readonly homeState: readonly string[];
  readonly allowance: AgentEnvAllowance;
  readonly domains: readonly string[];
  readonly config: (config: HarnessConfig) => AcpAgentConfig & { readonly command: readonly string[] };
  /** The agent's own setting that stops its commands, for an agent that runs them without asking. */
  readonly withoutCommands?: AcpAgentRunnerDeps['withoutCommands'];
}

function acpDescriptor(kind: AcpAgentKind): AgentDescriptor {
  return {
    name: kind.name,
    title: kind.title,
    configKey: kind.configKey,
    requires: {
      kind: 'cli',
      command: (config) => kind.config(config).command[0] ?? '',
      install: kind.install,
      versionArgs: kind.versionArgs,
      setting: `[${kind.configKey}] command`,
    },
    homeState: kind.homeState,
    secrets: (config, serverEnv) => {
      const { env, credentials } = kind.config(config);
      // A JSON config in the env (`OPENCODE_CONFIG_CONTENT`) may hold a key: `apiKey`, `token`…
      const inJson = Object.values(env).flatMap((value) => jsonStringsUnder(value, /key|token|secret|passw/i));
      // The server's variables it is given by name are its keys, whatever the names say.
      return secretValues(env, [...inJson, ...credentials.map((name) => serverEnv[name])]);
    },
    defaultModel: (config) => kind.config(config).default_model,
    create: ({ config, env, sandbox }) =>
      new AcpAgentRunner({
        name: kind.name,
        configKey: `[${kind.configKey}] command`,
        installHint: kind.install,
        config: kind.config(config),
        sandboxMode: config.agents.sandbox_mode,
        approvalPolicy: config.agents.approval_policy,
        withoutCommands: kind.withoutCommands,
        baseEnv: env,
        allowance: kind.allowance,
        homeState: kind.homeState,
        domains: kind.domains,
        sandbox,
      }),
  };
}

/**
 * OpenCode (`opencode acp`), `[agents.opencode]`. It takes its own settings (`OPENCODE_*`) from the
 * server's environment; its provider's key is named in `credentials` (`["ANTHROPIC_API_KEY"]`).
 * @public
 */
export const OPENCODE_DESCRIPTOR: AgentDescriptor = acpDescriptor({
  name: 'opencode',
  title: 'OpenCode',
  configKey: 'agents.opencode',
  install: 'npm install -g opencode-ai',
  versionArgs: ['--version'],
  homeState: ['.local/share/opencode', '.local/state/opencode', '.config/opencode', '.cache/opencode'],
  allowance: { names: [], prefixes: ['OPENCODE_'] },
  domains: ['opencode.ai', 'models.dev', 'api.anthropic.com', 'api.openai.com', 'openrouter.ai'],
  config: (config) => config.agents.opencode,
  // OpenCode runs its bash tool without asking (its default permission is allow): denied in its
  // inline config, kept with whatever else the user's inline config says.
  withoutCommands: (env) => {
    let inline: Record<string, unknown> = {};
    try {
      const parsed: unknown = JSON.parse(env['OPENCODE_CONFIG_CONTENT'] ?? '{}');
      if (typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed))
        inline = parsed as Record<string, unknown>;
    } catch {
      // Not JSON: replaced by one that is.
    }
    const permission = inline['permission'];
    const rules = typeof permission === 'object' && permission !== null ? permission : {};
    return { OPENCODE_CONFIG_CONTENT: JSON.stringify({ ...inline, permission: { ...rules, bash: 'deny' } }) };
  },
});

/**
 * Gemini CLI (`gemini --experimental-acp`), `[agents.gemini]`: its key (`GEMINI_API_KEY`), Google
 * Cloud settings and `GEMINI_*` come from the server's environment.
 * @public
 */
export const GEMINI_DESCRIPTOR: AgentDescriptor = acpDescriptor({
  name: 'gemini',
  title: 'Gemini CLI',
  configKey: 'agents.gemini',
  install: 'npm install -g @google/gemini-cli',
  versionArgs: ['--version'],
  homeState: ['.gemini'],
  allowance: {
    names: [
      'GOOGLE_API_KEY',
      'GOOGLE_GEMINI_BASE_URL',
      'GOOGLE_CLOUD_PROJECT',
      'GOOGLE_CLOUD_LOCATION',
      'GOOGLE_GENAI_USE_VERTEXAI',
      'GOOGLE_APPLICATION_CREDENTIALS',
    ],
    prefixes: ['GEMINI_'],
  },
  domains: [
    'generativelanguage.googleapis.com',
    'cloudcode-pa.googleapis.com',
    'oauth2.googleapis.com',
    'play.googleapis.com',
  ],
  config: (config) => config.agents.gemini,
});

/**
 * The agents defined in `[agents.custom.<name>]`: each gets only the base environment, its
 * `credentials` and its `env`, and reaches only its `domains` and the URLs its `env` names.
 * @public
 */
export function customAgentDescriptors(config: HarnessConfig): AgentDescriptor[] {
  return Object.entries(config.agents.custom).map(([name, custom]) =>
    acpDescriptor({
      name,
      title: custom.title ?? name,
      configKey: `agents.custom.${name}`,
      install: `see ${name}'s own documentation`,
      versionArgs: custom.version_args,
      homeState: custom.home_state,
      allowance: { names: [], prefixes: [] },
      domains: [],
      config: (current) => current.agents.custom[name] ?? custom,
    }),
  );
}

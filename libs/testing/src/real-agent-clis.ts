import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';

/** The versions the contract tests are written against (tools/agent-clis/package.json). @public */
export const REAL_AGENT_CLI_VERSIONS = {
  claude: '2.1.330',
  codex: '0.169.0',
  opencode: '1.18.33',
  gemini: '0.61.0',
  'claude-code-acp': '0.16.2',
} as const;

/** Where tools/agent-clis/install.sh puts the real CLIs. @public */
export function realAgentClisDir(env: Readonly<Record<string, string | undefined>> = process.env): string {
  return env['HARNESS_AGENT_CLIS_DIR'] ?? join(homedir(), '.cache', 'harness', 'agent-clis');
}

/** The installed real CLIs, or why they cannot be used. @public */
export type RealAgentClis = { readonly claude: string; readonly codex: string } | { readonly missing: string };

/** Finds the real Claude Code and Codex binaries at their pinned versions. @public */
export function findRealAgentClis(env: Readonly<Record<string, string | undefined>> = process.env): RealAgentClis {
  const bin = join(realAgentClisDir(env), 'node_modules', '.bin');
  const claude = join(bin, 'claude');
  const codex = join(bin, 'codex');
  const missing = unpinned('claude', claude) ?? unpinned('codex', codex);
  return missing === undefined ? { claude, codex } : { missing };
}

/** Why the CLI at `path` is not the pinned one (absent, or another `--version`), or undefined. */
function unpinned(name: 'claude' | 'codex' | 'opencode' | 'gemini', path: string): string | undefined {
  if (!existsSync(path)) return `${name} is not installed at ${path}; run tools/agent-clis/install.sh`;
  const version = execFileSync(path, ['--version'], { encoding: 'utf8', timeout: 30_000 }).trim();
  return version.includes(REAL_AGENT_CLI_VERSIONS[name])
    ? undefined
    : `${path} is "${version}", not ${REAL_AGENT_CLI_VERSIONS[name]}; rerun tools/agent-clis/install.sh`;
}

/**
 * Environment that keeps the real Claude Code offline and pointed at a local Messages API server:
 * no telemetry, no update checks, one retry, and `IS_SANDBOX` so it accepts full access as root.
 * @public
 */
export function realClaudeEnv(serverUrl: string, home: string): Record<string, string> {
  return {
    HOME: home,
    ANTHROPIC_BASE_URL: serverUrl,
    ANTHROPIC_API_KEY: 'sk-ant-contract-test',
    DISABLE_TELEMETRY: '1',
    CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: '1',
    DISABLE_AUTOUPDATER: '1',
    CLAUDE_CODE_MAX_RETRIES: '1',
    IS_SANDBOX: '1',
  };
}

/** `-c` overrides that point the real Codex at a local Responses API server, without retries. @public */
export function realCodexArgs(serverUrl: string): string[] {
  return [
    '-c',
    'model_provider=fake',
    '-c',
    `model_providers.fake={name="fake",base_url="${serverUrl}/v1",wire_api="responses",env_key="FAKE_OPENAI_KEY",request_max_retries=0,stream_max_retries=0}`,
    '-c',
    'analytics.enabled=false',
    '-c',
    'check_for_update_on_startup=false',
  ];
}

/** Environment for the real Codex: its own home and the key its local provider reads. @public */
export function realCodexEnv(home: string): Record<string, string> {
  return { HOME: home, CODEX_HOME: home, FAKE_OPENAI_KEY: 'sk-contract-test' };
}

/** The installed real ACP agents, or why they cannot be used. @public */
export type RealAcpAgents =
  { readonly opencode: string; readonly gemini: string; readonly claudeCodeAcp: string } | { readonly missing: string };

/** Finds OpenCode, Gemini CLI and `claude-code-acp` at their pinned versions. @public */
export function findRealAcpAgents(env: Readonly<Record<string, string | undefined>> = process.env): RealAcpAgents {
  const modules = join(realAgentClisDir(env), 'node_modules');
  const bin = join(modules, '.bin');
  const found = {
    opencode: join(bin, 'opencode'),
    gemini: join(bin, 'gemini'),
    claudeCodeAcp: join(bin, 'claude-code-acp'),
  };
  const missing = unpinned('opencode', found.opencode) ?? unpinned('gemini', found.gemini);
  if (missing !== undefined) return { missing };
  const acpPackage = join(modules, '@zed-industries', 'claude-code-acp', 'package.json');
  if (!existsSync(found.claudeCodeAcp) || !existsSync(acpPackage))
    return { missing: `claude-code-acp is not installed at ${found.claudeCodeAcp}; run tools/agent-clis/install.sh` };
  const { version } = JSON.parse(readFileSync(acpPackage, 'utf8')) as { version?: string };
  if (version !== REAL_AGENT_CLI_VERSIONS['claude-code-acp'])
    return {
      missing: `claude-code-acp is ${String(version)}, not ${REAL_AGENT_CLI_VERSIONS['claude-code-acp']}; rerun tools/agent-clis/install.sh`,
    };
  return found;
}

/**
 * OpenCode's configuration (for `OPENCODE_CONFIG_CONTENT`) that keeps it offline and sends its
 * Anthropic provider to a local Messages API server. @public
 */
export function realOpenCodeConfig(serverUrl: string): string {
  return JSON.stringify({
    $schema: 'https://opencode.ai/config.json',
    model: 'anthropic/claude-sonnet-4-5',
    small_model: 'anthropic/claude-sonnet-4-5',
    provider: { anthropic: { options: { baseURL: `${serverUrl}/v1`, apiKey: 'sk-ant-contract-test' } } },
    autoupdate: false,
    share: 'disabled',
  });
}

/** Environment for the real OpenCode: its config, no models.dev fetch, no update check. @public */
export function realOpenCodeEnv(serverUrl: string, home: string): Record<string, string> {
  return {
    HOME: home,
    OPENCODE_CONFIG_CONTENT: realOpenCodeConfig(serverUrl),
    OPENCODE_DISABLE_MODELS_FETCH: '1',
    OPENCODE_DISABLE_AUTOUPDATE: '1',
    OPENCODE_DISABLE_DEFAULT_PLUGINS: '1',
  };
}

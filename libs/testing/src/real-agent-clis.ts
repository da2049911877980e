import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';

/** The versions the contract tests are written against (tools/agent-clis/package.json). @public */
export const REAL_AGENT_CLI_VERSIONS = { claude: '2.1.330', codex: '0.169.0' } as const;

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
  for (const [name, path] of [
    ['claude', claude],
    ['codex', codex],
  ] as const) {
    if (!existsSync(path)) return { missing: `${name} is not installed at ${path}; run tools/agent-clis/install.sh` };
    const version = execFileSync(path, ['--version'], { encoding: 'utf8', timeout: 30_000 }).trim();
    if (!version.includes(REAL_AGENT_CLI_VERSIONS[name]))
      return {
        missing: `${path} is "${version}", not ${REAL_AGENT_CLI_VERSIONS[name]}; rerun tools/agent-clis/install.sh`,
      };
  }
  return { claude, codex };
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

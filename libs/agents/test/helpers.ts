import { existsSync, readFileSync } from 'node:fs';
import { resolveConfig, type AgentEvent, type HarnessConfig } from '@agent-harness/core';
import { lastValueFrom, toArray } from 'rxjs';
import type { AgentResult, AgentRun } from '../src/agent-runner.js';
import { isProcessGroupAlive } from '../src/process/process-group.js';

/** A resolved configuration from TOML text. */
export function configFrom(toml = ''): HarnessConfig {
  const result = resolveConfig({ file: { path: '/cfg/h.toml', text: toml }, env: {}, homeDir: '/h', cwd: '/' });
  if (!result.ok) throw result.error;
  return result.value;
}

/** Waits for a run to end and returns every event it emitted with its result. */
export async function finished(run: AgentRun): Promise<{ events: AgentEvent[]; result: AgentResult }> {
  const [events, result] = await Promise.all([lastValueFrom(run.events$.pipe(toArray())), run.result]);
  return { events, result };
}

/** True while the process with this PID exists. */
export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Waits (bounded) for a file to appear and returns its content. */
export async function waitForFile(path: string, ms = 10_000): Promise<string> {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    if (existsSync(path)) {
      const text = readFileSync(path, 'utf8');
      if (text !== '') return text;
    }
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error(`${path} did not appear within ${String(ms)} ms`);
}

/** Harness's own secrets and every provider's credentials, each with a value naming itself. */
export const CREDENTIAL_CANARIES: Readonly<Record<string, string>> = Object.fromEntries(
  [
    'GITHUB_TOKEN', 'GH_TOKEN', 'GH_ENTERPRISE_TOKEN', 'HARNESS_API_TOKEN', 'HARNESS_GITHUB_WEBHOOK_SECRET',
    'ANTHROPIC_API_KEY', 'ANTHROPIC_AUTH_TOKEN', 'CLAUDE_CODE_OAUTH_TOKEN', 'OPENAI_API_KEY', 'CODEX_API_KEY', 'AZURE_OPENAI_API_KEY',
  ].map((name) => [name, `canary-${name}`]),
);

/** The environment written by `env -0 > path` (NUL-separated, so values may hold newlines). */
export function readEnvDump(path: string): Record<string, string> {
  const env: Record<string, string> = {};
  for (const entry of readFileSync(path, 'utf8').split('\0')) {
    const eq = entry.indexOf('=');
    if (eq > 0) env[entry.slice(0, eq)] = entry.slice(eq + 1);
  }
  return env;
}

/** The canaries whose value shows up anywhere in `env`, under any name. */
export function leakedCanaries(env: Readonly<Record<string, string>>): string[] {
  const values = Object.values(env).join('\n');
  return Object.keys(CREDENTIAL_CANARIES).filter((name) => values.includes(`canary-${name}`));
}

export { isProcessGroupAlive };

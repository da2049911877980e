import { execFileSync } from 'node:child_process';
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

/**
 * True while the process with this PID runs. A zombie does not: it has ended, and waits for its
 * parent or init to reap it (Harness's own waits do not wait for that either).
 */
export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  return isRunning(pid);
}

/** Running: the process exists and is not a zombie. */
export function isRunning(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${String(pid)}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return false;
  }
}

/**
 * The shell command an agent runs to leave a `sleep 300` behind in a session (and process group) of
 * its own, working in `cwd`; it writes the sleep's PID to `pidFile`.
 */
export function escapeWithSetsid(pidFile: string, cwd = '/', prefix = ''): string {
  return `(cd ${cwd} && ${prefix} exec setsid sleep 300) >/dev/null 2>&1 & echo $! > ${pidFile}`;
}

/**
 * Starts such an escaped `sleep 300` from a short-lived shell with `env`; returns its PID once it
 * runs `sleep`. `$!` names the subshell before it has changed directory and exec'd: a test that
 * removed the directory or scanned for the process at that moment raced it.
 */
export function escapedSleep(cwd: string, env: Record<string, string> = {}, prefix = ''): number {
  const out = execFileSync('bash', ['-c', `(cd ${cwd} && ${prefix} exec setsid sleep 300) >/dev/null 2>&1 & echo $!`], {
    cwd,
    env: { PATH: process.env['PATH'] ?? '', ...env },
    encoding: 'utf8',
  });
  const pid = Number(out.trim());
  const pause = new Int32Array(new SharedArrayBuffer(4));
  for (const deadline = Date.now() + 10_000; commandOf(pid) !== 'sleep'; Atomics.wait(pause, 0, 0, 10)) {
    if (Date.now() > deadline || !isRunning(pid))
      throw new Error(`the escaped sleep (PID ${String(pid)}) did not start`);
  }
  return pid;
}

function commandOf(pid: number): string | undefined {
  try {
    return readFileSync(`/proc/${String(pid)}/comm`, 'utf8').trim();
  } catch {
    return undefined;
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

/**
 * Harness's own secrets, every provider's credentials and other secrets a server's environment
 * holds (database URLs, cloud keys, registry tokens), each with a value naming itself.
 */
export const CREDENTIAL_CANARIES: Readonly<Record<string, string>> = Object.fromEntries(
  [
    'GITHUB_TOKEN',
    'GH_TOKEN',
    'GH_ENTERPRISE_TOKEN',
    'HARNESS_API_TOKEN',
    'HARNESS_GITHUB_WEBHOOK_SECRET',
    'HARNESS_DATABASE_URL',
    'DATABASE_URL',
    'AWS_ACCESS_KEY_ID',
    'AWS_SECRET_ACCESS_KEY',
    'AWS_SESSION_TOKEN',
    'GOOGLE_APPLICATION_CREDENTIALS',
    'AZURE_CLIENT_SECRET',
    'NPM_TOKEN',
    'SSH_AUTH_SOCK',
    'SOME_SERVER_SECRET',
    'ANTHROPIC_API_KEY',
    'ANTHROPIC_AUTH_TOKEN',
    'CLAUDE_CODE_OAUTH_TOKEN',
    'OPENAI_API_KEY',
    'CODEX_API_KEY',
    'AZURE_OPENAI_API_KEY',
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

import { execFile } from 'node:child_process';
import { accessSync, constants, existsSync, statfsSync } from 'node:fs';
import { connect } from 'node:net';
import { dirname } from 'node:path';
import { AppError, commandEnv, type HarnessConfig } from '@agent-harness/core';
import { GitHubAppCredentials } from '@agent-harness/github';
import { describeGitHubAuth, readGitHubAppKey } from '@agent-harness/runtime/config';
import type { CliContext } from '../cli-context.js';
import { loadConfigFromFlags, withConfigOptions, type ConfigFlags } from '../config-options.js';
import type { CommandBody } from '../lazy-command.js';
import { findAgents, sandboxStatus } from '../serve/agent-versions.js';

/** `ok`: works; `warn`: works, with something the user may want; `fix`: needed and missing. */
type Level = 'ok' | 'warn' | 'fix';

interface Check {
  readonly level: Level;
  readonly what: string;
  /** What was found, or what to do about it. */
  readonly text: string;
}

/** Long enough for a program or a host to answer, short enough for a doctor run to stay quick. */
const PROBE_TIMEOUT_MS = 5000;
/** Less free room than this in data_dir fills up with a few worktrees. */
const LOW_SPACE_BYTES = 2 * 1024 ** 3;

const check = (level: Level, what: string, text: string): Check => ({ level, what, text });

function gitCheck(env: CliContext['env']): Promise<Check> {
  return new Promise((resolve) => {
    execFile('git', ['--version'], { env: commandEnv(env), timeout: PROBE_TIMEOUT_MS }, (error, stdout) => {
      resolve(
        error === null
          ? check('ok', 'git', stdout.trim())
          : check('fix', 'git', 'not found on PATH: install git (2.25 or later)'),
      );
    });
  });
}

function gib(bytes: number): string {
  return `${(bytes / 1024 ** 3).toFixed(1)} GiB`;
}

/** data_dir: writable (or creatable), with room for worktrees. Nothing is created. */
function dataDirCheck(dataDir: string): Check {
  let existing = dataDir;
  while (!existsSync(existing) && dirname(existing) !== existing) existing = dirname(existing);
  try {
    accessSync(existing, constants.W_OK);
  } catch {
    return check('fix', 'data_dir', `${dataDir}: ${existing} is not writable by this user ([server] data_dir)`);
  }
  const made = existing === dataDir ? '' : ' (made at the first start)';
  let free: number | undefined;
  try {
    const stats = statfsSync(existing);
    free = stats.bavail * stats.bsize;
  } catch {
    free = undefined;
  }
  if (free === undefined) return check('ok', 'data_dir', `${dataDir}${made}`);
  return free < LOW_SPACE_BYTES
    ? check('warn', 'data_dir', `${dataDir}${made}: only ${gib(free)} free; each task's worktree takes room`)
    : check('ok', 'data_dir', `${dataDir}${made}: ${gib(free)} free`);
}

/** PostgreSQL (fleet mode): the server answers on its port. SQLite lives in data_dir. */
async function databaseCheck(config: HarnessConfig): Promise<Check> {
  if (config.database.url === undefined) return check('ok', 'database', 'SQLite in data_dir');
  let url: URL;
  try {
    url = new URL(config.database.url);
  } catch {
    return check('fix', 'database', '[database] url is not a URL');
  }
  // A Unix socket (`?host=/run/postgresql`) is not probed here: `serve` says whether it answers.
  const socketHost = url.searchParams.get('host');
  if (socketHost?.startsWith('/') === true)
    return check('ok', 'database', `PostgreSQL on the socket in ${socketHost} (not probed)`);
  // An IPv6 host comes bracketed in a URL, not in a connect call.
  const host = url.hostname === '' ? '127.0.0.1' : url.hostname.replace(/^\[(.*)\]$/, '$1');
  const port = Number(url.port === '' ? '5432' : url.port);
  const reached = await new Promise<string | undefined>((resolve) => {
    const socket = connect({ host, port, timeout: PROBE_TIMEOUT_MS });
    socket.once('connect', () => {
      socket.destroy();
      resolve(undefined);
    });
    socket.once('timeout', () => {
      socket.destroy();
      resolve('no answer');
    });
    socket.once('error', (error: NodeJS.ErrnoException) => {
      resolve(error.code ?? error.message);
    });
  });
  // The URL's password is never shown: host and port say which server.
  return reached === undefined
    ? check('ok', 'database', `PostgreSQL at ${host}:${String(port)} answers`)
    : check('fix', 'database', `PostgreSQL at ${host}:${String(port)}: ${reached}; start it, or fix [database] url`);
}

/**
 * `[github.app]`: which App, that its key is readable and GitHub takes the JWT it signs (`GET
 * /app`); the key is never printed, only its path. The App wins over a GITHUB_TOKEN set too.
 */
async function githubAppChecks(config: HarnessConfig): Promise<Check[]> {
  const line = describeGitHubAuth(config);
  const app = config.github.app;
  let privateKey: string | undefined;
  try {
    privateKey = readGitHubAppKey(config);
  } catch (error) {
    return [check('fix', 'github', error instanceof Error ? error.message : String(error))];
  }
  if (app === undefined || privateKey === undefined) return [check('warn', 'github', line)];
  const credentials = new GitHubAppCredentials(
    { appId: app.app_id, privateKey, installationId: app.installation_id },
    { apiUrl: config.github.api_url },
  );
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<'timeout'>((resolve) => {
    timer = setTimeout(() => {
      resolve('timeout');
    }, PROBE_TIMEOUT_MS);
  });
  try {
    const known = await Promise.race([credentials.appInfo(), timeout]);
    if (known === 'timeout')
      return [check('warn', 'github', `${line}: key readable; ${config.github.api_url} did not answer`)];
    return [check('ok', 'github', `${line}: key readable, GitHub knows the App as ${known.name || known.slug || '?'}`)];
  } catch (error) {
    return error instanceof AppError && error.code === 'GITHUB_UNAUTHORIZED'
      ? [check('fix', 'github', error.message)]
      : [check('warn', 'github', `${line}: key readable; ${error instanceof Error ? error.message : String(error)}`)];
  } finally {
    clearTimeout(timer);
  }
}

/** The GitHub token: whose it is and its scopes, asked of the API; absent is fine for prompt tasks. */
async function githubChecks(config: HarnessConfig): Promise<Check[]> {
  const checks: Check[] = [];
  // The App wins: GITHUB_TOKEN, if set too, is not what Harness uses (the App's line says so).
  if (config.github.app !== undefined) return [...(await githubAppChecks(config)), ...webhookSecretCheck(config)];
  const token = config.github.token;
  if (token === undefined) {
    checks.push(
      check('warn', 'github', 'no GITHUB_TOKEN: issue and pull request tasks, pull requests and reviews need one'),
    );
  } else {
    try {
      const response = await fetch(`${config.github.api_url.replace(/\/+$/, '')}/user`, {
        headers: { authorization: `Bearer ${token}`, accept: 'application/vnd.github+json' },
        signal: AbortSignal.timeout(PROBE_TIMEOUT_MS),
        redirect: 'manual',
      });
      const body = (await response.json().catch(() => ({}))) as { login?: unknown };
      const scopes = response.headers.get('x-oauth-scopes');
      if (response.status === 401)
        checks.push(check('fix', 'github', 'GITHUB_TOKEN is refused by GitHub: make a new one'));
      else if (!response.ok) checks.push(check('warn', 'github', `GET /user answered ${String(response.status)}`));
      else
        checks.push(
          check(
            scopes === null || scopes.split(',').some((s) => s.trim() === 'repo') ? 'ok' : 'warn',
            'github',
            `token of ${typeof body.login === 'string' ? body.login : '?'}${scopes === null ? ' (fine-grained: give it contents, issues and pull requests, read and write)' : `, scopes: ${scopes === '' ? 'none' : scopes}${scopes.split(',').some((s) => s.trim() === 'repo') ? '' : ' (pull requests need "repo")'}`}`,
          ),
        );
    } catch {
      checks.push(check('warn', 'github', `${config.github.api_url} did not answer`));
    }
    checks.push(...webhookSecretCheck(config));
  }
  return checks;
}

/** With GitHub access, webhooks want their secret. */
function webhookSecretCheck(config: HarnessConfig): Check[] {
  return config.server.github_webhook_secret === undefined
    ? [
        check(
          'warn',
          'webhooks',
          'no [server] github_webhook_secret (or HARNESS_GITHUB_WEBHOOK_SECRET): POST /webhook refuses deliveries; issue intake by polling still works',
        ),
      ]
    : [];
}

/** Every check, in the order a new user would fix them. */
async function runChecks(config: HarnessConfig, ctx: CliContext): Promise<Check[]> {
  const checks: Check[] = [
    check(
      'ok',
      'config',
      `${String(config.projects.length)} project(s)${config.projects.length === 0 ? ' (add [[projects]] or --project NAME=PATH)' : `: ${config.projects.map((p) => p.name).join(', ')}`}`,
    ),
  ];
  if (config.projects.length === 0)
    checks[0] = check('warn', 'config', 'no projects: add [[projects]] or pass --project NAME=PATH');
  checks.push(await gitCheck(ctx.env));
  const { agents, noAgentHint, missingCustom } = await findAgents(config, ctx.env, ctx.cwd);
  for (const agent of agents)
    checks.push(
      // The sandbox gives each agent a private /tmp: a program there is not found inside it.
      config.agents.sandbox_mode !== 'danger-full-access' &&
        /^\/(var\/)?tmp\//.test(agent.where) &&
        !config.sandbox.allow_write.some((dir) => agent.where.startsWith(`${dir.replace(/\/+$/, '')}/`))
        ? check(
            'fix',
            `agent ${agent.name}`,
            `${agent.where} is under /tmp, which the sandbox gives every agent privately (its runs would not find it): move it, or list its folder in [sandbox] allow_write`,
          )
        : check('ok', `agent ${agent.name}`, `${agent.version ?? 'version unknown'} (${agent.where})`),
    );
  // An agent the file defines is one the user means to run.
  for (const agent of missingCustom) checks.push(check('fix', `agent ${agent.name}`, agent.detail));
  const wanted = config.agents.default_agent;
  if (agents.length === 0) checks.push(check('fix', 'agents', `none can run: ${noAgentHint}`));
  else if (wanted !== 'auto' && !agents.some((a) => a.name === wanted))
    checks.push(check('fix', `agent ${wanted}`, `[agents] default_agent names it, and it cannot run: ${noAgentHint}`));
  const sandbox = await sandboxStatus(config, ctx.env);
  checks.push(
    sandbox.ok
      ? check('ok', 'sandbox', sandbox.line.replace(/^sandbox: /, ''))
      : config.agents.sandbox_mode === 'danger-full-access'
        ? check('warn', 'sandbox', sandbox.line.replace(/^warning: /, ''))
        : check('fix', 'sandbox', sandbox.line.replace(/^warning: /, '')),
  );
  checks.push(dataDirCheck(config.server.data_dir));
  checks.push(await databaseCheck(config));
  checks.push(...(await githubChecks(config)));
  return checks;
}

/** `harness doctor`: what works and what is missing, one line each; exit 1 when something needed is missing. */
export function doctorCommand(ctx: CliContext): CommandBody<ConfigFlags & { json?: boolean }> {
  return {
    builder: (y) =>
      withConfigOptions(y).option('json', { type: 'boolean', default: false, describe: 'Print the checks as JSON' }),
    handler: async (argv) => {
      const config = loadConfigFromFlags(ctx, argv);
      if (config === undefined) return;
      const checks = await runChecks(config, ctx);
      if (argv.json === true) ctx.stdout.write(`${JSON.stringify({ checks }, null, 2)}\n`);
      else for (const c of checks) ctx.stdout.write(`${c.level.padEnd(4)}  ${c.what}: ${c.text}\n`);
      const missing = checks.filter((c) => c.level === 'fix').length;
      if (argv.json !== true)
        ctx.stdout.write(missing === 0 ? 'ready: nothing needed is missing\n' : `${String(missing)} thing(s) to fix\n`);
      if (missing > 0) ctx.exitCode = 1;
    },
  };
}

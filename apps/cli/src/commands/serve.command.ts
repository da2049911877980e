import { AppError, LOG_FORMATS, storageFaultOf, toAppError, type HarnessConfig } from '@agent-harness/core';
import { describeGitHubAuth } from '@agent-harness/runtime/config';
import type { CliContext } from '../cli-context.js';
import type { CommandBody } from '../lazy-command.js';
import { loadConfigFromFlags, withConfigOptions, type ConfigFlags } from '../config-options.js';
import { reportError } from '../exit-codes.js';
import { findAgents, sandboxStatus } from '../serve/agent-versions.js';
import { ServeOutput } from '../serve/serve-output.js';
import { printStartupBlock } from '../serve/startup-block.js';

/** How long shutdown may take, besides `[server] drain_secs`, before the process gives up waiting on it. */
const SHUTDOWN_CAP_MS = 15_000;

interface ServeFlags extends ConfigFlags {
  'log-format'?: string | undefined;
  schedulers?: boolean | undefined;
}

export function serveCommand(ctx: CliContext): CommandBody<ServeFlags> {
  return {
    builder: (y) =>
      withConfigOptions(y)
        .option('log-format', {
          type: 'string',
          choices: [...LOG_FORMATS],
          describe: 'Log lines as text, or one JSON object per line (default: [server] log_format, "text")',
        })
        .option('schedulers', {
          type: 'boolean',
          describe:
            'Run the background jobs of [schedulers] and [review] (default: [schedulers] enabled); --no-schedulers turns them off',
        }),
    handler: async (argv) => {
      const config = loadConfigFromFlags(ctx, argv);
      if (config === undefined) return;
      const logFormat =
        argv['log-format'] === 'json' || (argv['log-format'] === undefined && config.server.log_format === 'json')
          ? 'json'
          : 'text';
      const schedulers = argv.schedulers ?? config.schedulers.enabled;
      surviveStorageRejections(ctx);
      if (config.server.transport === 'stdio') {
        await serveStdio(ctx, config, logFormat, schedulers);
        return;
      }
      const out = new ServeOutput(ctx.stdout, logFormat);
      try {
        // Asked while the server starts, so the versions cost no start-up time of their own; a
        // failure there must not outlive a start that failed for another reason.
        const agents = findAgents(config, ctx.env, ctx.cwd).catch(() => undefined);
        const sandbox = sandboxStatus(config, ctx.env).catch((error: unknown) => ({
          ok: false,
          line: `warning: the sandbox could not be checked: ${error instanceof Error ? error.message : String(error)}`,
        }));
        // Nest is loaded only here, so every other command starts without it.
        const { bootstrapServer } = await import('@agent-harness/server');
        const server = await bootstrapServer(config, {
          env: ctx.env,
          logFormat,
          logLevels: ['fatal', 'error', 'warn', 'log'],
          logColors: ctx.stdoutIsTerminal === true,
          schedulers,
        }).catch((error: unknown) => {
          throw listenProblem(error, config) ?? error;
        });
        try {
          printStartupBlock(out, {
            url: server.url,
            dataDir: config.server.data_dir,
            projects: await server.projects(),
            agents: await agents,
            sandbox: await sandbox,
            // Which of the App and GITHUB_TOKEN is used (the App wins); nothing said without either.
            github:
              config.github.app === undefined && config.github.token === undefined
                ? undefined
                : { auth: config.github.app === undefined ? 'token' : 'app', line: describeGitHubAuth(config) },
          });
        } catch (error) {
          await server.close();
          throw error;
        }
        const signal = await ctx.stopSignal();
        out.info(`received ${signal}, shutting down`, { signal });
        await withCap(server.close(), SHUTDOWN_CAP_MS + config.server.drain_secs * 1000, 'shutdown').catch(
          (error: unknown) => {
            ctx.exitNow = true;
            throw error;
          },
        );
        out.info('stopped');
      } catch (error) {
        reportError(ctx, error);
      }
    },
  };
}

/**
 * `--transport stdio`: JSON-RPC on stdin/stdout until the client closes stdin or a signal comes.
 * stdout carries the protocol only; the start-up lines and logs go to stderr.
 */
async function serveStdio(ctx: CliContext, config: HarnessConfig, logFormat: 'text' | 'json', schedulers: boolean) {
  const out = new ServeOutput(ctx.stderr, logFormat);
  try {
    if (ctx.stdin === undefined) throw new AppError('UNSUPPORTED', 'the stdio transport needs a standard input');
    const { bootstrapStdio } = await import('@agent-harness/server');
    const server = await bootstrapStdio(config, {
      env: ctx.env,
      input: ctx.stdin,
      output: ctx.stdout,
      logFormat,
      logLevels: ['fatal', 'error', 'warn', 'log'],
      schedulers,
    });
    out.info(`harness: JSON-RPC on stdio (data ${config.server.data_dir}); close stdin to stop`, {
      transport: 'stdio',
    });
    const why = await Promise.race([server.finished.then(() => 'stdin closed'), ctx.stopSignal()]);
    out.info(`${why}, shutting down`, { reason: why });
    await withCap(server.close(), SHUTDOWN_CAP_MS, 'shutdown').catch((error: unknown) => {
      ctx.exitNow = true;
      throw error;
    });
    out.info('stopped');
  } catch (error) {
    reportError(ctx, error);
  }
}

/**
 * The last line of defence: a write that failed on a full disk (or a read-only database) where no
 * one awaited it must not end the server. It is logged once per kind; the engine pauses dispatch on
 * its own writes' failures. Any other unhandled rejection still ends the process, as Node would.
 */
function surviveStorageRejections(ctx: CliContext): void {
  const said = new Set<string>();
  process.on('unhandledRejection', (reason: unknown) => {
    const storage = storageFaultOf(reason);
    if (storage === undefined || storage.fault === 'corrupt') throw reason;
    if (said.has(storage.code)) return;
    said.add(storage.code);
    ctx.stderr.write(`harness: a background write failed: ${toAppError(reason).message}\n`);
  });
}

/** A listen failure the user can fix, said in one line; undefined for anything else. */
function listenProblem(error: unknown, config: HarnessConfig): AppError | undefined {
  const code = error instanceof Error && 'code' in error ? error.code : undefined;
  const where = `cannot listen on ${config.server.http_addr}`;
  switch (code) {
    case 'EADDRINUSE':
      return new AppError(
        'CONFLICT',
        `${where}: the address is already in use (another Harness?); stop it, or choose another port with --port N (--port 0 picks a free one)`,
      );
    case 'EACCES':
      return new AppError(
        'CONFLICT',
        `${where}: permission denied (ports below 1024 need privileges); choose another port with --port N`,
      );
    case 'EADDRNOTAVAIL':
      return new AppError('CONFIG_INVALID', `${where}: this machine has no such address; fix [server] http_addr`);
    default:
      return undefined;
  }
}

async function withCap(work: Promise<void>, ms: number, what: string): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const cap = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      reject(new AppError('INTERNAL', `${what} did not finish within ${String(ms / 1000)} s`));
    }, ms);
  });
  try {
    await Promise.race([work, cap]);
  } finally {
    clearTimeout(timer);
  }
}

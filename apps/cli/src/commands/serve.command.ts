import { AppError, LOG_FORMATS, type HarnessConfig } from '@agent-harness/core';
import type { CommandModule } from 'yargs';
import type { CliContext } from '../cli-context.js';
import { loadConfigFromFlags, withConfigOptions, type ConfigFlags } from '../config-options.js';
import { reportError } from '../exit-codes.js';
import { findAgents } from '../serve/agent-versions.js';
import { ServeOutput } from '../serve/serve-output.js';
import { printStartupBlock } from '../serve/startup-block.js';

/** How long shutdown may take before the process gives up waiting on it. */
const SHUTDOWN_CAP_MS = 15_000;

interface ServeFlags extends ConfigFlags {
  'log-format'?: string | undefined;
}

export function serveCommand(ctx: CliContext): CommandModule<object, ServeFlags> {
  return {
    command: 'serve',
    describe: 'Run the Harness server until SIGTERM or SIGINT',
    builder: (y) =>
      withConfigOptions(y).option('log-format', {
        type: 'string',
        choices: [...LOG_FORMATS],
        describe: 'Log lines as text, or one JSON object per line (default: [server] log_format, "text")',
      }),
    handler: async (argv) => {
      const config = loadConfigFromFlags(ctx, argv);
      if (config === undefined) return;
      const logFormat =
        argv['log-format'] === 'json' || (argv['log-format'] === undefined && config.server.log_format === 'json')
          ? 'json'
          : 'text';
      const out = new ServeOutput(ctx.stdout, logFormat);
      try {
        if (config.server.transport !== 'http') {
          throw new AppError(
            'UNSUPPORTED',
            `transport "${config.server.transport}" is not available in this version; use --transport http (or set [server] transport = "http")`,
          );
        }
        // Asked while the server starts, so the versions cost no start-up time of their own; a
        // failure there must not outlive a start that failed for another reason.
        const agents = findAgents(config, ctx.env, ctx.cwd).catch(() => []);
        // Nest is loaded only here, so every other command starts without it.
        const { bootstrapServer } = await import('@agent-harness/server');
        const server = await bootstrapServer(config, {
          env: ctx.env,
          logFormat,
          logLevels: ['fatal', 'error', 'warn', 'log'],
          logColors: ctx.stdoutIsTerminal === true,
        }).catch((error: unknown) => {
          throw listenProblem(error, config) ?? error;
        });
        try {
          printStartupBlock(out, {
            url: server.url,
            dataDir: config.server.data_dir,
            projects: await server.projects(),
            agents: await agents,
          });
        } catch (error) {
          await server.close();
          throw error;
        }
        const signal = await ctx.stopSignal();
        out.info(`received ${signal}, shutting down`, { signal });
        await withCap(server.close(), SHUTDOWN_CAP_MS, 'shutdown').catch((error: unknown) => {
          ctx.exitNow = true;
          throw error;
        });
        out.info('stopped');
      } catch (error) {
        reportError(ctx, error);
      }
    },
  };
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

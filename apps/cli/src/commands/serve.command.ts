import { AppError, HARNESS_VERSION } from '@agent-harness/core';
import type { CommandModule } from 'yargs';
import type { CliContext } from '../cli-context.js';
import { loadConfigFromFlags, withConfigOptions, type ConfigFlags } from '../config-options.js';
import { reportError } from '../exit-codes.js';

/** How long shutdown may take before the process gives up waiting on it. */
const SHUTDOWN_CAP_MS = 15_000;

export function serveCommand(ctx: CliContext): CommandModule<object, ConfigFlags> {
  return {
    command: 'serve',
    describe: 'Run the Harness server until SIGTERM or SIGINT',
    builder: (y) => withConfigOptions(y),
    handler: async (argv) => {
      const config = loadConfigFromFlags(ctx, argv);
      if (config === undefined) return;
      try {
        if (config.server.transport !== 'http') {
          throw new AppError(
            'UNSUPPORTED',
            `transport "${config.server.transport}" is not available in this version; use --transport http (or set [server] transport = "http")`,
          );
        }
        // Nest is loaded only here, so every other command starts without it.
        const { bootstrapServer } = await import('@agent-harness/server');
        const server = await bootstrapServer(config, { env: ctx.env });
        ctx.stdout.write(`Harness ${HARNESS_VERSION} listening on ${server.url}\n`);
        ctx.stdout.write(`data directory: ${config.server.data_dir}\n`);
        for (const project of config.projects) {
          ctx.stdout.write(`project ${project.name}${project.default ? ' (default)' : ''}: ${project.root}\n`);
        }
        const signal = await ctx.stopSignal();
        ctx.stdout.write(`received ${signal}, shutting down\n`);
        await withCap(server.close(), SHUTDOWN_CAP_MS, 'shutdown');
        ctx.stdout.write('stopped\n');
      } catch (error) {
        reportError(ctx, error);
      }
    },
  };
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

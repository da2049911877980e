import { HARNESS_VERSION } from '@agent-harness/core';
import yargs from 'yargs';
import type { CliContext } from './cli-context.js';
import { configCommand } from './commands/config.command.js';
import { execCommand } from './commands/exec.command.js';
import { serveCommand } from './commands/serve.command.js';
import { tasksCommand } from './commands/tasks.command.js';
import { reportError } from './exit-codes.js';

/** Runs one `harness` invocation and returns its exit code. */
export async function runCli(args: readonly string[], ctx: CliContext): Promise<number> {
  const parser = yargs([...args])
    .scriptName('harness')
    .version(HARNESS_VERSION)
    .command(serveCommand(ctx))
    .command(configCommand(ctx))
    .command(execCommand(ctx))
    .command(tasksCommand(ctx))
    .demandCommand(1, 'name a command: serve, exec, tasks, config')
    .strict()
    .help()
    .wrap(null)
    .exitProcess(false)
    .fail((message, error, y) => {
      // yargs passes an Error when a handler threw, and only a message for usage mistakes.
      const thrown: unknown = error;
      if (thrown instanceof Error) throw thrown;
      ctx.stderr.write(`${y.help().toString()}\n\nharness: ${message}\n`);
      ctx.exitCode = 2;
    })
    .showHelpOnFail(false);
  try {
    await parser.parseAsync();
  } catch (error) {
    reportError(ctx, error);
  }
  return ctx.exitCode;
}

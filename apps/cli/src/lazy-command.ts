import type { ArgumentsCamelCase, Argv, CommandModule } from 'yargs';
import type { CliContext } from './cli-context.js';

/**
 * What a top-level command's module gives: how to parse its arguments and what to do. Its usage line
 * and description are in the command table of cli.ts, so `harness --help` lists every command
 * without loading any of their modules.
 */
export interface CommandBody<U> {
  readonly builder: (y: Argv) => Argv<U> | PromiseLike<Argv<U>>;
  readonly handler: (args: ArgumentsCamelCase<U>) => void | Promise<void>;
}

/**
 * A top-level command whose module is loaded only when it is the command being run (or whose help
 * is asked for): a command's imports cost nothing to the others.
 */
export function lazyCommand<U>(
  ctx: CliContext,
  command: string,
  describe: string,
  load: () => Promise<(ctx: CliContext) => CommandBody<U>>,
): CommandModule<object, U> {
  let body: CommandBody<U> | undefined;
  return {
    command,
    describe,
    // yargs runs the builder of the command it matched before its handler (parseAsync awaits it).
    builder: async (y) => {
      body = (await load())(ctx);
      return body.builder(y);
    },
    handler: async (argv) => {
      await body?.handler(argv);
    },
  };
}

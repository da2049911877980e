import { HARNESS_VERSION } from '@agent-harness/core';
import yargs from 'yargs';
import type { CliContext } from './cli-context.js';
import { configCommand } from './commands/config.command.js';
import { execCommand } from './commands/exec.command.js';
import { fleetCommand } from './commands/fleet.command.js';
import { usageCommand } from './commands/usage.command.js';
import { gcCommand } from './commands/gc.command.js';
import { learnCommand } from './commands/learn.command.js';
import { mcpServerCommand } from './commands/mcp-server.command.js';
import { planCommand } from './commands/plan.command.js';
import { serveCommand } from './commands/serve.command.js';
import { reviewCommand } from './commands/review.command.js';
import { healthCommand, ruleCommand } from './commands/rules.command.js';
import { skillCommand } from './commands/skill.command.js';
import { tasksCommand } from './commands/tasks.command.js';
import { reportError } from './exit-codes.js';
import { UsageError, usageError } from './usage-error.js';

/** Runs one `harness` invocation and returns its exit code. */
export async function runCli(args: readonly string[], ctx: CliContext): Promise<number> {
  const parser = yargs([...args])
    .scriptName('harness')
    .version(HARNESS_VERSION)
    // Words after `--` are kept apart, so `harness exec -- "--verbose is broken"` is a prompt, not a flag.
    // No camelCase twins of the flags, so a misspelt flag is reported once, as typed.
    .parserConfiguration({ 'populate--': true, 'camel-case-expansion': false })
    .command(serveCommand(ctx))
    .command(configCommand(ctx))
    .command(execCommand(ctx))
    .command(tasksCommand(ctx))
    .command(ruleCommand(ctx))
    .command(healthCommand(ctx))
    .command(gcCommand(ctx))
    .command(skillCommand(ctx))
    .command(learnCommand(ctx))
    .command(mcpServerCommand(ctx))
    .command(planCommand(ctx))
    .command(reviewCommand(ctx))
    .command(fleetCommand(ctx))
    .command(usageCommand(ctx))
    .demandCommand(
      1,
      'name a command: serve, exec, tasks, config, rule, health, gc, skill, learn, plan, mcp-server, review, fleet, usage',
    )
    .check((argv) => {
      const rest = argv['--'];
      if (argv._[0] === 'exec' || !Array.isArray(rest) || rest.length === 0) return true;
      return `unexpected arguments after --: ${rest.map(String).join(' ')}`;
    })
    .strict()
    .help()
    .wrap(null)
    .exitProcess(false)
    .fail((message, error, usage) => {
      // yargs passes an Error when a handler threw, and only a message for usage mistakes.
      const thrown: unknown = error;
      if (thrown instanceof Error) throw thrown;
      // Throwing (not just setting the exit code) is what keeps yargs from running the command.
      throw usageError(message, usage);
    })
    .showHelpOnFail(false);
  try {
    await parser.parseAsync();
  } catch (error) {
    if (error instanceof UsageError) {
      ctx.stderr.write(
        `harness: ${error.message}\nsee: harness ${error.commandPath === '' ? '' : `${error.commandPath} `}--help\n`,
      );
      ctx.exitCode = 2;
    } else {
      reportError(ctx, error);
    }
  }
  return ctx.exitCode;
}

import { HARNESS_VERSION } from '@agent-harness/core/version';
import yargs from 'yargs';
import type { CliContext } from './cli-context.js';
import { lazyCommand } from './lazy-command.js';
import { UsageError, usageError } from './usage-error.js';

/** Runs one `harness` invocation and returns its exit code. */
export async function runCli(args: readonly string[], ctx: CliContext): Promise<number> {
  // Each top-level command's usage line and description are here; its module (and what that module
  // imports) loads only when that command runs, so `harness --help` loads yargs and this file.
  const parser = yargs([...args])
    .scriptName('harness')
    .version(HARNESS_VERSION)
    // Words after `--` are kept apart, so `harness exec -- "--verbose is broken"` is a prompt, not a flag.
    // No camelCase twins of the flags, so a misspelt flag is reported once, as typed.
    .parserConfiguration({ 'populate--': true, 'camel-case-expansion': false })
    .command(
      lazyCommand(
        ctx,
        'serve',
        'Run the Harness server until SIGTERM or SIGINT',
        async () => (await import('./commands/serve.command.js')).serveCommand,
      ),
    )
    .command(
      lazyCommand(
        ctx,
        'init',
        'Write a first configuration (harness.toml) for the repository you are in: its GitHub repository, the agents installed, the checks detected; never overwrites',
        async () => (await import('./commands/init.command.js')).initCommand,
      ),
    )
    .command(
      lazyCommand(
        ctx,
        'doctor',
        'Check what Harness needs here (git, agents, sandbox, data_dir, database, GitHub): one line each, exit 1 when something needed is missing',
        async () => (await import('./commands/doctor.command.js')).doctorCommand,
      ),
    )
    .command(
      lazyCommand(
        ctx,
        'config',
        'Inspect and validate the configuration',
        async () => (await import('./commands/config.command.js')).configCommand,
      ),
    )
    .command(
      lazyCommand(
        ctx,
        'exec [prompt..]',
        'Run one agent on a prompt in a project directory, showing its work live; prints its final answer',
        async () => (await import('./commands/exec.command.js')).execCommand,
      ),
    )
    .command(
      lazyCommand(
        ctx,
        'tasks',
        'Submit, list, show, watch and cancel tasks on a running server',
        async () => (await import('./commands/tasks.command.js')).tasksCommand,
      ),
    )
    .command(
      lazyCommand(
        ctx,
        'rule',
        'Rules and guards: load the catalogue, scan a project',
        async () => (await import('./commands/rules.command.js')).ruleCommand,
      ),
    )
    .command(
      lazyCommand(
        ctx,
        'health [PROJECT]',
        'The health report and grade from telemetry and the latest rule scan (all projects when none is named)',
        async () => (await import('./commands/rules.command.js')).healthCommand,
      ),
    )
    .command(
      lazyCommand(
        ctx,
        'gc',
        'GC of recurring problems: find signals, draft fixes, adopt or reject them',
        async () => (await import('./commands/gc.command.js')).gcCommand,
      ),
    )
    .command(
      lazyCommand(
        ctx,
        'skill',
        'Skills injected into task prompts: list, create, delete, govern',
        async () => (await import('./commands/skill.command.js')).skillCommand,
      ),
    )
    .command(
      lazyCommand(
        ctx,
        'learn',
        'Learn rules or skills from adopted GC drafts',
        async () => (await import('./commands/learn.command.js')).learnCommand,
      ),
    )
    .command(
      lazyCommand(
        ctx,
        'mcp-server',
        'Serve Harness to an MCP client (Claude Code, Codex) on stdin/stdout: submit, follow and cancel tasks, run an agent once',
        async () => (await import('./commands/mcp-server.command.js')).mcpServerCommand,
      ),
    )
    .command(
      lazyCommand(
        ctx,
        'plan',
        'Exec plans: make one from a spec, show its progress, list them',
        async () => (await import('./commands/plan.command.js')).planCommand,
      ),
    )
    .command(
      lazyCommand(
        ctx,
        'review',
        'Periodic whole-repo review: run one now, list the reviews and their findings',
        async () => (await import('./commands/review.command.js')).reviewCommand,
      ),
    )
    .command(
      lazyCommand(
        ctx,
        'fleet',
        'Fleet mode: several servers on one PostgreSQL database',
        async () => (await import('./commands/fleet.command.js')).fleetCommand,
      ),
    )
    .command(
      lazyCommand(
        ctx,
        'usage',
        'Tokens and dollars by day, project, agent and model, and today against the spend limits',
        async () => (await import('./commands/usage.command.js')).usageCommand,
      ),
    )
    // `harness completion >> ~/.bashrc` (or ~/.zshrc): the script asks `harness` for the words that fit.
    .completion('completion', 'Print a bash or zsh completion script for harness (add it to ~/.bashrc or ~/.zshrc)')
    .demandCommand(
      1,
      'name a command: serve, exec, tasks, config, rule, health, gc, skill, learn, plan, mcp-server, review, fleet, usage, init, doctor',
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
      // Loaded only on this path: it needs the error codes of @agent-harness/core.
      const { reportError } = await import('./exit-codes.js');
      reportError(ctx, error);
    }
  }
  return ctx.exitCode;
}

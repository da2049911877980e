import { readFileSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import { OPERATIONS, parseInput } from '@agent-harness/app';
import { AppError } from '@agent-harness/core';
import type { CommandModule } from 'yargs';
import type { CliContext } from '../cli-context.js';
import type { CommandBody } from '../lazy-command.js';
import { loadConfigFromFlags, withConfigOptions, type ConfigFlags } from '../config-options.js';
import { scannedProject, withHarness } from '../harness-command.js';

/** The most a skill file may hold (the skill store refuses more too). */
const MAX_SKILL_FILE_BYTES = 64 * 1024;

function listCommand(
  ctx: CliContext,
): CommandModule<
  object,
  ConfigFlags & { query?: string | undefined; in?: string | undefined; json?: boolean | undefined }
> {
  return {
    command: 'list',
    describe: 'List the skills a project sees (project, user, data, built-in; the highest tier wins a name)',
    builder: (y) =>
      withConfigOptions(y)
        .option('query', { type: 'string', describe: 'Only skills whose name or description holds this' })
        .option('in', {
          type: 'string',
          describe:
            'A configured project name or a directory whose .harness/skills count (default: the default project, else .)',
        })
        .option('json', { type: 'boolean', default: false, describe: 'Print JSON' }),
    handler: async (argv) => {
      const config = loadConfigFromFlags(ctx, argv);
      if (config === undefined) return;
      const project = scannedProject(config, ctx, argv.in);
      const listed = await withHarness(ctx, config, (harness) =>
        harness.skills.list({ projectRoot: project.root, query: argv.query }),
      );
      if (argv.json === true) {
        ctx.stdout.write(`${JSON.stringify(listed, null, 2)}\n`);
        return;
      }
      if (listed.length === 0) ctx.stdout.write('no skills\n');
      for (const { skill, governance, uses } of listed) {
        const status =
          governance === undefined ? 'active' : `${governance.status} ${governance.qualityScore.toFixed(2)}`;
        ctx.stdout.write(
          `${skill.name.padEnd(20)} ${skill.tier.padEnd(8)} ${status.padEnd(16)} ${String(uses).padStart(4)} uses  ${skill.description}\n`,
        );
      }
    },
  };
}

function createCommand(
  ctx: CliContext,
): CommandModule<
  object,
  ConfigFlags & { name: string; file: string; replace?: boolean | undefined; json?: boolean | undefined }
> {
  return {
    command: 'create <name>',
    describe: 'Create a skill in <data_dir>/skills from a markdown file',
    builder: (y) =>
      withConfigOptions(y)
        .positional('name', { type: 'string', demandOption: true, describe: 'Letters, digits, ".", "_" and "-"' })
        .option('file', {
          type: 'string',
          demandOption: true,
          describe: 'The skill markdown (first line: # description)',
        })
        .option('replace', { type: 'boolean', default: false, describe: 'Replace a skill of the same name' })
        .option('json', { type: 'boolean', default: false, describe: 'Print what skill_create answers (JSON-RPC)' }),
    handler: async (argv) => {
      const config = loadConfigFromFlags(ctx, argv);
      if (config === undefined) return;
      const file = resolve(ctx.cwd, argv.file);
      let size: number;
      try {
        size = statSync(file).size;
      } catch {
        throw new AppError('INVALID_ARGUMENT', `--file: cannot read ${file}`);
      }
      if (size > MAX_SKILL_FILE_BYTES)
        throw new AppError(
          'INVALID_ARGUMENT',
          `--file: ${file} is ${String(size)} bytes; a skill holds at most 64 KiB`,
        );
      const content = readFileSync(file, 'utf8');
      const skill = await withHarness(ctx, config, (harness) =>
        harness.operations.skill_create(
          parseInput(OPERATIONS.skill_create.input, { name: argv.name, content, replace: argv.replace === true }),
        ),
      );
      ctx.stdout.write(
        argv.json === true
          ? `${JSON.stringify(skill, null, 2)}\n`
          : `created skill ${skill.name} (${skill.id})${skill.trigger_patterns.length === 0 ? ': no trigger patterns, so it is never injected by itself' : `: injected when a task mentions ${skill.trigger_patterns.join(', ')}`}\n`,
      );
    },
  };
}

function deleteCommand(
  ctx: CliContext,
): CommandModule<object, ConfigFlags & { name: string; json?: boolean | undefined }> {
  return {
    command: 'delete <name>',
    describe: 'Delete a skill of <data_dir>/skills (created or learned)',
    builder: (y) =>
      withConfigOptions(y)
        .positional('name', {
          type: 'string',
          demandOption: true,
          describe: 'The skill to delete (see harness skill list)',
        })
        .option('json', { type: 'boolean', default: false, describe: 'Print what skill_delete answers (JSON-RPC)' }),
    handler: async (argv) => {
      const config = loadConfigFromFlags(ctx, argv);
      if (config === undefined) return;
      const deleted = await withHarness(ctx, config, (harness) =>
        harness.operations.skill_delete(parseInput(OPERATIONS.skill_delete.input, { name: argv.name })),
      );
      ctx.stdout.write(argv.json === true ? `${JSON.stringify(deleted)}\n` : `deleted skill ${deleted.name}\n`);
    },
  };
}

function governCommand(ctx: CliContext): CommandModule<object, ConfigFlags & { json?: boolean | undefined }> {
  return {
    command: 'govern',
    describe: 'Score the skills now from their uses and task outcomes (a running server does it daily)',
    builder: (y) => withConfigOptions(y).option('json', { type: 'boolean', default: false, describe: 'Print JSON' }),
    handler: async (argv) => {
      const config = loadConfigFromFlags(ctx, argv);
      if (config === undefined) return;
      const tick = await withHarness(ctx, config, (harness) => harness.skills.governanceTick());
      ctx.stdout.write(`${JSON.stringify(tick, null, argv.json === true ? 2 : undefined)}\n`);
    },
  };
}

export function skillCommand(ctx: CliContext): CommandBody<object> {
  return {
    builder: (y) =>
      y
        .command(listCommand(ctx))
        .command(createCommand(ctx))
        .command(deleteCommand(ctx))
        .command(governCommand(ctx))
        .demandCommand(1, 'name a skill command: list, create, delete, govern'),
    handler: () => undefined,
  };
}

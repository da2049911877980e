import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { AppError } from '@agent-harness/core';
import {
  PLAN_LIMITS,
  PLAN_STATUSES,
  isPlanIdPrefix,
  planFileName,
  planFromMarkdown,
  planFromSpec,
  planProgress,
  planToJson,
  planToMarkdown,
  type ExecPlan,
  type PlanStatus,
} from '@agent-harness/plans';
import type { CommandModule } from 'yargs';
import type { CliContext } from '../cli-context.js';
import type { CommandBody } from '../lazy-command.js';
import { loadConfigFromFlags, withConfigOptions, type ConfigFlags } from '../config-options.js';
import { projectArgument, scannedProject, withHarness, type ProjectFlags } from '../harness-command.js';

/** Bytes read of a spec or plan file at most: UTF-8 takes up to 4 bytes per character. */
const maxBytes = (chars: number): number => chars * 4;

/** A file's text, or INVALID_ARGUMENT naming the argument: missing, not a file, unreadable or too big. */
function readTextFile(what: string, path: string, maxChars: number): string {
  let size: number;
  try {
    const stat = statSync(path);
    if (!stat.isFile()) throw new AppError('INVALID_ARGUMENT', `${what}: ${path} is not a file`);
    size = stat.size;
  } catch (error) {
    if (error instanceof AppError) throw error;
    throw new AppError('INVALID_ARGUMENT', `${what}: cannot read ${path}`);
  }
  if (size > maxBytes(maxChars))
    throw new AppError('INVALID_ARGUMENT', `${what}: ${path} is ${String(size)} bytes, more than a plan reads`);
  try {
    return readFileSync(path, 'utf8');
  } catch {
    throw new AppError('INVALID_ARGUMENT', `${what}: cannot read ${path}`);
  }
}

function isDirectory(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}

const out = (ctx: CliContext, line: string): void => {
  ctx.stdout.write(`${line}\n`);
};

/** The plan as `plan status` prints it: purpose, status, milestones with their tasks, steps, the rest counted. */
function printPlan(ctx: CliContext, plan: ExecPlan): void {
  const progress = planProgress(plan);
  out(ctx, `plan ${plan.id}: ${plan.purpose}`);
  out(
    ctx,
    `status ${plan.status}, project ${plan.project}, updated ${plan.updatedAt} (version ${String(plan.version)})`,
  );
  out(ctx, `milestones: ${String(progress.done)}/${String(progress.total)} done`);
  for (const [i, m] of plan.progress.entries()) {
    const tasks = plan.taskLinks
      .filter((l) => l.milestone === i)
      .map((l) => `task ${l.taskId}${l.outcome === undefined ? '' : ` ${l.outcome}`}`);
    out(
      ctx,
      `  ${String(i)} [${m.completed ? 'x' : ' '}] ${m.description}${tasks.length === 0 ? '' : `  (${tasks.join(', ')})`}`,
    );
  }
  const stepsDone = plan.concreteSteps.filter((s) => s.completed).length;
  out(ctx, `steps: ${String(stepsDone)}/${String(plan.concreteSteps.length)} done`);
  for (const [i, s] of plan.concreteSteps.entries())
    out(
      ctx,
      `  ${String(i)} [${s.completed ? 'x' : ' '}] ${s.description}${s.files.length === 0 ? '' : `  (${s.files.join(', ')})`}`,
    );
  const { tests, checks } = plan.validation;
  out(
    ctx,
    `validation: ${String(tests.length)} test(s), ${String(checks.length)} check(s); ${String(plan.decisionLog.length)} decision(s), ${String(plan.surprises.length)} surprise(s)`,
  );
}

function initCommand(
  ctx: CliContext,
): CommandModule<object, ProjectFlags & { SPEC: string; out?: string | undefined }> {
  return {
    command: 'init <SPEC> [PROJECT]',
    describe:
      'Make an exec plan from a Markdown spec (purpose, milestones, steps, validation), store it and write exec-plan-<id>.md',
    builder: (y) =>
      projectArgument(y)
        .positional('SPEC', { type: 'string', demandOption: true, describe: 'The spec: a Markdown file' })
        .option('out', {
          type: 'string',
          describe: 'Directory to write exec-plan-<id>.md to (default: the current one)',
        }),
    handler: async (argv) => {
      const config = loadConfigFromFlags(ctx, argv);
      if (config === undefined) return;
      // Everything is checked before the database is opened or a file written.
      const spec = readTextFile('SPEC', resolve(ctx.cwd, argv.SPEC), PLAN_LIMITS.specChars);
      const dir = resolve(ctx.cwd, argv.out ?? '.');
      if (!isDirectory(dir)) throw new AppError('INVALID_ARGUMENT', `--out: ${dir} is not a directory`);
      const project = scannedProject(config, ctx, argv.PROJECT).name;
      planFromSpec(spec, { id: '000000000000', project, now: new Date() });
      const plan = await withHarness(ctx, config, (harness) => harness.plans.init({ spec, project }));
      const path = join(dir, planFileName(plan.id));
      try {
        writeFileSync(path, planToMarkdown(plan), { flag: 'wx' });
      } catch (error) {
        throw new AppError(
          'INTERNAL',
          `plan ${plan.id} is stored, but ${path} could not be written (${error instanceof Error ? error.message : String(error)}); harness plan status ${plan.id} shows it`,
        );
      }
      if (argv.json === true) out(ctx, JSON.stringify({ plan_id: plan.id, path }));
      else {
        const { done, total } = planProgress(plan);
        out(ctx, `plan ${plan.id}: ${plan.purpose}`);
        out(ctx, `${String(total)} milestone(s) (${String(done)} done), ${String(plan.concreteSteps.length)} step(s)`);
        out(ctx, `written to ${path}`);
      }
    },
  };
}

function statusCommand(
  ctx: CliContext,
): CommandModule<object, ConfigFlags & { PLAN: string; json?: boolean | undefined }> {
  return {
    command: 'status <PLAN>',
    describe:
      "Print a plan's purpose, status, milestones and steps: from the database (the record), a plan file naming its id",
    builder: (y) =>
      withConfigOptions(y)
        .positional('PLAN', {
          type: 'string',
          demandOption: true,
          describe: 'A plan file (exec-plan-<id>.md) or a plan id (or its first 4+ characters)',
        })
        .option('json', { type: 'boolean', default: false, describe: 'Print the plan as JSON' }),
    handler: async (argv) => {
      const config = loadConfigFromFlags(ctx, argv);
      if (config === undefined) return;
      const path = resolve(ctx.cwd, argv.PLAN);
      const fromFile = isPlanIdPrefix(argv.PLAN) && !isFile(path) ? undefined : fileOf(path, argv.PLAN);
      const plan = await withHarness(ctx, config, async (harness) => {
        if (fromFile === undefined) return harness.plans.get(argv.PLAN);
        try {
          return await harness.plans.get(fromFile.id);
        } catch (error) {
          if (error instanceof AppError && error.code === 'NOT_FOUND') return undefined;
          throw error;
        }
      });
      const shown = plan ?? fromFile;
      if (shown === undefined) throw new AppError('NOT_FOUND', `no plan ${argv.PLAN}`);
      if (fromFile !== undefined && plan === undefined)
        ctx.stderr.write(`harness: plan ${fromFile.id} is not in the database: showing the file as it is\n`);
      else if (fromFile !== undefined && plan !== undefined && fromFile.version !== plan.version)
        ctx.stderr.write(
          `harness: ${argv.PLAN} is version ${String(fromFile.version)}; showing the stored plan, version ${String(plan.version)} (the database is the record)\n`,
        );
      if (argv.json === true) out(ctx, JSON.stringify(planToJson(shown), null, 2));
      else printPlan(ctx, shown);
    },
  };
}

function isFile(path: string): boolean {
  try {
    return statSync(path).isFile();
  } catch {
    return false;
  }
}

/** The plan a file holds; INVALID_ARGUMENT when PLAN is neither a readable plan file nor an id. */
function fileOf(path: string, given: string): ExecPlan {
  if (!isFile(path))
    throw new AppError(
      'INVALID_ARGUMENT',
      `PLAN: ${given} is neither a plan file nor a plan id (or its first 4+ characters)`,
    );
  return planFromMarkdown(readTextFile('PLAN', path, PLAN_LIMITS.markdownChars));
}

function linkCommand(
  ctx: CliContext,
): CommandModule<object, ConfigFlags & { PLAN: string; MILESTONE: number; TASK: string; json?: boolean | undefined }> {
  return {
    command: 'link <PLAN> <MILESTONE> <TASK>',
    describe: "Link a task to a plan's milestone: the milestone is completed when the task ends done",
    builder: (y) =>
      withConfigOptions(y)
        .positional('PLAN', { type: 'string', demandOption: true, describe: 'A plan id (or its first 4+ characters)' })
        .positional('MILESTONE', {
          type: 'number',
          demandOption: true,
          describe: "The index of the plan's milestone (0 is the first, as in the API)",
        })
        .positional('TASK', { type: 'string', demandOption: true, describe: 'A task id (or its first 8+ characters)' })
        .option('json', { type: 'boolean', default: false, describe: 'Print the plan as JSON' }),
    handler: async (argv) => {
      const config = loadConfigFromFlags(ctx, argv);
      if (config === undefined) return;
      const milestone = argv.MILESTONE;
      if (!Number.isSafeInteger(milestone) || milestone < 0)
        throw new AppError(
          'INVALID_ARGUMENT',
          `MILESTONE must be a milestone's index (0 is the first), not ${String(milestone)}`,
        );
      // The link is stored with the plan: a server settles it when the task ends, as for a task submitted with --plan.
      const plan = await withHarness(ctx, config, (harness) => harness.plans.linkTask(argv.PLAN, argv.TASK, milestone));
      if (argv.json === true) out(ctx, JSON.stringify(planToJson(plan), null, 2));
      else printPlan(ctx, plan);
    },
  };
}

function listCommand(ctx: CliContext): CommandModule<object, ProjectFlags & { status?: PlanStatus | undefined }> {
  return {
    command: 'list [PROJECT]',
    describe: 'List exec plans, most recently updated first (all projects when none is named)',
    builder: (y) =>
      projectArgument(y).option('status', { choices: PLAN_STATUSES, describe: 'Only plans with this status' }),
    handler: async (argv) => {
      const config = loadConfigFromFlags(ctx, argv);
      if (config === undefined) return;
      const project = argv.PROJECT === undefined ? undefined : scannedProject(config, ctx, argv.PROJECT).name;
      const plans = await withHarness(ctx, config, (harness) =>
        harness.plans.list({ project, status: argv.status, limit: 1000 }),
      );
      if (argv.json === true) out(ctx, JSON.stringify(plans.map(planToJson), null, 2));
      else if (plans.length === 0) out(ctx, 'no plans');
      else
        for (const p of plans) {
          const { done, total } = planProgress(p);
          out(
            ctx,
            `${p.id}  ${p.status.padEnd(9)} ${String(done)}/${String(total)}  ${p.project}  ${p.purpose}  ${p.updatedAt}`,
          );
        }
    },
  };
}

export function planCommand(ctx: CliContext): CommandBody<object> {
  return {
    builder: (y) =>
      y
        .command(initCommand(ctx))
        .command(statusCommand(ctx))
        .command(listCommand(ctx))
        .command(linkCommand(ctx))
        .demandCommand(1, 'name a plan command: init, status, list, link'),
    handler: () => undefined,
  };
}

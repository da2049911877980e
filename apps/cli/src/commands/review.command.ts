import type { ReviewListResponse, ReviewRunJson } from '@agent-harness/core';
import { FINDING_SEVERITIES, MAX_REVIEW_LIST_LIMIT, reviewRunJson } from '@agent-harness/review';
import type { ReviewRunOutcome } from '@agent-harness/app';
import type { CommandModule } from 'yargs';
import type { CliContext } from '../cli-context.js';
import type { CommandBody } from '../lazy-command.js';
import { loadConfigFromFlags } from '../config-options.js';
import { projectArgument, scannedProject, withHarness, type ProjectFlags } from '../harness-command.js';
import { stderrObserver } from './gc.command.js';

function outcomeLine(outcome: ReviewRunOutcome): string {
  if (outcome.status === 'skipped')
    return outcome.reason === 'disabled'
      ? `skipped: project ${outcome.project} is inactive`
      : `skipped: nothing committed to ${outcome.project} since its last review (${(outcome.head ?? '').slice(0, 12)}); --force reviews it again`;
  const by = `${outcome.strategy}: ${outcome.agents.join(', ')}`;
  // `[review] act`: what was filed or queued, on its own line.
  const acted = outcome.acted === undefined ? '' : `\n${outcome.acted.summary}`;
  return outcome.status === 'done'
    ? `review ${outcome.runId} of ${outcome.project} at ${outcome.head.slice(0, 12)}: ${String(outcome.findings)} finding(s) (${by})${acted}`
    : `review ${outcome.runId} of ${outcome.project} at ${outcome.head.slice(0, 12)} failed (${by}): ${outcome.error ?? ''}`;
}

function runCommand(ctx: CliContext): CommandModule<object, ProjectFlags & { force?: boolean | undefined }> {
  return {
    command: 'run [PROJECT]',
    describe:
      'Review the whole project now with a read-only agent ([review] agent and strategy), unless nothing was committed since its last review',
    builder: (y) =>
      projectArgument(y).option('force', {
        type: 'boolean',
        default: false,
        describe: 'Review even when nothing was committed since the last review',
      }),
    handler: async (argv) => {
      const config = loadConfigFromFlags(ctx, argv);
      if (config === undefined) return;
      const project = scannedProject(config, ctx, argv.PROJECT);
      const observer = stderrObserver(ctx, project.root, 'review');
      const outcome = await withHarness(ctx, config, async (harness) => {
        await harness.syncProjects();
        return harness.reviews.run(project.name, { force: argv.force }, observer);
      }).finally(() => {
        observer.stop();
      });
      if (argv.json === true) ctx.stdout.write(`${JSON.stringify(outcome, null, 2)}\n`);
      else ctx.stdout.write(`${outcomeLine(outcome)}\n`);
      if (outcome.status === 'failed') ctx.exitCode = 1;
    },
  };
}

function printRun(ctx: CliContext, run: ReviewRunJson): void {
  const out = (line: string): void => {
    ctx.stdout.write(`${line}\n`);
  };
  const cost = run.cost_usd === null ? '' : ` $${run.cost_usd.toFixed(2)}`;
  out(
    `${run.id}  ${run.started_at}  ${run.project}  ${run.status.padEnd(6)} ${run.head.slice(0, 12)}  ${String(run.findings.length)} finding(s)  [${run.strategy}: ${run.agents.join(', ')}]${cost}`,
  );
  if (run.error !== null) out(`  error: ${run.error}`);
  if (run.note !== null) out(`  note: ${run.note}`);
  if (run.summary !== '') out(`  ${run.summary}`);
  // Worst first; the reviewer's order within a severity (the sort is stable).
  const rank = (severity: string): number => FINDING_SEVERITIES.findIndex((s) => s === severity);
  for (const f of [...run.findings].sort((a, b) => rank(a.severity) - rank(b.severity))) {
    const where = f.file === null ? '' : ` (${f.file}${f.line === null ? '' : `:${String(f.line)}`})`;
    out(`  [${f.severity}] ${f.title}${where}`);
  }
}

function listCommand(ctx: CliContext): CommandModule<object, ProjectFlags & { limit?: number | undefined }> {
  return {
    command: 'list [PROJECT]',
    describe: 'List the periodic reviews with their findings, newest first (all projects when none is named)',
    builder: (y) =>
      projectArgument(y)
        .option('limit', {
          type: 'number',
          default: 20,
          describe: `At most this many reviews (1 to ${String(MAX_REVIEW_LIST_LIMIT)})`,
        })
        .check((argv) =>
          Number.isSafeInteger(argv.limit) && argv.limit >= 1 && argv.limit <= MAX_REVIEW_LIST_LIMIT
            ? true
            : `--limit must be a whole number from 1 to ${String(MAX_REVIEW_LIST_LIMIT)}`,
        ),
    handler: async (argv) => {
      const limit = argv.limit;
      const config = loadConfigFromFlags(ctx, argv);
      if (config === undefined) return;
      const project = argv.PROJECT === undefined ? undefined : scannedProject(config, ctx, argv.PROJECT).name;
      const runs = await withHarness(ctx, config, (harness) => harness.reviews.list({ project, limit }));
      const response: ReviewListResponse = { reviews: runs.map(reviewRunJson) };
      if (argv.json === true) ctx.stdout.write(`${JSON.stringify(response, null, 2)}\n`);
      else if (response.reviews.length === 0) ctx.stdout.write('no reviews\n');
      else for (const run of response.reviews) printRun(ctx, run);
    },
  };
}

export function reviewCommand(ctx: CliContext): CommandBody<object> {
  return {
    builder: (y) =>
      y.command(runCommand(ctx)).command(listCommand(ctx)).demandCommand(1, 'name a review command: run, list'),
    handler: () => undefined,
  };
}

import type { HealthReport } from '@agent-harness/observe';
import { ruleLoadAnswer } from '@agent-harness/app';
import { isBlocking } from '@agent-harness/rules';
import type { CommandModule } from 'yargs';
import type { CliContext } from '../cli-context.js';
import type { CommandBody } from '../lazy-command.js';
import { loadConfigFromFlags, withConfigOptions } from '../config-options.js';
import { projectArgument, scannedProject, withHarness, type ProjectFlags } from '../harness-command.js';

function loadCommand(ctx: CliContext): CommandModule<object, ProjectFlags & { json?: boolean | undefined }> {
  return {
    command: 'load [PROJECT]',
    describe: 'Load the rules of a project and say how many, from where',
    builder: (y) =>
      withConfigOptions(y)
        .positional('PROJECT', {
          type: 'string',
          describe: 'A configured project name or a directory',
        })
        .option('json', { type: 'boolean', default: false, describe: 'Print what rule_load answers (JSON-RPC)' }),
    handler: async (argv) => {
      const config = loadConfigFromFlags(ctx, argv);
      if (config === undefined) return;
      const project = scannedProject(config, ctx, argv.PROJECT);
      await withHarness(ctx, config, async (harness) => {
        const catalogue = await harness.rules.loadRules(project);
        if (argv.json === true) {
          ctx.stdout.write(`${JSON.stringify(ruleLoadAnswer(catalogue), null, 2)}\n`);
          return;
        }
        ctx.stdout.write(`Loaded ${String(catalogue.rules.length)} rules for ${project.name}\n`);
        for (const source of catalogue.sources)
          ctx.stdout.write(`  ${String(source.count).padStart(3)} ${source.kind.padEnd(8)} ${source.path}\n`);
        for (const problem of catalogue.problems)
          ctx.stderr.write(
            `warning: ${problem.source.path}${problem.line === undefined ? '' : `:${String(problem.line)}`}: ${problem.message}\n`,
          );
      });
    },
  };
}

function checkCommand(ctx: CliContext): CommandModule<object, ProjectFlags> {
  return {
    command: 'check [PROJECT]',
    describe: "Run the project's guards against its rules; exit 1 when a critical or high violation is found",
    builder: (y) => projectArgument(y),
    handler: async (argv) => {
      const config = loadConfigFromFlags(ctx, argv);
      if (config === undefined) return;
      const project = scannedProject(config, ctx, argv.PROJECT);
      const scan = await withHarness(ctx, config, (harness) => harness.rules.scan(project));
      const { violations, guards, problems } = scan.result;
      if (argv.json === true) {
        ctx.stdout.write(
          `${JSON.stringify({ scan_id: scan.scanId, project: scan.project, rules_loaded: scan.catalogue.rules.length, violations, guards, problems }, null, 2)}\n`,
        );
      } else {
        for (const v of violations)
          ctx.stdout.write(`${v.severity.toUpperCase()} ${v.file}:${String(v.line)} [${v.ruleId}] ${v.message}\n`);
        for (const p of problems) ctx.stderr.write(`guard ${p.guard}: ${p.kind}: ${p.message}\n`);
        ctx.stdout.write(
          `${String(violations.length)} violation(s) from ${String(guards.length)} guard(s), ${String(scan.catalogue.rules.length)} rules loaded (scan ${scan.scanId})\n`,
        );
      }
      if (violations.some((v) => isBlocking(v.severity))) ctx.exitCode = 1;
    },
  };
}

export function ruleCommand(ctx: CliContext): CommandBody<object> {
  return {
    builder: (y) =>
      y.command(loadCommand(ctx)).command(checkCommand(ctx)).demandCommand(1, 'name a rule command: load, check'),
    handler: () => undefined,
  };
}

function printHealth(ctx: CliContext, report: HealthReport): void {
  const out = (line: string): void => {
    ctx.stdout.write(`${line}\n`);
  };
  out(
    `${report.project ?? 'all projects'}: grade ${report.grade} (score ${report.score.toFixed(1)}), last ${String(report.window.days)} days`,
  );
  if (!report.hasData) out('  no events yet');
  for (const d of report.dimensions)
    out(`  ${d.name.padEnd(20)} ${d.score === null ? '    -' : d.score.toFixed(1).padStart(5)}  ${d.detail}`);
  const v = report.violations;
  out(
    `violations: ${String(v.total)} (critical ${String(v.bySeverity.critical)}, high ${String(v.bySeverity.high)}, medium ${String(v.bySeverity.medium)}, low ${String(v.bySeverity.low)})`,
  );
  for (const r of v.byRule.slice(0, 10)) out(`  ${r.ruleId} (${r.severity}): ${String(r.count)}`);
  out(`events: ${String(report.events.total)}`);
  for (const rec of report.recommendations) out(`- ${rec}`);
  out(`recommended GC interval: ${report.gcInterval}`);
}

export function healthCommand(ctx: CliContext): CommandBody<ProjectFlags> {
  return {
    builder: (y) => projectArgument(y),
    handler: async (argv) => {
      const config = loadConfigFromFlags(ctx, argv);
      if (config === undefined) return;
      const project = argv.PROJECT === undefined ? undefined : scannedProject(config, ctx, argv.PROJECT).name;
      const report = await withHarness(ctx, config, (harness) => harness.rules.health(project));
      if (argv.json === true) ctx.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
      else printHealth(ctx, report);
    },
  };
}

import type { LearnReport } from '@agent-harness/gc';
import type { CommandModule } from 'yargs';
import type { CliContext } from '../cli-context.js';
import type { CommandBody } from '../lazy-command.js';
import { loadConfigFromFlags } from '../config-options.js';
import { projectArgument, scannedProject, withHarness, type ProjectFlags } from '../harness-command.js';
import { stderrObserver } from './gc.command.js';

function learnKind(ctx: CliContext, kind: 'rules' | 'skills'): CommandModule<object, ProjectFlags> {
  return {
    command: `${kind} [PROJECT]`,
    describe:
      kind === 'rules'
        ? 'Have an agent distil rules (LEARN-NNN) from the drafts adopted since the last run; they are kept and used by the next scan'
        : 'Have an agent distil skills from the drafts adopted since the last run; they are kept and injected into matching task prompts',
    builder: (y) => projectArgument(y),
    handler: async (argv) => {
      const config = loadConfigFromFlags(ctx, argv);
      if (config === undefined) return;
      const project = scannedProject(config, ctx, argv.PROJECT);
      const observer = stderrObserver(ctx, project.root);
      const report: LearnReport = await withHarness(ctx, config, (harness) =>
        kind === 'rules' ? harness.gc.learnRules(project, observer) : harness.gc.learnSkills(project, observer),
      ).finally(() => {
        observer.stop();
      });
      if (argv.json === true) ctx.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
      else {
        ctx.stdout.write(
          `learned ${String(report.learned.length)} ${kind} from ${String(report.drafts)} adopted draft(s)${report.learned.length === 0 ? '' : `: ${report.learned.join(', ')}`}\n`,
        );
        if (report.duplicates.length > 0) ctx.stdout.write(`already known: ${report.duplicates.join(', ')}\n`);
      }
      for (const problem of report.problems) ctx.stderr.write(`learn: ${problem}\n`);
      if (report.problems.length > 0 && report.learned.length === 0) ctx.exitCode = 1;
    },
  };
}

export function learnCommand(ctx: CliContext): CommandBody<object> {
  return {
    builder: (y) =>
      y
        .command(learnKind(ctx, 'rules'))
        .command(learnKind(ctx, 'skills'))
        .demandCommand(1, 'name what to learn: rules, skills'),
    handler: () => undefined,
  };
}

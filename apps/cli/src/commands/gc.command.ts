import { isTerminal, type StoredTaskEvent, type Task } from '@agent-harness/queue';
import type { DraftIndexEntry, GcRunReport } from '@agent-harness/gc';
import { OPERATIONS, parseInput, type GcObserver } from '@agent-harness/app';
import type { Harness } from '@agent-harness/runtime';
import type { CommandModule } from 'yargs';
import type { CliContext } from '../cli-context.js';
import type { CommandBody } from '../lazy-command.js';
import type { StreamedEvent } from '../client/harness-client.js';
import { loadConfigFromFlags, withConfigOptions, type ConfigFlags } from '../config-options.js';
import { ProgressView } from '../exec/progress-view.js';
import { projectArgument, scannedProject, withHarness, type ProjectFlags } from '../harness-command.js';
import { describeTaskEvent } from './tasks.command.js';

const DRAFT_ID = { type: 'string', demandOption: true, describe: 'Draft id (or its first 8 characters)' } as const;
const DRAFT_STATUS_CHOICES = ['pending', 'adopted', 'rejected', 'expired'] as const;

const money = (usd: number): string => `$${usd.toFixed(2)}`;

/** A command's lines (`<label>: …`) and its agents' live work on stderr (stdout keeps the result). */
export function stderrObserver(ctx: CliContext, root: string, label = 'gc'): GcObserver & { stop(): void } {
  let view: { agent: string; view: ProgressView } | undefined;
  return {
    progress: (message) => {
      view?.view.stop();
      view = undefined;
      ctx.stderr.write(`${label}: ${message}\n`);
    },
    agentEvent: (agent, event) => {
      if (view?.agent !== agent)
        view = { agent, view: new ProgressView(ctx.stderr, ctx.stderrIsTerminal, agent, root) };
      view.view.show(event);
      if (event.type === 'completed') {
        view.view.stop();
        view = undefined;
      }
    },
    stop: () => {
      view?.view.stop();
    },
  };
}

function printRun(ctx: CliContext, report: GcRunReport): void {
  const out = (line: string): void => {
    ctx.stdout.write(`${line}\n`);
  };
  out(`GC of ${report.project}: ${String(report.signals.length)} signal(s) since ${report.since ?? 'the first event'}`);
  for (const s of report.signals) out(`  [${s.type}] ${s.key}: ${String(s.evidence.count)}`);
  out(`${String(report.drafts.length)} draft(s), ${money(report.spentUsd)} spent`);
  for (const d of report.drafts)
    out(`  ${d.id} [${d.signal.type}] ${d.artifacts.map((a) => a.path).join(', ') || '(no artifacts)'}`);
  for (const s of report.skipped) out(`  skipped [${s.signal.type}] ${s.signal.key}: ${s.reason} (${s.detail})`);
  if (report.expired.length > 0) out(`expired: ${report.expired.join(', ')}`);
  for (const p of report.problems) ctx.stderr.write(`gc: refused: ${p}\n`);
  for (const e of report.errors) ctx.stderr.write(`gc: error: ${e}\n`);
}

function runCommand(ctx: CliContext): CommandModule<object, ProjectFlags> {
  return {
    command: 'run [PROJECT]',
    describe:
      'Scan the project, find recurring problems in its telemetry and have a read-only agent draft a fix for each (within [gc] budgets)',
    builder: (y) => projectArgument(y),
    handler: async (argv) => {
      const config = loadConfigFromFlags(ctx, argv);
      if (config === undefined) return;
      const project = scannedProject(config, ctx, argv.PROJECT);
      const observer = stderrObserver(ctx, project.root);
      const report = await withHarness(ctx, config, (harness) => harness.gc.run(project, observer)).finally(() => {
        observer.stop();
      });
      if (argv.json === true) ctx.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
      else printRun(ctx, report);
      if (report.errors.length > 0) ctx.exitCode = 1;
    },
  };
}

function statusCommand(ctx: CliContext): CommandModule<object, ConfigFlags & { json?: boolean | undefined }> {
  return {
    command: 'status',
    describe: 'Count the drafts by status',
    builder: (y) => withConfigOptions(y).option('json', { type: 'boolean', default: false, describe: 'Print JSON' }),
    handler: async (argv) => {
      const config = loadConfigFromFlags(ctx, argv);
      if (config === undefined) return;
      const counts = await withHarness(ctx, config, (harness) => harness.gc.counts());
      // `gc_status`'s answer, as JSON-RPC and the operation give it.
      if (argv.json === true) ctx.stdout.write(`${JSON.stringify({ counts }, null, 2)}\n`);
      else
        ctx.stdout.write(
          `drafts: ${Object.entries(counts)
            .map(([status, n]) => `${String(n)} ${status}`)
            .join(', ')}\n`,
        );
    },
  };
}

function draftLine(d: DraftIndexEntry): string {
  const cost = d.costUsd === undefined ? '' : ` ${money(d.costUsd)}`;
  return `${d.id}  ${d.status.padEnd(8)} ${d.project}  [${d.signalType}] ${d.signalKey}  ${String(d.artifactCount)} artifact(s)${cost}  ${d.generatedAt}`;
}

function draftsCommand(
  ctx: CliContext,
): CommandModule<object, ProjectFlags & { status?: (typeof DRAFT_STATUS_CHOICES)[number] | undefined }> {
  return {
    command: 'drafts [PROJECT]',
    describe: 'List remediation drafts, newest first (all projects when none is named)',
    builder: (y) =>
      projectArgument(y).option('status', {
        choices: DRAFT_STATUS_CHOICES,
        describe: 'Only drafts with this status',
      }),
    handler: async (argv) => {
      const config = loadConfigFromFlags(ctx, argv);
      if (config === undefined) return;
      const project = argv.PROJECT === undefined ? undefined : scannedProject(config, ctx, argv.PROJECT).name;
      const drafts = await withHarness(ctx, config, (harness) =>
        harness.gc.list({ project, status: argv.status, limit: 1000 }),
      );
      if (argv.json === true) ctx.stdout.write(`${JSON.stringify(drafts, null, 2)}\n`);
      else if (drafts.length === 0) ctx.stdout.write('no drafts\n');
      else for (const d of drafts) ctx.stdout.write(`${draftLine(d)}\n`);
    },
  };
}

function showCommand(ctx: CliContext): CommandModule<object, ConfigFlags & { id: string; json?: boolean | undefined }> {
  return {
    command: 'show <id>',
    describe: "Print a draft: its signal, the agent's rationale and every artifact (read it before adopting)",
    builder: (y) =>
      withConfigOptions(y)
        .positional('id', DRAFT_ID)
        .option('json', { type: 'boolean', default: false, describe: 'Print the draft file' }),
    handler: async (argv) => {
      const config = loadConfigFromFlags(ctx, argv);
      if (config === undefined) return;
      const draft = await withHarness(ctx, config, (harness) => harness.gc.get(argv.id));
      if (argv.json === true) {
        ctx.stdout.write(`${JSON.stringify(draft, null, 2)}\n`);
        return;
      }
      const out = (line: string): void => {
        ctx.stdout.write(`${line}\n`);
      };
      out(`draft ${draft.id} (${draft.status}${draft.statusReason === undefined ? '' : `: ${draft.statusReason}`})`);
      out(
        `project ${draft.project}, signal [${draft.signal.type}] ${draft.signal.key}: ${String(draft.signal.evidence.count)}`,
      );
      out(
        `by ${draft.agent}${draft.costUsd === undefined ? '' : ` for ${money(draft.costUsd)}`} at ${draft.generatedAt}`,
      );
      if (draft.taskId !== undefined) out(`adopted by task ${draft.taskId}`);
      out('');
      out(draft.rationale);
      for (const a of draft.artifacts) {
        out('');
        out(`--- ${a.kind}: ${a.path}`);
        out(a.content.replace(/\n$/, ''));
      }
    },
  };
}

/** Runs the adoption task here (unless a server sharing the database takes it first) and follows it. */
async function followAdoption(ctx: CliContext, harness: Harness, taskId: string): Promise<Task> {
  const print = (event: StoredTaskEvent): void => {
    // Stored events hold what the engine wrote for their kind, as the server's stream reads them.
    const line = describeTaskEvent({ seq: event.seq, kind: event.kind, data: event.data } as StreamedEvent);
    if (line !== undefined) ctx.stderr.write(`${line}\n`);
  };
  let subscription: { unsubscribe(): void } | undefined;
  const followed = new Promise<void>((resolve) => {
    subscription = harness.engine.follow(taskId, 'now').subscribe({ next: print, complete: resolve, error: resolve });
  });
  harness.engine.startOnly([taskId]);
  // Ctrl-C cancels the task (its agent's processes end, its worktree goes); the loop sees it end.
  void ctx.stopSignal().then(async () => {
    await harness.engine.cancel(taskId).catch(() => undefined);
  });
  try {
    // The row says when it ended: a server sharing the database may run the task, and its events
    // do not reach this process's feed. Its end here only cuts the wait short.
    for (;;) {
      const task = await harness.tasks.get(taskId);
      if (task !== undefined && isTerminal(task.status)) return task;
      await Promise.race([followed, new Promise((r) => setTimeout(r, 250))]);
    }
  } finally {
    subscription?.unsubscribe();
  }
}

function adoptCommand(
  ctx: CliContext,
): CommandModule<object, ConfigFlags & { id: string; wait?: boolean | undefined; json?: boolean | undefined }> {
  return {
    command: 'adopt <id>',
    describe:
      'Adopt a draft: a normal task commits its artifacts on harness/gc-<id>, validates, pushes, opens the PR and has it reviewed (never touching your checkout)',
    builder: (y) =>
      withConfigOptions(y)
        .positional('id', DRAFT_ID)
        .option('wait', {
          type: 'boolean',
          default: true,
          describe: 'Run and follow the task here until it ends (--no-wait: only queue it for a running server)',
        })
        .option('json', { type: 'boolean', default: false, describe: 'Print JSON' }),
    handler: async (argv) => {
      const config = loadConfigFromFlags(ctx, argv);
      if (config === undefined) return;
      await withHarness(ctx, config, async (harness) => {
        await harness.syncProjects();
        const { draft, taskId } = await harness.gc.adopt(argv.id);
        ctx.stderr.write(
          `gc: draft ${draft.id} adopted: task ${taskId} on branch harness/gc-${draft.id.slice(0, 8)}\n`,
        );
        if (argv.wait === false) {
          if (argv.json === true) ctx.stdout.write(`${JSON.stringify({ draft_id: draft.id, task_id: taskId })}\n`);
          else ctx.stdout.write(`${taskId}\n`);
          return;
        }
        const task = await followAdoption(ctx, harness, taskId);
        if (argv.json === true)
          ctx.stdout.write(
            `${JSON.stringify({ draft_id: draft.id, task_id: taskId, status: task.status, pr_url: task.prUrl ?? null, branch: task.branch ?? null })}\n`,
          );
        else ctx.stdout.write(`${task.status}${task.prUrl === undefined ? '' : ` ${task.prUrl}`}\n`);
        if (task.status !== 'done') {
          if (task.error !== undefined) ctx.stderr.write(`harness: task ${taskId} ${task.status}: ${task.error}\n`);
          ctx.exitCode = 1;
        }
      });
    },
  };
}

function rejectCommand(
  ctx: CliContext,
): CommandModule<object, ConfigFlags & { id: string; reason?: string | undefined; json?: boolean | undefined }> {
  return {
    command: 'reject <id>',
    describe: 'Reject a pending draft, with the reason recorded',
    builder: (y) =>
      withConfigOptions(y)
        .positional('id', DRAFT_ID)
        .option('reason', { type: 'string', describe: 'Why (kept with the draft and its gc_reject event)' })
        .option('json', { type: 'boolean', default: false, describe: 'Print what gc_reject answers (JSON-RPC)' }),
    handler: async (argv) => {
      const config = loadConfigFromFlags(ctx, argv);
      if (config === undefined) return;
      const rejected = await withHarness(ctx, config, (harness) =>
        harness.operations.gc_reject(
          parseInput(OPERATIONS.gc_reject.input, { draft_id: argv.id, reason: argv.reason }),
        ),
      );
      ctx.stdout.write(
        argv.json === true
          ? `${JSON.stringify(rejected)}\n`
          : `draft ${rejected.draft_id} rejected${argv.reason === undefined ? '' : `: ${argv.reason}`}\n`,
      );
    },
  };
}

export function gcCommand(ctx: CliContext): CommandBody<object> {
  return {
    builder: (y) =>
      y
        .command(runCommand(ctx))
        .command(statusCommand(ctx))
        .command(draftsCommand(ctx))
        .command(showCommand(ctx))
        .command(adoptCommand(ctx))
        .command(rejectCommand(ctx))
        .demandCommand(1, 'name a gc command: run, status, drafts, show, adopt, reject'),
    handler: () => undefined,
  };
}

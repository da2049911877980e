import type { TaskListInput } from '@agent-harness/app';
import type { ApiReviewOutcome } from '@agent-harness/core';
import type { CommandModule } from 'yargs';
import type { CliContext } from '../cli-context.js';
import type { CommandBody } from '../lazy-command.js';
import type { HarnessClient, StreamedEvent } from '../client/harness-client.js';
import { clientFor, withServer, type ServerFlags } from '../client/server-flags.js';
import { describeEvent } from '../exec/progress-view.js';
import { reportError } from '../exit-codes.js';

const TASK_ID = {
  type: 'string',
  demandOption: true,
  describe: 'Task id, or a unique prefix of at least 8 characters',
} as const;

/** "grade B (score 80) · review approved" */
function gradeLine(grade: string, score: number | null, review: ApiReviewOutcome | null): string {
  return `grade ${grade}${score === null ? '' : ` (score ${String(score)})`}${review === null ? '' : ` · review ${review}`}`;
}

/** Runs a command body; errors are reported the CLI's way. */
export function guarded<A>(ctx: CliContext, body: (args: A) => Promise<void>): (args: A) => Promise<void> {
  return async (args) => {
    try {
      await body(args);
    } catch (error) {
      reportError(ctx, error);
    }
  };
}

/** `<data_dir>/worktrees/<task id>/`, the start of every path an agent reports in a task. */
const WORKTREE_PREFIX = /\S*\/worktrees\/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\//g;

/** A readable line for one streamed task event, or undefined for events not worth a line. */
export function describeTaskEvent(event: StreamedEvent): string | undefined {
  switch (event.kind) {
    case 'status': {
      const { from, to, reason } = event.data;
      return `● ${from ?? 'new'} → ${to}${reason === undefined ? '' : ` (${reason})`}`;
    }
    case 'log':
    case 'output_truncated':
      return `· ${event.data.message}`;
    case 'agent':
      // Paths inside the task's worktree are shown relative to it, as `harness exec` shows them.
      return describeEvent(event.data)?.replace(WORKTREE_PREFIX, '');
    case 'end': {
      const { status, commit, branch, error } = event.data;
      return `■ ${status}${commit === undefined ? '' : ` (commit ${commit.slice(0, 12)} on ${String(branch)})`}${error === undefined ? '' : `: ${error}`}`;
    }
    // Validation runs and review rounds get no line of their own; a kind from a newer server neither.
    case 'validation':
    case 'review':
    default:
      return undefined;
  }
}

/** Follows a task until it ends; exit code 0 when it is done. */
async function follow(ctx: CliContext, client: HarnessClient, id: string, from: number, json: boolean): Promise<void> {
  let status = '';
  const controller = new AbortController();
  void ctx.stopSignal().then(() => {
    controller.abort();
  });
  const watched = await client.watch(
    id,
    from,
    (event) => {
      if (json) ctx.stdout.write(`${JSON.stringify(event)}\n`);
      else {
        const line = describeTaskEvent(event);
        if (line !== undefined) ctx.stdout.write(`${line}\n`);
      }
      if (event.kind === 'end') status = event.data.status;
    },
    controller.signal,
  );
  if (watched === 'over') {
    // Nothing after `from`: the task had ended; its row says how.
    status = (await client.call('task_get', { task_id: id })).status;
    if (!json) ctx.stdout.write(`■ ${status} (no events after ${String(from)})\n`);
  }
  if (status !== 'done') ctx.exitCode = controller.signal.aborted ? 130 : 1;
}

export function tasksCommand(ctx: CliContext): CommandBody<object> {
  const submit: CommandModule<
    object,
    ServerFlags & {
      project?: string | undefined;
      prompt?: string | undefined;
      issue?: number | undefined;
      pr?: number | undefined;
      description?: string | undefined;
      agent?: string | undefined;
      model?: string | undefined;
      plan?: string | undefined;
      milestone?: number | undefined;
      watch?: boolean | undefined;
    }
  > = {
    command: 'submit',
    describe: 'Queue a task (one of --prompt, --issue, --pr); prints its id',
    builder: (y) =>
      withServer(y)
        .option('project', { type: 'string', describe: 'Project name or root path (default: the default project)' })
        .option('prompt', { type: 'string', describe: 'What the agent should do' })
        .option('issue', { type: 'number', describe: 'A GitHub issue number' })
        .option('pr', { type: 'number', describe: 'A pull request number' })
        .option('description', { type: 'string', describe: 'Short title; also the commit message' })
        .option('agent', {
          type: 'string',
          describe: "claude, codex, anthropic-api or auto (default: the project's, then [agents] default_agent)",
        })
        .option('model', {
          type: 'string',
          describe: "Model name passed to the agent (default: the agent's default_model)",
        })
        .option('plan', {
          type: 'string',
          describe: 'An exec plan id (harness plan list): the task completes --milestone when it ends done',
        })
        .option('milestone', {
          type: 'number',
          describe: "The index of the plan's milestone the task does (0 is the first, as in the API)",
        })
        .option('watch', { type: 'boolean', default: false, describe: 'Then follow it until it ends' }),
    handler: guarded(ctx, async (a) => {
      const client = await clientFor(ctx, a);
      const created = await client.call('task_submit', {
        project: a.project,
        prompt: a.prompt,
        issue: a.issue,
        pr: a.pr,
        description: a.description,
        agent: a.agent,
        model: a.model,
        // Checked by the server: both or neither, an open plan with that milestone.
        plan_id: a.plan,
        milestone: a.milestone,
      });
      ctx.stdout.write(
        a.json === true
          ? `${JSON.stringify(created)}\n`
          : `${created.task_id} ${created.status}${created.existing === true ? ' existing' : ''}\n`,
      );
      if (a.watch === true) await follow(ctx, client, created.task_id, 0, a.json === true);
    }),
  };
  const list: CommandModule<
    object,
    ServerFlags & {
      status?: string | undefined;
      project?: string | undefined;
      limit?: number | undefined;
      offset?: number | undefined;
    }
  > = {
    command: 'list',
    describe: 'List tasks, newest first',
    builder: (y) =>
      withServer(y)
        .option('status', {
          type: 'string',
          describe: 'Only tasks in this status (queued, running, done, failed, cancelled, ...)',
        })
        .option('project', { type: 'string', describe: 'Only tasks of this project' })
        .option('limit', { type: 'number', default: 20, describe: 'At most this many tasks' })
        .option('offset', { type: 'number', default: 0, describe: 'Skip this many tasks first (for paging)' }),
    handler: guarded(ctx, async (a) => {
      const page = await (
        await clientFor(ctx, a)
      ).call('task_list', {
        // Checked by the server, which names the statuses it knows.
        status: a.status as TaskListInput['status'],
        project: a.project,
        limit: a.limit,
        offset: a.offset,
      });
      if (a.json === true) {
        ctx.stdout.write(`${JSON.stringify(page)}\n`);
        return;
      }
      for (const t of page.tasks)
        ctx.stdout.write(`${t.id}  ${t.status.padEnd(10)} ${t.project.padEnd(12)} ${t.title}\n`);
      ctx.stdout.write(`${String(page.tasks.length)} of ${String(page.total)} task(s)\n`);
    }),
  };
  const show: CommandModule<object, ServerFlags & { id: string }> = {
    command: 'show <id>',
    describe: 'Show one task with its status history',
    builder: (y) => withServer(y).positional('id', TASK_ID),
    handler: guarded(ctx, async (a) => {
      const t = await (await clientFor(ctx, a)).call('task_get', { task_id: a.id });
      if (a.json === true) {
        ctx.stdout.write(`${JSON.stringify(t, null, 2)}\n`);
        return;
      }
      const lines = [
        `${t.id}  ${t.title}`,
        `project ${t.project} · status ${t.status} · attempt ${String(t.attempt)}${t.agent === null ? '' : ` · agent ${t.agent}`}`,
        ...(t.branch === null ? [] : [`branch ${t.branch}${t.commit === null ? '' : ` · commit ${t.commit}`}`]),
        ...(t.pr_url === null ? [] : [`pull request ${t.pr_url}`]),
        // What its agent runs spent; an agent that reports no dollars shows tokens only.
        `spent ${t.cost_usd === null ? 'no dollars reported' : `$${t.cost_usd.toFixed(2)}`} · tokens ${String(t.tokens.input)} in, ${String(t.tokens.output)} out`,
        ...(t.grade === null ? [] : [gradeLine(t.grade, t.score, t.review_outcome)]),
        ...(t.error === null ? [] : [`error: ${t.error}`]),
        // A spent daily limit holds it (spend limits): it starts when the day turns.
        ...(t.waiting === null
          ? []
          : [
              `waiting: ${t.waiting.reason} until ${t.waiting.until} (${t.waiting.scope === 'global' ? 'all projects' : 'project'} daily limit $${t.waiting.limit_usd.toFixed(2)} spent)`,
            ]),
        ...t.history.map((h) => `  ${h.at}  ${h.to}${h.reason === undefined ? '' : ` (${h.reason})`}`),
      ];
      ctx.stdout.write(`${lines.join('\n')}\n`);
    }),
  };
  const watch: CommandModule<object, ServerFlags & { id: string; from?: number | undefined }> = {
    command: 'watch <id>',
    describe: "Follow a task's events live until it ends (exit 0 when it is done)",
    builder: (y) =>
      withServer(y)
        .positional('id', TASK_ID)
        .option('from', { type: 'number', default: 0, describe: 'Start after this event number' }),
    handler: guarded(ctx, async (a) => {
      await follow(ctx, await clientFor(ctx, a), a.id, a.from ?? 0, a.json === true);
    }),
  };
  const cancel: CommandModule<object, ServerFlags & { id: string }> = {
    command: 'cancel <id>',
    describe: 'Cancel a queued or running task',
    builder: (y) => withServer(y).positional('id', TASK_ID),
    handler: guarded(ctx, async (a) => {
      const t = await (await clientFor(ctx, a)).call('task_cancel', { task_id: a.id });
      ctx.stdout.write(a.json === true ? `${JSON.stringify(t)}\n` : `${t.id} ${t.status}\n`);
    }),
  };
  const followUp: CommandModule<object, ServerFlags & { id: string; prompt: string }> = {
    command: 'follow-up <id> <prompt>',
    describe:
      'Send a task more work: its agent goes on, on the same branch, and pushes to the same pull request (an ended task is reopened)',
    builder: (y) =>
      withServer(y)
        .positional('id', TASK_ID)
        .positional('prompt', { type: 'string', demandOption: true, describe: 'What to do next' }),
    handler: guarded(ctx, async (a) => {
      const t = await (await clientFor(ctx, a)).call('task_follow_up', { task_id: a.id, prompt: a.prompt });
      ctx.stdout.write(a.json === true ? `${JSON.stringify(t)}\n` : `${t.id} ${t.status}\n`);
    }),
  };
  const approve: CommandModule<object, ServerFlags & { id: string }> = {
    command: 'approve <id>',
    describe: 'Approve the step a task is held at ([approvals] before): its push, pull request or merge',
    builder: (y) => withServer(y).positional('id', TASK_ID),
    handler: guarded(ctx, async (a) => {
      const t = await (await clientFor(ctx, a)).call('task_approve', { task_id: a.id });
      ctx.stdout.write(a.json === true ? `${JSON.stringify(t)}\n` : `${t.id} ${t.status}\n`);
    }),
  };
  const reject: CommandModule<object, ServerFlags & { id: string; reason?: string | undefined }> = {
    command: 'reject <id>',
    describe: 'Reject the step a task is held at: a push or pull request cancels it; a merge leaves the PR open',
    builder: (y) =>
      withServer(y).positional('id', TASK_ID).option('reason', { type: 'string', describe: 'Why, said on the task' }),
    handler: guarded(ctx, async (a) => {
      const t = await (
        await clientFor(ctx, a)
      ).call('task_reject', {
        task_id: a.id,
        ...(a.reason === undefined ? {} : { reason: a.reason }),
      });
      ctx.stdout.write(a.json === true ? `${JSON.stringify(t)}\n` : `${t.id} ${t.status}\n`);
    }),
  };
  return {
    builder: (y) =>
      y
        .command(submit)
        .command(list)
        .command(show)
        .command(watch)
        .command(cancel)
        .command(followUp)
        .command(approve)
        .command(reject)
        .demandCommand(1, 'name a tasks command: submit, list, show, watch, cancel, follow-up, approve, reject'),
    handler: () => undefined,
  };
}

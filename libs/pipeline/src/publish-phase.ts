import type { LogEventData } from '@agent-harness/core';
import type { Task } from '@agent-harness/queue';
import type { PullRequestWriter } from './pull-request-writer.js';
import type { RunContext } from './run-context.js';
import { next, type PhaseResult } from './run-outcome.js';
import { cutText, errorLine } from './task-title.js';

/**
 * Which change is published: the first implementation, a fix asked for by a review round, or a
 * round on a published task (a CI fix, an answer to requested changes, a follow-up).
 */
export type PublishStage = 'implementation' | 'review fix' | 'round';

/**
 * Publish: Harness commits the agent's change (none is a failure on the first implementation of
 * an issue or prompt), runs `pre_push`, pushes when there is an origin, opens the PR (once) when
 * GitHub is configured, and stores the `published` checkpoint. Answers the commit. With
 * `[approvals] before`, the first push and the pull request wait for a person (`wait`).
 */
export async function publish(
  ctx: RunContext,
  commitMessage: (task: Task) => string,
  stage: PublishStage,
): Promise<PhaseResult<string>> {
  const { project, worktree } = ctx.workspace;
  await ctx.apply('validated');
  const commit = await ctx.deps.worktrees.commitAll(
    project.root,
    worktree.path,
    commitMessage(await ctx.refresh()),
    ctx.signal,
  );
  if (commit === undefined) {
    if (stage !== 'implementation') {
      await ctx.log(stage === 'review fix' ? 'the review fix changed nothing' : 'the round changed nothing');
      return next(ctx.task.commit ?? '');
    }
    return ctx.task.kind === 'pr'
      ? nothingToChange(ctx)
      : { kind: 'failed', error: 'agent made no changes', failureClass: 'no_changes' };
  }
  await ctx.set({ commit }, { kind: 'log', data: await commitLog(ctx, commit) });
  if ((await ctx.deps.worktrees.originUrl(project.root)) === undefined) return next(commit);
  if (ctx.deps.validation.prePush.length > 0) {
    const checks = await ctx.runChecks(ctx.deps.validation.prePush);
    await ctx.event('validation', {
      stage: 'pre_push',
      ok: checks.ok,
      source: 'config',
      outcomes: checks.outcomes,
      ...(checks.cancelled ? { cancelled: true } : {}),
    });
    if (checks.cancelled || ctx.signal.aborted) return { kind: 'cancelled' };
    const failure = checks.outcomes.at(-1);
    if (!checks.ok && failure !== undefined)
      return {
        kind: 'failed',
        error: `pre_push failed: \`${failure.command}\` exited with code ${String(failure.exitCode)}`,
        failureClass: 'validation_failed',
      };
  }
  // The change leaves this machine only once a person approved it (its first push only).
  if (stage === 'implementation' && ctx.task.kind !== 'pr' && ctx.approves('push')) return hold(ctx, 'push', commit);
  return pushAndOpen(ctx, commit, stage);
}

/**
 * The rest of a publication a person approved (a `round` of kind `approved`): the push the task was
 * held before (from its kept local branch), then the pull request. Starts from `preparing`.
 */
export async function publishApproved(ctx: RunContext, stage: 'push' | 'pr'): Promise<PhaseResult<string>> {
  await ctx.apply('approved', `a person approved the ${stage === 'push' ? 'push' : 'pull request'}`);
  const commit = ctx.task.commit ?? (await ctx.deps.worktrees.head(ctx.workspace.worktree.path));
  if (stage === 'pr') return openPr(ctx, commit, 'implementation', { approved: true });
  return pushAndOpen(ctx, commit, 'implementation');
}

/** Pushes the committed change, then opens its pull request (or says it was updated). */
async function pushAndOpen(ctx: RunContext, commit: string, stage: PublishStage): Promise<PhaseResult<string>> {
  const { project, worktree } = ctx.workspace;
  // Only a task's first publication may rebuild its branch (a retry starts again from the base);
  // a pull request's own branch, and a published one that fixes and rounds add to, never are (a
  // person may have pushed to it).
  const force = ctx.task.kind !== 'pr' && stage === 'implementation';
  await ctx.deps.worktrees.push(project.root, worktree.path, worktree.branch, force, ctx.signal);
  await ctx.log(`pushed ${worktree.branch} to origin`);
  return openPr(ctx, commit, stage);
}

/** After the push: the pull request (held for a person first with `before = ["pr"]`), and the checkpoint. */
async function openPr(
  ctx: RunContext,
  commit: string,
  stage: PublishStage,
  options: { readonly approved?: boolean } = {},
): Promise<PhaseResult<string>> {
  const writer = ctx.prWriter();
  if (writer !== undefined) {
    const task = await ctx.refresh();
    const first = stage === 'implementation' && task.kind !== 'pr' && task.prNumber === undefined;
    if (first && options.approved !== true && ctx.approves('pr')) return hold(ctx, 'pr', commit);
    await openOrCommentPr(ctx, writer, commit, stage);
  } else if (stage === 'implementation')
    // Said, so a task that ends done without a pull request is not a mystery.
    await ctx.log(
      ctx.deps.github === undefined
        ? 'no pull request: the server has no GitHub token (GITHUB_TOKEN)'
        : 'no pull request: the project has no GitHub repository ([[projects]] repo, or an origin on GitHub)',
    );
  if (stage === 'implementation')
    await ctx.set(
      { checkpoint: 'published' },
      { kind: 'log', data: { message: 'checkpoint: published (a restart resumes with the review)' } },
    );
  return next(commit);
}

/** The run ends here; the task waits for a person to approve `stage` (see the watcher). */
async function hold(ctx: RunContext, stage: 'push' | 'pr', commit: string): Promise<PhaseResult<string>> {
  await ctx.log(
    stage === 'push'
      ? `held for approval before pushing ${commit.slice(0, 12)} ([approvals] before = "push"): approve or reject the task`
      : `held for approval before opening the pull request ([approvals] before = "pr"): approve or reject the task`,
  );
  return { kind: 'wait', status: 'awaiting_approval', stage, commit };
}

/** The diff stat files a commit's log event lists; `files_changed` still counts them all. */
const DIFF_STAT_FILES = 200;
/** The most of a change a commit's log event keeps as its patch (the task's artifacts show it). */
const PATCH_CHARS = 256_000;

/**
 * The commit step's log event, with what the task's change now touches against its base and the
 * change itself (read once here, so neither a dashboard nor the task's artifacts run git later, when
 * the branch may be gone). A stat git cannot give is said, not faked.
 */
async function commitLog(ctx: RunContext, commit: string): Promise<LogEventData> {
  const { worktree } = ctx.workspace;
  const short = commit.slice(0, 12);
  try {
    // A patch git cannot give (past its output cap) leaves the stat as it is.
    const { stat, patch } = await ctx.deps.worktrees.diffWithStat(
      worktree.path,
      worktree.base,
      PATCH_CHARS,
      ctx.signal,
    );
    const count = stat.files.length;
    return {
      message: `committed ${short}: ${String(count)} file${count === 1 ? '' : 's'} changed, +${String(stat.insertions)} -${String(stat.deletions)} against ${worktree.base}`,
      diff_stat: {
        files_changed: count,
        insertions: stat.insertions,
        deletions: stat.deletions,
        files: stat.files.slice(0, DIFF_STAT_FILES),
      },
      patch,
    };
  } catch (error) {
    return {
      message: `committed ${short} (no diff stat: ${errorLine(error)})`,
    };
  }
}

/**
 * A pull request whose agent found nothing to change: that is an answer, not a failure. It is
 * reported on the PR, and there is nothing of Harness's to review.
 */
async function nothingToChange(ctx: RunContext): Promise<PhaseResult<string>> {
  const { worktree } = ctx.workspace;
  const summary = ctx.summary === '' ? 'The agent made no change.' : ctx.summary;
  await ctx.log('the agent found nothing to change on the pull request');
  await ctx.postOnPr(
    `Harness looked at this pull request and found nothing to change (task ${ctx.task.id}).\n\n${cutText(summary, 20_000)}`,
  );
  return {
    kind: 'done',
    commit: await ctx.deps.worktrees.head(worktree.path),
    review: { outcome: 'not_needed', rounds: 0, unresolved: [] },
  };
}

/** After a push: the first PR of a task branch, or a comment on the PR a PR task works on. */
async function openOrCommentPr(
  ctx: RunContext,
  writer: PullRequestWriter,
  commit: string,
  stage: PublishStage,
): Promise<void> {
  const { project, worktree } = ctx.workspace;
  const task = await ctx.refresh();
  if (task.kind === 'pr') {
    if (stage === 'implementation' && task.prNumber !== undefined)
      await writer.comment(
        task.prNumber,
        `Harness pushed ${commit.slice(0, 12)} addressing the open review comments and checks (task ${task.id}).`,
      );
    return;
  }
  if (task.prNumber !== undefined) {
    if (stage === 'round') await writer.comment(task.prNumber, roundComment(task, commit));
    return;
  }
  const pr = await writer.open(
    task,
    ctx.summary,
    worktree.branch,
    project.baseBranch ?? (await ctx.deps.worktrees.defaultBranch(project.root)),
  );
  await ctx.set(
    { prNumber: pr.number, prUrl: pr.url },
    {
      kind: 'log',
      data: {
        message: `${pr.created ? 'opened' : 'found the open'} pull request #${String(pr.number)}: ${pr.url}`,
        pr: pr.number,
        url: pr.url,
      },
    },
  );
  for (const problem of pr.problems) await ctx.log(`pull request #${String(pr.number)}: ${problem}`);
  // A retry (or a restart) pushed to a pull request an earlier task opened: its readers hear of it.
  if (!pr.created)
    await writer.comment(
      pr.number,
      `Harness task ${task.id} pushed ${commit.slice(0, 12)} to this pull request${task.issue === undefined ? '' : ` (a new attempt at #${String(task.issue)})`}.`,
    );
}

/** What a round's push says on the pull request. */
function roundComment(task: Task, commit: string): string {
  const round = task.loop?.round;
  const what =
    round?.kind === 'ci_fix'
      ? 'a fix for the failed CI'
      : round?.kind === 'review_feedback'
        ? 'changes answering the review'
        : round?.kind === 'follow_up'
          ? 'a follow-up'
          : 'a change';
  return `Harness pushed ${commit.slice(0, 12)}: ${what} (task ${task.id}).`;
}

import type { AgentRunner } from '@agent-harness/agents';
import type { OutputCountsJson } from '@agent-harness/core';
import type { Task } from '@agent-harness/queue';
import type { Verdict } from '@agent-harness/review';
import { runAgentSession } from './agent-step.js';
import { implementAndValidate } from './implement-phase.js';
import { prepare } from './prepare-phase.js';
import { publish, publishApproved } from './publish-phase.js';
import { runReview, type ReviewResult, type ReviewSteps } from './review-phase.js';
import { RunContext, type RunWriter, type TaskRunDeps } from './run-context.js';
import { next, type PhaseResult, type RunOutcome } from './run-outcome.js';
import { beforeRemove } from './workspace-setup.js';

export type { RunOutcome } from './run-outcome.js';
export type { ReviewResult } from './review-phase.js';
export type { TaskRunDeps } from './run-context.js';

/** What the agent CLIs say when asked to resume a session they do not have. */
const UNKNOWN_SESSION = /no conversation found|(?:session|thread|rollout)[^\n]{0,40}not found/i;

/**
 * Runs one task through its phases: prepare → implement + validate → publish → review. Each phase
 * answers a PhaseResult: go on, or the run's outcome. The engine records the outcome and cleans up.
 */
export class TaskRun {
  private readonly ctx: RunContext;

  constructor(started: Task, deps: TaskRunDeps, signal: AbortSignal, write: RunWriter) {
    this.ctx = new RunContext(started, deps, signal, write);
  }

  /** The repository whose shared git state the engine releases once the run is over. */
  get guardedRepository(): string | undefined {
    return this.ctx.guardedRoot;
  }

  /**
   * The worktree to release and its repository, once the run is over, with the setup key its
   * dependency folders answer to (undefined when its setup did not finish).
   */
  get cleanup(): { repoRoot: string; path: string; setupKey: string | undefined } | undefined {
    const { project, worktree } = this.ctx;
    return worktree === undefined || project === undefined
      ? undefined
      : { repoRoot: project.root, path: worktree.path, setupKey: this.ctx.setupKey };
  }

  /**
   * What runs before the worktree is released (the original's `before_remove_hook`); answers
   * whether anything ran. Never throws.
   */
  teardown(): Promise<boolean> {
    return beforeRemove(this.ctx).catch(() => true);
  }

  /** The task as this run last wrote it. */
  get current(): Task {
    return this.ctx.task;
  }

  /** What became of the agents' output once it was cut at the task's limit; undefined otherwise. */
  get outputCounts(): OutputCountsJson | undefined {
    return this.ctx.outputCounts;
  }

  async run(title: string, commitMessage: (task: Task) => string): Promise<RunOutcome> {
    const ctx = this.ctx;
    const prepared = await prepare(ctx, title);
    if (prepared.kind !== 'next') return prepared;
    const { prompt, reviewBase, resumed, implementer, round } = prepared.value;
    // Whether this run's change gets the independent review: a new change does (the first
    // implementation, a follow-up); a fix for CI or for a person's review comments does not.
    let reviewed = true;
    if (round?.kind === 'approved' && (round.stage === 'push' || round.stage === 'pr')) {
      const published = await publishApproved(ctx, round.stage);
      if (published.kind !== 'next') return published;
    } else if (resumed && round !== undefined) {
      const before = ctx.task.commit;
      const implemented = await this.continueSession(implementer, prompt, reviewBase);
      if (implemented.kind !== 'next') return implemented;
      const published = await publish(ctx, commitMessage, 'round');
      if (published.kind !== 'next') return published;
      if (published.value === before) {
        // Nothing pushed: the head the round was queued on is the head, and no thread is answered.
        const loop = ctx.task.loop;
        if (loop !== undefined) await ctx.set({ loop: { ...loop, staleHead: undefined } });
      } else if (round.kind === 'review_feedback') await this.replyOnThreads(round.replyTo ?? []);
      reviewed = round.kind === 'follow_up';
    } else if (resumed) {
      const pr = ctx.task.prNumber === undefined ? '' : ` and PR #${String(ctx.task.prNumber)} is open`;
      const approved = ctx.task.checkpoint === 'approved';
      await ctx.log(
        `resuming after a restart: ${ctx.task.branch ?? ''} is pushed${pr}${approved ? ', and its review approved it' : ''}`,
      );
      if (approved) {
        const rounds = ctx.task.reviewRounds;
        return this.settle(ctx.task.commit ?? '', { outcome: 'approved', rounds, unresolved: [] });
      }
    } else {
      const implemented = await implementAndValidate(ctx, implementer, prompt, undefined);
      if (implemented.kind !== 'next') return implemented;
      const published = await publish(ctx, commitMessage, 'implementation');
      if (published.kind !== 'next') return published;
    }

    if (!reviewed) {
      const task = await ctx.refresh();
      return this.settle(task.commit ?? '', {
        outcome: task.reviewOutcome ?? 'disabled',
        rounds: task.reviewRounds,
        unresolved: [],
      });
    }
    // A follow-up's review gets its own rounds, after those the task spent already.
    const extraRounds = round?.kind === 'follow_up' ? ctx.task.reviewRounds : 0;
    const entry = resumed && round === undefined;
    const review = await this.review(implementer, reviewBase, title, prompt, commitMessage, entry, extraRounds);
    if (review.kind !== 'next') return review;
    return this.settle((await ctx.refresh()).commit ?? '', review.value);
  }

  /**
   * How a run whose change is published and reviewed ends: `done`, or, when its pull request's CI
   * is watched, `waiting_ci` (the watcher ends it). A draft pull request is marked ready here, once
   * validation and the review passed.
   */
  private async settle(commit: string, review: ReviewResult): Promise<RunOutcome> {
    const ctx = this.ctx;
    const task = await ctx.refresh();
    const settings = ctx.deps.pullRequests;
    const writer = ctx.prWriter();
    if (task.prNumber !== undefined && writer !== undefined && task.kind !== 'pr') {
      if (settings?.draft === true && review.outcome !== 'changes_requested') {
        const ready = await writer.markReady(task.prNumber).catch(async (error: unknown) => {
          await ctx.log(`could not mark pull request #${String(task.prNumber)} ready: ${String(error)}`);
          return false;
        });
        if (ready) await ctx.log(`marked pull request #${String(task.prNumber)} ready for review`);
      }
      if (settings?.watchCi === true) {
        await ctx.log(`waiting for the CI of pull request #${String(task.prNumber)}`);
        return { kind: 'wait', status: 'waiting_ci', commit, review };
      }
    }
    return { kind: 'done', commit, review };
  }

  /**
   * A round continues the implementer's session. A session this machine does not have (the task ran
   * on another server of the fleet, or the agent pruned it) is no reason to fail: a new session is
   * told the branch holds the change so far.
   */
  private async continueSession(implementer: AgentRunner, prompt: string, base: string): Promise<PhaseResult> {
    const ctx = this.ctx;
    const session = ctx.task.sessionId;
    const continued = await implementAndValidate(ctx, implementer, prompt, session);
    if (session === undefined || continued.kind !== 'failed' || !UNKNOWN_SESSION.test(continued.error))
      return continued;
    await ctx.log(`the agent's earlier session ${session} is not on this machine: a new session takes the round`);
    return implementAndValidate(
      ctx,
      implementer,
      `${prompt}\n\nYour earlier session is not available. This branch holds the change made so far: read it with \`git log\` and \`git diff ${base}\` before you change anything.`,
      undefined,
    );
  }

  /** After a fix for a person's review: each of their comments is answered on its thread. */
  private async replyOnThreads(commentIds: readonly number[]): Promise<void> {
    const ctx = this.ctx;
    const { github } = ctx.deps;
    const prNumber = ctx.task.prNumber;
    if (github === undefined || ctx.repo === undefined || prNumber === undefined) return;
    const commit = (ctx.task.commit ?? '').slice(0, 12);
    const summary = ctx.summary.trim() === '' ? '' : `\n\n${ctx.deps.redact(ctx.summary.trim()).slice(0, 2000)}`;
    for (const id of commentIds) {
      await github
        .replyToReviewComment(
          ctx.repo,
          prNumber,
          id,
          `Addressed in ${commit} (Harness task ${ctx.task.id}).${summary}`,
          {
            signal: ctx.signal,
          },
        )
        .catch(async (error: unknown) => {
          await ctx.log(`could not reply to review comment ${String(id)}: ${String(error)}`);
        });
    }
  }

  /** The independent review (see review-phase.ts), with this run's steps. */
  private review(
    implementer: AgentRunner,
    base: string,
    title: string,
    request: string,
    commitMessage: (task: Task) => string,
    resumed: boolean,
    extraRounds: number,
  ): Promise<PhaseResult<ReviewResult>> {
    const ctx = this.ctx;
    const { worktree } = ctx.workspace;
    // A resumed task enters its first round from `preparing`; every other round from its publication.
    let entry: 'resume' | 'committed' = resumed ? 'resume' : 'committed';
    const steps: ReviewSteps = {
      startRound: async (reason) => {
        const transition = entry;
        entry = 'committed';
        await ctx.apply(transition, reason);
      },
      startFix: (reason) => ctx.apply('reviewFix', reason),
      set: (changes, event) => ctx.set(changes, event),
      log: (message) => ctx.log(message),
      roundsDone: async () => (await ctx.refresh()).reviewRounds,
      diff: () => ctx.deps.worktrees.diff(worktree.path, base, 60_000, ctx.signal),
      runReviewer: (reviewer, prompt, resumeSessionId) =>
        runAgentSession(ctx, reviewer, 'reviewer', prompt, { resumeSessionId, phase: 'validation' }),
      fix: async (prompt) => {
        const fixed = await implementAndValidate(ctx, implementer, prompt, ctx.task.sessionId);
        if (fixed.kind !== 'next') return fixed;
        const published = await publish(ctx, commitMessage, 'review fix');
        return published.kind === 'next' ? next() : published;
      },
      postReview: (round, reviewer, verdict) => this.postReview(round, reviewer, verdict),
      postOnPr: (text) => ctx.postOnPr(text),
      aborted: () => ctx.signal.aborted,
      task: () => ctx.refresh(),
    };
    const { review } = ctx.deps;
    const maxRounds =
      extraRounds + (ctx.task.seed === undefined ? review.maxRounds : (review.adoptionMaxRounds ?? review.maxRounds));
    return runReview({ ...review, maxRounds, agents: ctx.deps.agents }, steps, implementer.name, title, request);
  }

  private async postReview(round: number, reviewer: string, verdict: Verdict): Promise<void> {
    const prNumber = this.ctx.task.prNumber;
    if (prNumber !== undefined) await this.ctx.prWriter()?.review(prNumber, round, reviewer, verdict);
  }
}

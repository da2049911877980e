import type { AgentRunner } from '@agent-harness/agents';
import type { OutputCountsJson } from '@agent-harness/core';
import type { Task } from '@agent-harness/queue';
import type { Verdict } from '@agent-harness/review';
import { runAgentSession } from './agent-step.js';
import { implementAndValidate } from './implement-phase.js';
import { prepare } from './prepare-phase.js';
import { publish } from './publish-phase.js';
import { runReview, type ReviewResult, type ReviewSteps } from './review-phase.js';
import { RunContext, type RunWriter, type TaskRunDeps } from './run-context.js';
import { next, type PhaseResult, type RunOutcome } from './run-outcome.js';
import { beforeRemove } from './workspace-setup.js';

export type { RunOutcome } from './run-outcome.js';
export type { ReviewResult } from './review-phase.js';
export type { TaskRunDeps } from './run-context.js';

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
    const { prompt, reviewBase, resumed, implementer } = prepared.value;

    if (resumed) {
      const pr = ctx.task.prNumber === undefined ? '' : ` and PR #${String(ctx.task.prNumber)} is open`;
      const approved = ctx.task.checkpoint === 'approved';
      await ctx.log(
        `resuming after a restart: ${ctx.task.branch ?? ''} is pushed${pr}${approved ? ', and its review approved it' : ''}`,
      );
      if (approved) {
        const rounds = ctx.task.reviewRounds;
        return { kind: 'done', commit: ctx.task.commit ?? '', review: { outcome: 'approved', rounds, unresolved: [] } };
      }
    } else {
      const implemented = await implementAndValidate(ctx, implementer, prompt, undefined);
      if (implemented.kind !== 'next') return implemented;
      const published = await publish(ctx, commitMessage, 'implementation');
      if (published.kind !== 'next') return published;
    }

    const review = await this.review(implementer, reviewBase, title, prompt, commitMessage, resumed);
    if (review.kind !== 'next') return review;
    return { kind: 'done', commit: (await ctx.refresh()).commit ?? '', review: review.value };
  }

  /** The independent review (see review-phase.ts), with this run's steps. */
  private review(
    implementer: AgentRunner,
    base: string,
    title: string,
    request: string,
    commitMessage: (task: Task) => string,
    resumed: boolean,
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
    const maxRounds = ctx.task.seed === undefined ? review.maxRounds : (review.adoptionMaxRounds ?? review.maxRounds);
    return runReview({ ...review, maxRounds, agents: ctx.deps.agents }, steps, implementer.name, title, request);
  }

  private async postReview(round: number, reviewer: string, verdict: Verdict): Promise<void> {
    const prNumber = this.ctx.task.prNumber;
    if (prNumber !== undefined) await this.ctx.prWriter()?.review(prNumber, round, reviewer, verdict);
  }
}

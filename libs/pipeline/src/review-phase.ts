import type { AgentRegistry, AgentRunner } from '@agent-harness/agents';
import type { MeteredAgentResult } from './agent-step.js';
import type { NewTaskEvent, ReviewOutcome, TaskChanges } from '@agent-harness/queue';
import { parseVerdict, type ReviewIssue, type Verdict } from '@agent-harness/review';
import { reviewFixPrompt, reviewPrompt, VERDICT_AGAIN } from './prompts.js';
import { agentFailure, budgetOutcome, next, type PhaseResult } from './run-outcome.js';

/** How the independent review went. */
export interface ReviewResult {
  readonly outcome: ReviewOutcome;
  readonly rounds: number;
  readonly unresolved: readonly ReviewIssue[];
}

/** What the review phase needs of the run it belongs to. */
export interface ReviewSteps {
  /**
   * The task moves to `reviewing` for a round: from its publication (`committed`), or for the first
   * round of a task resumed after a restart with its change already published (`resume`).
   */
  startRound(reason: string): Promise<void>;
  /** Back to `running`: the implementer fixes what the round asked for (`reviewFix`). */
  startFix(reason: string): Promise<void>;
  set(changes: TaskChanges, event?: NewTaskEvent): Promise<void>;
  log(message: string): Promise<void>;
  /** Rounds already run (a resumed task continues from there). */
  roundsDone(): Promise<number>;
  /** The change under review, against `base`. */
  diff(): Promise<string>;
  runReviewer(reviewer: AgentRunner, prompt: string, resumeSessionId: string | undefined): Promise<MeteredAgentResult>;
  /** The implementer fixes what the round asked for: implement, validate, commit and publish. */
  fix(prompt: string): Promise<PhaseResult>;
  postReview(round: number, reviewer: string, verdict: Verdict): Promise<void>;
  postOnPr(text: string): Promise<void>;
  readonly aborted: () => boolean;
  /** The task as last written (its attempt, for a run a daily limit sends back to the queue). */
  task(): Promise<{ readonly attempt: number }>;
}

/** `[agents.review]` and the agents to pick a reviewer from. */
export interface ReviewConfig {
  readonly enabled: boolean;
  readonly reviewerAgent: string;
  readonly maxRounds: number;
  readonly agents: AgentRegistry;
}

/** The reviewer: `reviewer_agent` when it is another available agent, else any other available one. */
export function pickReviewer(config: ReviewConfig, implementer: string): AgentRunner | undefined {
  const available = config.agents
    .availability()
    .filter((a) => a.available && a.name !== implementer)
    .map((a) => a.name);
  const name = available.includes(config.reviewerAgent) ? config.reviewerAgent : available[0];
  return name === undefined ? undefined : config.agents.get(name);
}

/** A verdict from the reviewer, asked for once more when the first answer has none. */
async function askVerdict(steps: ReviewSteps, reviewer: AgentRunner, prompt: string): Promise<PhaseResult<Verdict>> {
  const first = await steps.runReviewer(reviewer, prompt, undefined);
  if (!first.ok) {
    if (steps.aborted()) return { kind: 'cancelled' };
    const overBudget = budgetOutcome(await steps.task(), reviewer.name, first.budgetStop);
    if (overBudget !== undefined) return overBudget;
    return {
      kind: 'failed',
      error: `review by ${reviewer.name} ${agentFailure(first)}`,
      // The reviewer stopped at its own spend cap: a spend limit, as the task's.
      failureClass: first.reason === 'budget_exceeded' ? 'budget' : 'review_failed',
    };
  }
  const parsed = parseVerdict(first.finalText);
  if (parsed.ok) return next(parsed.value);
  await steps.log(`the reviewer's answer had no verdict; asking once more`);
  const again = await steps.runReviewer(reviewer, VERDICT_AGAIN, first.sessionId);
  const againOverBudget = again.ok ? undefined : budgetOutcome(await steps.task(), reviewer.name, again.budgetStop);
  if (againOverBudget !== undefined) return againOverBudget;
  const reparsed = again.ok ? parseVerdict(again.finalText) : parsed;
  if (reparsed.ok) return next(reparsed.value);
  return {
    kind: 'failed',
    error: `review by ${reviewer.name} gave no verdict twice: ${reparsed.error}`,
    failureClass: 'review_failed',
  };
}

/**
 * The independent review loop (docs/review.md): a different agent reviews the diff; changes
 * requested go back to the implementer, up to `max_rounds`; every round is posted on the PR.
 */
export async function runReview(
  config: ReviewConfig,
  steps: ReviewSteps,
  implementer: string,
  title: string,
  request: string,
): Promise<PhaseResult<ReviewResult>> {
  if (!config.enabled) return next({ outcome: 'disabled', rounds: 0, unresolved: [] });
  const reviewer = pickReviewer(config, implementer);
  if (reviewer === undefined) {
    await steps.log(
      `review skipped: no agent other than ${implementer} is available (configure [agents.review] reviewer_agent)`,
    );
    await steps.postOnPr(
      `Harness could not review this change independently: no agent other than ${implementer} is available.`,
    );
    return next({ outcome: 'skipped', rounds: 0, unresolved: [] });
  }
  for (let round = (await steps.roundsDone()) + 1; ; round++) {
    await steps.startRound(`round ${String(round)} by ${reviewer.name}`);
    const asked = await askVerdict(steps, reviewer, reviewPrompt(title, request, await steps.diff()));
    if (asked.kind !== 'next') return asked;
    const verdict = asked.value;
    await steps.set({ reviewRounds: round }, { kind: 'review', data: { round, reviewer: reviewer.name, ...verdict } });
    await steps.postReview(round, reviewer.name, verdict);
    if (verdict.verdict === 'approve') {
      // A checkpoint once the approval is posted: a restart from here has nothing left to run.
      await steps.set({ checkpoint: 'approved' });
      return next({ outcome: 'approved', rounds: round, unresolved: [] });
    }
    if (round >= config.maxRounds) {
      await steps.postOnPr(
        `Review rounds are used up (${String(config.maxRounds)}) with ${String(verdict.issues.length)} issue(s) open: a person should take it from here.`,
      );
      return next({ outcome: 'changes_requested', rounds: round, unresolved: verdict.issues });
    }
    await steps.startFix(`fixing review round ${String(round)}`);
    const fixed = await steps.fix(reviewFixPrompt(round, verdict));
    if (fixed.kind !== 'next') return fixed;
  }
}

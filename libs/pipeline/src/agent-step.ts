import { TASK_MARKER_ENV, type AgentPhase, type AgentResult, type AgentRunner } from '@agent-harness/agents';
import { failureClassOfAgentEnd, ZERO_USAGE, type AgentEvent } from '@agent-harness/core';
import { MAX_ATTEMPTS, rateLimitRetryAt, type NewTaskEvent } from '@agent-harness/queue';
import type { RunContext } from './run-context.js';
import { agentFailure, budgetOutcome, next, type PhaseResult } from './run-outcome.js';
import type { BudgetStop } from './spend-meter.js';

export type AgentRole = 'implementer' | 'reviewer';

/** An agent's result, and the spend limit that stopped the run, if one did. */
export type MeteredAgentResult = AgentResult & { readonly budgetStop?: BudgetStop | undefined };

/**
 * Runs an agent in the worktree; its events are stored and streamed as they come, its usage is
 * added to the task's, and the shared git state is checked after it. Answers the agent's result.
 */
export async function runAgentSession(
  ctx: RunContext,
  runner: AgentRunner,
  role: AgentRole,
  prompt: string,
  options: { readonly resumeSessionId?: string | undefined; readonly phase: AgentPhase },
): Promise<MeteredAgentResult> {
  const { worktree } = ctx.workspace;
  const startedAt = ctx.deps.now();
  const askedModel = role === 'implementer' ? ctx.task.model : undefined;
  let model = askedModel;
  const budget = await ctx.outputBudget();
  const meter = ctx.deps.spend?.startRun({
    taskId: ctx.task.id,
    project: ctx.task.project,
    agent: runner.name,
    role,
    model: askedModel,
  });
  // A limit reached before the run (by the task's earlier runs, or today's): the agent never starts.
  const before = await meter?.begin();
  if (before !== undefined) {
    meter?.discard();
    await ctx.log(`spend limit: ${before.message}`);
    return { agent: runner.name, finalText: '', usage: ZERO_USAGE, durationMs: 0, ...budgetResult(before) };
  }
  // The run's own signal: a spend limit stops this run without cancelling the task.
  const stopper = new AbortController();
  const forward = (): void => {
    stopper.abort();
  };
  if (ctx.signal.aborted) stopper.abort();
  else ctx.signal.addEventListener('abort', forward, { once: true });
  let budgetStop: BudgetStop | undefined;
  const caps = meter?.remaining();
  const run = runner.run({
    prompt,
    cwd: worktree.path,
    model: askedModel,
    phase: options.phase,
    signal: stopper.signal,
    resumeSessionId: options.resumeSessionId,
    budgetUsd: caps?.budgetUsd,
    maxTurns: caps?.maxTurns,
    env: { [TASK_MARKER_ENV]: ctx.task.id },
  });
  // Stored one after another, in the order the agent emitted them, each turn's usage metered; what
  // the output limit turns away is dropped here, as it arrives, so it never waits in memory behind
  // slower writes. The chain never rejects: it is awaited only once the agent ends, and a rejection
  // left unheard until then (a write failing on a full disk) would end the whole process. The
  // first failure is kept, and thrown below.
  let stored: Promise<void> = Promise.resolve();
  let storeFailed: { error: unknown } | undefined;
  const enqueue = (write: () => Promise<unknown>): void => {
    stored = stored
      .then(() => (storeFailed === undefined ? write() : undefined))
      .then(
        () => undefined,
        (error: unknown) => {
          storeFailed ??= { error };
        },
      );
  };
  // Output waiting for its write: what arrives while one write is under way goes in the next one
  // (one transaction for a burst, not one per line), in order, at most STORE_BATCH events at a
  // time so a write never holds a large burst's copies at once (each event is queued with a write
  // of its own, which takes what is left).
  let pending: NewTaskEvent[] = [];
  const storePending = (): Promise<void> => {
    const batch = pending.slice(0, STORE_BATCH);
    pending = pending.slice(batch.length);
    return batch.length === 0 ? Promise.resolve() : ctx.events(batch);
  };
  const subscription = run.events$.subscribe((event: AgentEvent) => {
    if (event.type === 'session_started' && event.model !== undefined) model = event.model;
    const { notice, store } = budget.take({ role, agent: runner.name, ...event });
    if (notice !== undefined) pending.push({ kind: 'output_truncated', data: notice });
    if (store !== undefined) pending.push({ kind: 'agent', data: store });
    if (notice !== undefined || store !== undefined) enqueue(storePending);
    if (meter === undefined) return;
    enqueue(async () => {
      const stop = await meter.onEvent(event);
      if (stop === undefined || budgetStop !== undefined || stopper.signal.aborted) return;
      budgetStop = stop;
      await ctx.log(`spend limit: ${stop.message}; stopping ${runner.name}`);
      stopper.abort();
    });
  });
  const ended = await run.result;
  subscription.unsubscribe();
  ctx.signal.removeEventListener('abort', forward);
  await stored;
  // A run that finished on its own as a daily limit was crossed keeps its work: the task goes on,
  // and its next agent run waits for the next day. A task's own limit ends it whatever the run did.
  const keepsWork = budgetStop?.kind === 'daily' && ended.ok;
  const result: MeteredAgentResult =
    budgetStop === undefined || ctx.signal.aborted || keepsWork ? ended : { ...ended, ...budgetResult(budgetStop) };
  const costUsd = (await meter?.finish(ended)) ?? ended.costUsd;
  ctx.deps.tracing?.agentRan({
    taskId: ctx.task.id,
    agent: runner.name,
    role,
    model,
    startedAt,
    endedAt: ctx.deps.now(),
    ok: result.ok,
    reason: result.reason,
    inputTokens: ended.usage.inputTokens + ended.usage.cachedInputTokens,
    outputTokens: ended.usage.outputTokens,
    costUsd,
  });
  if (storeFailed !== undefined) throw storeFailed.error;
  await ctx.guardSharedGit(`the ${role} (${runner.name})`);
  if (role === 'implementer' && result.ok && result.finalText.trim() !== '') ctx.summary = result.finalText.trim();
  const task = await ctx.refresh();
  await ctx.set({
    ...(role === 'implementer' ? { sessionId: result.sessionId ?? task.sessionId } : {}),
    inputTokens: task.inputTokens + ended.usage.inputTokens + ended.usage.cachedInputTokens,
    outputTokens: task.outputTokens + ended.usage.outputTokens,
    costUsd: costUsd === undefined ? task.costUsd : (task.costUsd ?? 0) + costUsd,
  });
  return result;
}

/** The most agent events stored in one write. */
const STORE_BATCH = 100;

/** The result of a run a spend limit stopped (or never started). */
function budgetResult(stop: BudgetStop): Pick<MeteredAgentResult, 'ok' | 'reason' | 'message' | 'budgetStop'> {
  return { ok: false, reason: 'budget_exceeded', message: stop.message, budgetStop: stop };
}

/**
 * The implementer's turn: a failed agent ends the run (cancelled, requeued after a rate limit
 * while attempts remain, or failed with its class and words).
 */
export async function runImplementer(
  ctx: RunContext,
  runner: AgentRunner,
  prompt: string,
  options: { readonly resumeSessionId?: string | undefined; readonly phase: AgentPhase },
): Promise<PhaseResult> {
  const result = await runAgentSession(ctx, runner, 'implementer', prompt, options);
  if (result.ok) return next();
  if (ctx.signal.aborted) return { kind: 'cancelled' };
  const overBudget = budgetOutcome(ctx.task, runner.name, result.budgetStop);
  if (overBudget !== undefined) return overBudget;
  const task = ctx.task;
  if (result.reason === 'rate_limited' && task.attempt < MAX_ATTEMPTS) {
    return {
      kind: 'requeue',
      attempt: task.attempt + 1,
      notBefore: rateLimitRetryAt(ctx.deps.now().getTime(), task.attempt, result.rateLimitResetAt),
      reason: `rate limited: ${result.message ?? ''}`,
    };
  }
  return {
    kind: 'failed',
    error: `${runner.name} ${agentFailure(result)}`,
    failureClass: failureClassOfAgentEnd(result.reason),
  };
}

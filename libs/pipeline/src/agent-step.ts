import { TASK_MARKER_ENV, type AgentPhase, type AgentResult, type AgentRunner } from '@agent-harness/agents';
import { failureClassOfAgentEnd, type AgentEvent } from '@agent-harness/core';
import { MAX_ATTEMPTS, rateLimitRetryAt } from '@agent-harness/queue';
import type { RunContext } from './run-context.js';
import { agentFailure, next, type PhaseResult } from './run-outcome.js';

export type AgentRole = 'implementer' | 'reviewer';

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
): Promise<AgentResult> {
  const { worktree } = ctx.workspace;
  const startedAt = ctx.deps.now();
  const askedModel = role === 'implementer' ? ctx.task.model : undefined;
  let model = askedModel;
  const budget = await ctx.outputBudget();
  const run = runner.run({
    prompt,
    cwd: worktree.path,
    model: askedModel,
    phase: options.phase,
    signal: ctx.signal,
    resumeSessionId: options.resumeSessionId,
    env: { [TASK_MARKER_ENV]: ctx.task.id },
  });
  // Stored one after another, in the order the agent emitted them; what the output limit turns
  // away is dropped here, as it arrives, so it never waits in memory behind slower writes. The
  // chain never rejects: it is awaited only once the agent ends, and a rejection left unheard until
  // then (a write failing on a full disk) would end the whole process. The first failure is kept,
  // and thrown below.
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
  const subscription = run.events$.subscribe((event: AgentEvent) => {
    if (event.type === 'session_started' && event.model !== undefined) model = event.model;
    const { notice, store } = budget.take({ role, agent: runner.name, ...event });
    if (notice !== undefined) enqueue(() => ctx.event('output_truncated', notice));
    if (store !== undefined) enqueue(() => ctx.event('agent', store));
  });
  const result = await run.result;
  subscription.unsubscribe();
  ctx.deps.tracing?.agentRan({
    taskId: ctx.task.id,
    agent: runner.name,
    role,
    model,
    startedAt,
    endedAt: ctx.deps.now(),
    ok: result.ok,
    reason: result.reason,
    inputTokens: result.usage.inputTokens + result.usage.cachedInputTokens,
    outputTokens: result.usage.outputTokens,
    costUsd: result.costUsd,
  });
  await stored;
  if (storeFailed !== undefined) throw storeFailed.error;
  await ctx.guardSharedGit(`the ${role} (${runner.name})`);
  if (role === 'implementer' && result.ok && result.finalText.trim() !== '') ctx.summary = result.finalText.trim();
  const task = await ctx.refresh();
  await ctx.set({
    ...(role === 'implementer' ? { sessionId: result.sessionId ?? task.sessionId } : {}),
    inputTokens: task.inputTokens + result.usage.inputTokens + result.usage.cachedInputTokens,
    outputTokens: task.outputTokens + result.usage.outputTokens,
    costUsd: result.costUsd === undefined ? task.costUsd : (task.costUsd ?? 0) + result.costUsd,
  });
  return result;
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

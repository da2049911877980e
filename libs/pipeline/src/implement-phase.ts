import { readdirSync } from 'node:fs';
import type { AgentPhase, AgentRunner } from '@agent-harness/agents';
import { fixPrompt, validationCommands } from '@agent-harness/validation';
import { runImplementer } from './agent-step.js';
import type { RunContext } from './run-context.js';
import { next, type PhaseResult } from './run-outcome.js';

/**
 * Implement + validate: the agent works, then the checks run, with each failure fed back to the
 * same agent session up to `[validation] max_retries` times.
 */
export async function implementAndValidate(
  ctx: RunContext,
  runner: AgentRunner,
  prompt: string,
  resumeSessionId: string | undefined,
): Promise<PhaseResult> {
  // With `reasoning_budget`, complex work is planned by the planning tier's model.
  const phase: AgentPhase =
    ctx.task.complexity === 'complex' && resumeSessionId === undefined ? 'planning' : 'execution';
  const ran = await runImplementer(ctx, runner, prompt, { resumeSessionId, phase });
  if (ran.kind !== 'next') return ran;
  return validate(ctx, runner);
}

async function validate(ctx: RunContext, runner: AgentRunner): Promise<PhaseResult> {
  const { worktree } = ctx.workspace;
  await ctx.apply('agentDone');
  const { preCommit, maxRetries } = ctx.deps.validation;
  const plan = validationCommands(preCommit, readdirSync(worktree.path));
  if (plan.commands.length === 0) {
    await ctx.log('validation: nothing to run (no [validation] pre_commit and no known language detected)');
    return next();
  }
  for (let retry = 0; ; retry++) {
    const checks = await ctx.runChecks(plan.commands);
    await ctx.event('validation', {
      retry,
      ok: checks.ok,
      source: plan.source,
      outcomes: checks.outcomes,
      ...(checks.cancelled ? { cancelled: true } : {}),
    });
    if (checks.ok) return next();
    // Cut short by a cancel (or the server stopping): not a failure of the change.
    if (checks.cancelled || ctx.signal.aborted) return { kind: 'cancelled' };
    const failure = checks.outcomes.at(-1);
    if (failure === undefined) return { kind: 'failed', error: 'validation stopped', failureClass: 'interrupted' };
    if (retry >= maxRetries) {
      const how = failure.timedOut ? 'timed out' : `exited with code ${String(failure.exitCode)}`;
      return {
        kind: 'failed',
        error: `validation failed after ${String(retry)} fix attempt(s): \`${failure.command}\` ${how}`,
        failureClass: 'validation_failed',
      };
    }
    await ctx.set({ validationRetries: (await ctx.refresh()).validationRetries + 1 });
    const fixed = await runImplementer(ctx, runner, fixPrompt(failure, retry + 1, maxRetries), {
      resumeSessionId: ctx.task.sessionId,
      phase: 'execution',
    });
    if (fixed.kind !== 'next') return fixed;
  }
}

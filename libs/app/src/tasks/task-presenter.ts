import type { StatusEventData, TaskDetail, TaskSummary } from '@agent-harness/core';
import type { StoredTaskEvent, Task, TaskListing } from '@agent-harness/queue';
import { taskTitle, type BudgetHold } from '@agent-harness/pipeline';

/** A task as the API shows it in lists (no prompt, no history). */
export function taskSummary(task: TaskListing): TaskSummary {
  return {
    id: task.id,
    project: task.project,
    kind: task.kind,
    title: taskTitle(task),
    issue: task.issue ?? null,
    pr: task.pr ?? null,
    status: task.status,
    attempt: task.attempt,
    agent: task.agentUsed ?? task.agent ?? null,
    branch: task.branch ?? null,
    commit: task.commit ?? null,
    pr_number: task.prNumber ?? null,
    pr_url: task.prUrl ?? null,
    grade: task.grade ?? null,
    error: task.error ?? null,
    failure_class: task.failureClass ?? null,
    created_at: task.createdAt,
    updated_at: task.updatedAt,
    finished_at: task.finishedAt ?? null,
  };
}

/** A task with everything: the whole request, its outcome and its status history. */
export function taskDetail(task: Task, history: readonly StoredTaskEvent[], waiting?: BudgetHold): TaskDetail {
  return {
    ...taskSummary(task),
    prompt: task.prompt ?? null,
    description: task.description ?? null,
    requested_agent: task.agent ?? null,
    model: task.model ?? null,
    agent_used: task.agentUsed ?? null,
    session_id: task.sessionId ?? null,
    not_before: task.notBefore ?? null,
    worktree: task.worktree ?? null,
    tokens: { input: task.inputTokens, output: task.outputTokens },
    validation_retries: task.validationRetries,
    review_rounds: task.reviewRounds,
    review_outcome: task.reviewOutcome ?? null,
    score: task.score ?? null,
    cost_usd: task.costUsd ?? null,
    started_at: task.startedAt ?? null,
    waiting:
      waiting === undefined
        ? null
        : {
            reason: waiting.reason,
            scope: waiting.scope,
            spent_usd: waiting.spentUsd,
            limit_usd: waiting.limitUsd,
            until: waiting.until,
          },
    approval:
      task.status === 'awaiting_approval' && task.loop?.approval !== undefined ? { ...task.loop.approval } : null,
    pull_request_loop: {
      ci_fix_rounds: task.loop?.ciFixRounds ?? 0,
      feedback_rounds: task.loop?.feedbackRounds ?? 0,
      follow_ups: task.loop?.followUps ?? 0,
      round: task.loop?.round?.kind ?? null,
      merged: task.loop?.merged === true,
    },
    version: task.version,
    // `history` holds only `status` events, stored by the engine in this shape.
    history: history.map((e) => ({ seq: e.seq, at: e.createdAt, ...(e.data as StatusEventData) })),
  };
}

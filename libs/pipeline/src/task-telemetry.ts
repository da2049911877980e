import { relative } from 'node:path';
import type { AgentEvent, EndEventData } from '@agent-harness/core';
import {
  fileEditEvent,
  qualityGradeEvent,
  reviewRoundEvent,
  slowOperationEvent,
  taskFailedEvent,
  taskImplementedEvent,
  validationEvent,
  type TelemetryEventDraft,
  type TelemetrySink,
} from '@agent-harness/observe';
import type { StoredTaskEvent, Task } from '@agent-harness/queue';
import type { CommandOutcome } from '@agent-harness/validation';

/** A validation command at least this long is also a `slow_operation`. */
export const SLOW_VALIDATION_MS = 60_000;
/** A task (start to end) at least this long is also a `slow_operation`. */
export const SLOW_TASK_MS = 30 * 60_000;
/** What of a failed command's output a `validation` event keeps (its end says why it failed). */
const OUTPUT_TAIL = 4000;

interface Scope {
  readonly project: string;
  readonly sessionId: string | undefined;
  readonly worktree: string | undefined;
  readonly agent: string | undefined;
  readonly startedAt: string | undefined;
  readonly score: number | undefined;
}

/**
 * Turns the task events the recorder stores into telemetry events (libs/observe/README.md has the
 * kinds): the outcome of each task with its failure class, each validation command, each review
 * round, each file an agent changed, slow operations and the quality grade. It reads what was
 * stored, after it was stored: the task's own record stays the source of truth.
 */
export class TaskTelemetry {
  /** The tasks this process writes: what their events are attributed to. */
  private readonly scopes = new Map<string, Scope>();

  constructor(
    private readonly sink: TelemetrySink,
    private readonly logger?: { error(message: string): void } | undefined,
  ) {}

  /** A task row was written: remember what its next events are attributed to. */
  taskWritten(task: Task): void {
    this.scopes.set(task.id, {
      project: task.project,
      sessionId: task.sessionId,
      worktree: task.worktree,
      agent: task.agentUsed,
      startedAt: task.startedAt,
      score: task.score,
    });
  }

  /** A task event was stored. Never throws: telemetry must not fail the task it describes. */
  eventStored(event: StoredTaskEvent): void {
    const scope = this.scopes.get(event.taskId);
    if (scope === undefined) return;
    try {
      for (const draft of this.drafts(event, scope)) this.sink.emit(draft);
    } catch (error) {
      this.logger?.error(
        `telemetry of task ${event.taskId}: ${error instanceof Error ? error.message : String(error)}`,
      );
    }
    if (event.kind === 'end') this.scopes.delete(event.taskId);
  }

  private drafts(event: StoredTaskEvent, scope: Scope): TelemetryEventDraft[] {
    const task = { project: scope.project, taskId: event.taskId, sessionId: scope.sessionId, ts: event.createdAt };
    switch (event.kind) {
      case 'validation':
        return validationDrafts(task, event.data as { outcomes?: readonly CommandOutcome[] });
      case 'review': {
        const review = event.data as { round: number; reviewer?: string; verdict?: string; summary?: string };
        const approved = review.verdict === 'approve';
        return [
          reviewRoundEvent({
            ...task,
            round: review.round,
            approved,
            reviewer: review.reviewer,
            summary: review.summary,
          }),
        ];
      }
      case 'agent':
        return agentDrafts(task, scope, event.data as AgentEvent);
      case 'end':
        return endDrafts(task, scope, event.data as EndEventData);
      case 'log':
      case 'status':
      case 'output_truncated':
        return [];
    }
  }
}

interface TaskRef {
  project: string;
  taskId: string;
  sessionId: string | undefined;
  ts: string;
}

/**
 * One `validation` event per command that ran to its end. A command stopped by a cancel neither
 * passed nor failed: it is left out, so a cancel never lowers the validation health.
 */
function validationDrafts(task: TaskRef, data: { outcomes?: readonly CommandOutcome[] }): TelemetryEventDraft[] {
  return (data.outcomes ?? []).flatMap((o) => {
    if (o.cancelled === true) return [];
    const passed = o.exitCode === 0 && !o.timedOut;
    const drafts = [
      validationEvent({
        ...task,
        command: o.command,
        passed,
        durationMs: o.durationMs,
        output: passed ? undefined : o.output.slice(-OUTPUT_TAIL),
      }),
    ];
    if (o.durationMs >= SLOW_VALIDATION_MS)
      drafts.push(
        slowOperationEvent({ ...task, operation: 'validation', durationMs: o.durationMs, detail: o.command }),
      );
    return drafts;
  });
}

function agentDrafts(task: TaskRef, scope: Scope, event: AgentEvent): TelemetryEventDraft[] {
  if (event.type !== 'file_change') return [];
  return event.changes.map((change) =>
    fileEditEvent({ ...task, kind: change.kind, path: relativePath(scope.worktree, change.path) }),
  );
}

function endDrafts(task: TaskRef, scope: Scope, end: EndEventData): TelemetryEventDraft[] {
  const durationMs = scope.startedAt === undefined ? undefined : Date.parse(task.ts) - Date.parse(scope.startedAt);
  const drafts: TelemetryEventDraft[] = [];
  if (end.status === 'done') {
    drafts.push(taskImplementedEvent({ ...task, agent: scope.agent, durationMs, prUrl: end.pr }));
  } else if (end.status === 'failed' && end.failure_class !== undefined) {
    drafts.push(
      taskFailedEvent({ ...task, failureClass: end.failure_class, message: end.error, agent: scope.agent, durationMs }),
    );
  }
  // A cancelled task is a person's choice, not a signal about the project: no outcome event.
  if (end.grade !== undefined) drafts.push(qualityGradeEvent({ ...task, grade: end.grade, score: scope.score }));
  if (durationMs !== undefined && durationMs >= SLOW_TASK_MS)
    drafts.push(slowOperationEvent({ ...task, operation: 'task', durationMs, detail: end.status }));
  return drafts;
}

/** A path relative to the worktree (agents report absolute ones); never the server's layout. */
function relativePath(worktree: string | undefined, path: string): string {
  if (worktree === undefined || !path.startsWith('/')) return path;
  const rel = relative(worktree, path);
  return rel.startsWith('..') ? path : rel;
}

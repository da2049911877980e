import { AppError, type SecretRedactor } from '@agent-harness/core';
import {
  isAllowedMove,
  type NewTaskEvent,
  type StoredTaskEvent,
  type Task,
  type TaskChanges,
  type TaskRepository,
} from '@agent-harness/queue';
import type { TaskEventBus } from './task-event-bus.js';
import type { TaskTelemetry } from './task-telemetry.js';
import type { TaskTracing } from './task-tracing.js';

/** What the recorder writes to and through. */
export interface TaskRecorderDeps {
  readonly tasks: TaskRepository;
  readonly events: TaskEventBus;
  readonly redactor: SecretRedactor;
  readonly now: () => Date;
  readonly logger?: { log(message: string): void } | undefined;
  /** Telemetry read from what is stored (see TaskTelemetry); none when absent. */
  readonly telemetry?: TaskTelemetry | undefined;
  /** Traces read from the status moves written (see TaskTracing); none when absent. */
  readonly tracing?: TaskTracing | undefined;
}

/**
 * The one way task rows and events are written: persist, then publish. A status change must be in
 * the state table and is guarded in SQL by the status and version it was read with; secrets are
 * redacted from everything stored; the row and its event land in one transaction.
 */
export class TaskRecorder {
  constructor(private readonly deps: TaskRecorderDeps) {}

  /** `closing` (a terminal status's `end` event) is stored after `event`, in the same transaction. */
  async update(task: Task, changes: TaskChanges, event?: NewTaskEvent, closing?: NewTaskEvent): Promise<Task> {
    const moving = changes.status !== undefined && changes.status !== task.status;
    if (moving && !isAllowedMove(task.status, changes.status)) {
      throw new AppError('INTERNAL', `task ${task.id}: ${task.status} → ${changes.status} is not in the state table`);
    }
    const { redactor } = this.deps;
    const safeChanges = changes.error === undefined ? changes : { ...changes, error: redactor.text(changes.error) };
    const safeEvent = event === undefined ? undefined : { kind: event.kind, data: redactor.value(event.data) };
    const safeClosing = closing === undefined ? undefined : { kind: closing.kind, data: redactor.value(closing.data) };
    const updatedAt = this.deps.now().toISOString();
    const result = await this.deps.tasks.update(
      task.id,
      task.version,
      { ...safeChanges, updatedAt },
      safeEvent,
      moving ? task.status : undefined,
      safeClosing,
    );
    this.deps.telemetry?.taskWritten(result.task);
    if (moving) this.deps.tracing?.moved(task.status, result.task);
    if (result.event !== undefined) {
      this.deps.events.publish(result.event);
      this.deps.telemetry?.eventStored(result.event);
    }
    if (result.event?.kind === 'status') this.logTransition(result.task, result.event.data);
    if (result.closing !== undefined) {
      this.deps.events.publish(result.closing);
      this.deps.telemetry?.eventStored(result.closing);
    }
    return result.task;
  }

  /** A task the repository claimed (queued → preparing, in its claim transaction): published like an update. */
  claimed(task: Task, event: StoredTaskEvent): void {
    this.deps.telemetry?.taskWritten(task);
    this.deps.tracing?.moved('queued', task);
    this.deps.events.publish(event);
    this.deps.telemetry?.eventStored(event);
    this.logTransition(task, event.data);
  }

  async log(taskId: string, kind: NewTaskEvent['kind'], data: unknown): Promise<void> {
    const stored = await this.deps.tasks.appendEvent(taskId, { kind, data: this.deps.redactor.value(data) });
    this.deps.events.publish(stored);
    this.deps.telemetry?.eventStored(stored);
  }

  /** Events stored in order in one write, then published in that order. */
  async logMany(taskId: string, events: readonly NewTaskEvent[]): Promise<void> {
    const { redactor } = this.deps;
    const stored = await this.deps.tasks.appendEvents(
      taskId,
      events.map((event) => ({ kind: event.kind, data: redactor.value(event.data) })),
    );
    for (const event of stored) {
      this.deps.events.publish(event);
      this.deps.telemetry?.eventStored(event);
    }
  }

  /** One line per status change: `task 1a2b3c4d [my-app] running → validating (reason)`. */
  private logTransition(task: Task, data: unknown): void {
    const { from, to, reason } = data as { from?: unknown; to?: unknown; reason?: unknown };
    const detail = typeof reason === 'string' ? ` (${reason.length > 200 ? `${reason.slice(0, 200)}…` : reason})` : '';
    this.deps.logger?.log(
      `task ${task.id.slice(0, 8)} [${task.project}] ${typeof from === 'string' ? from : 'new'} → ${String(to)}${detail}`,
    );
  }
}

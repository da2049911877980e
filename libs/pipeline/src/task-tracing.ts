import type { TaskTracer, TracedAgentRun, TracedOutcome, TracedPhase } from '@agent-harness/observe';
import type { Task, TaskStatus } from '@agent-harness/queue';

/** The phase each status of a running task begins. */
const PHASE_OF = {
  preparing: 'prepare',
  running: 'agent',
  validating: 'validation',
  committing: 'publish',
  reviewing: 'review',
} as const satisfies Record<ActiveStatus, TracedPhase>;

type ActiveStatus = 'preparing' | 'running' | 'validating' | 'committing' | 'reviewing';

/**
 * Tells the tracer (OpenTelemetry, see libs/observe) what tasks go through, read from the status
 * moves the recorder writes: a run starts at `queued → preparing`, each status begins its phase,
 * and a terminal status (or the way back to the queue) ends the run. Agent runs are reported by
 * the agent step. Never throws: tracing must not fail the task it describes.
 */
export class TaskTracing {
  constructor(
    private readonly tracer: TaskTracer,
    private readonly redact: (text: string) => string,
    private readonly logger?: { error(message: string): void } | undefined,
  ) {}

  /** A task moved from `from` to `task.status` (the row as stored). */
  moved(from: TaskStatus, task: Task): void {
    if (from === task.status) return;
    this.safely(task.id, () => {
      this.report(from, task);
    });
  }

  agentRan(run: TracedAgentRun): void {
    this.safely(run.taskId, () => {
      this.tracer.agentRan(run);
    });
  }

  private report(from: TaskStatus, task: Task): void {
    const at = new Date(task.updatedAt);
    if (from === 'queued' && task.status === 'preparing') {
      this.tracer.taskStarted({
        taskId: task.id,
        project: task.project,
        kind: task.kind,
        attempt: task.attempt,
        agent: task.agent,
        model: task.model,
        issue: task.issue,
        pr: task.pr,
        // Stored as submitted: secrets are hidden here, before it can leave the process.
        prompt: task.prompt === undefined ? undefined : this.redact(task.prompt),
        at,
      });
    }
    switch (task.status) {
      case 'preparing':
      case 'running':
      case 'validating':
      case 'committing':
      case 'reviewing':
        this.phase(task, PHASE_OF[task.status], at);
        return;
      case 'queued':
        // Back to the queue (a restart, a rate limit): this run ends, the task comes back.
        this.ended(task, 'requeued', at);
        return;
      case 'waiting_ci':
      case 'awaiting_approval':
        // The run is over; the task waits on its pull request or a person (a round or its end follows).
        this.ended(task, 'waiting', at);
        return;
      case 'done':
      case 'failed':
      case 'cancelled':
        this.ended(task, task.status, at);
        return;
    }
  }

  private phase(task: Task, phase: TracedPhase, at: Date): void {
    this.tracer.phaseStarted({
      taskId: task.id,
      phase,
      at,
      ...(phase === 'review' ? { round: task.reviewRounds + 1 } : {}),
      ...(phase === 'agent' ? { agent: task.agentUsed } : {}),
    });
  }

  private ended(task: Task, outcome: TracedOutcome, at: Date): void {
    this.tracer.taskEnded({
      taskId: task.id,
      project: task.project,
      kind: task.kind,
      outcome,
      at,
      agent: task.agentUsed,
      failureClass: task.failureClass,
      grade: task.grade,
      error: task.error,
      inputTokens: task.inputTokens,
      outputTokens: task.outputTokens,
      costUsd: task.costUsd,
      reviewRounds: task.reviewRounds,
      validationRetries: task.validationRetries,
    });
  }

  private safely(taskId: string, report: () => void): void {
    try {
      report();
    } catch (error) {
      this.logger?.error(`tracing of task ${taskId}: ${error instanceof Error ? error.message : String(error)}`);
    }
  }
}

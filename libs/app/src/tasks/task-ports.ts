import type { TaskEngine } from '@agent-harness/pipeline';
import type { TaskRepository } from '@agent-harness/queue';

/** What a plan link needs of the plans: the plan to exist, and to note the task under a milestone. */
export interface PlanLinks {
  /** Throws NOT_FOUND for an unknown plan. */
  get(planId: string): Promise<unknown>;
  linkTask(planId: string, taskId: string, milestone: number): Promise<unknown>;
}

/** The ports of the task operations. */
export interface TaskPorts {
  readonly engine: Pick<TaskEngine, 'admit' | 'cancel' | 'waiting'>;
  readonly tasks: TaskRepository;
  readonly plans: PlanLinks;
}

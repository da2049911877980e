import type { PullRequestLoop, TaskEngine } from '@agent-harness/pipeline';
import type { TaskRepository } from '@agent-harness/queue';

/** What a plan link needs of the plans: to check it before a task exists, then to make it. */
export interface PlanLinks {
  /** Throws as `linkTask` would (NOT_FOUND for an unknown plan, a closed plan, no such milestone). */
  checkLink(planId: string, milestone: number): Promise<unknown>;
  linkTask(planId: string, taskId: string, milestone: number): Promise<unknown>;
}

/** The ports of the task operations. */
export interface TaskPorts {
  readonly engine: Pick<TaskEngine, 'admit' | 'afterLook' | 'cancel' | 'waiting'> & {
    readonly pullRequests: Pick<PullRequestLoop, 'followUp' | 'approve' | 'reject'>;
  };
  readonly tasks: TaskRepository;
  readonly plans: PlanLinks;
}

import { killTaskProcesses, TASK_MARKER_ENV } from '@agent-harness/agents';

/**
 * The port that ends whatever a task left running: its agents, its checks, and what escaped with
 * `setsid`. The system implementation reads the process table; the unit tier records calls.
 * @public
 */
export interface TaskProcesses {
  /** Ends every process marked with the task's id or working in its worktree. */
  end(taskId: string, worktree: string | undefined): Promise<void>;
}

/** Finds a task's processes by their HARNESS_TASK_ID marker and by their working directory. */
export const systemTaskProcesses: TaskProcesses = {
  end: async (taskId, worktree) => {
    await killTaskProcesses({ marker: { name: TASK_MARKER_ENV, value: taskId }, dir: worktree });
  },
};

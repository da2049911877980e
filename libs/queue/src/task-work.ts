import type { Task } from './task.types.js';

/**
 * The piece of work an issue or pull-request task does: at most one unfinished task (queued or
 * running) has it at a time, which the database enforces (a unique index over unfinished rows), so
 * concurrent deliveries and servers cannot race. A prompt task has none: every one is new work.
 * @public
 */
export type TaskWork =
  | { readonly project: string; readonly issue: number; readonly pr?: undefined }
  | { readonly project: string; readonly pr: number; readonly issue?: undefined };

/** The work of a task or request in `project`; undefined for a prompt task. @public */
export function taskWork(task: Pick<Task, 'project' | 'issue' | 'pr'>): TaskWork | undefined {
  if (task.issue !== undefined) return { project: task.project, issue: task.issue };
  if (task.pr !== undefined) return { project: task.project, pr: task.pr };
  return undefined;
}

/** `issue #42 of app` or `pull request #7 of app`: how messages name the work. @public */
export function describeWork(work: TaskWork): string {
  return work.issue !== undefined
    ? `issue #${String(work.issue)} of ${work.project}`
    : `pull request #${String(work.pr)} of ${work.project}`;
}

import type { TaskRequest } from '@agent-harness/queue';

/** The title of a task: its description, else the first line of its prompt, else its issue or PR. */
export function taskTitle(task: TaskRequest): string {
  const firstLine = task.prompt?.trim().split('\n')[0]?.trim();
  const title = task.description ?? (firstLine !== undefined && firstLine !== '' ? firstLine : undefined);
  if (title !== undefined) return title.length > 72 ? `${title.slice(0, 71)}…` : title;
  return task.issue !== undefined ? `issue #${String(task.issue)}` : `PR #${String(task.pr ?? '?')}`;
}

import type { ProjectCatalog, Task } from '@agent-harness/queue';
import type { GitWorktreeManager } from '@agent-harness/workspace';
import { errorLine } from './task-title.js';

/**
 * What becomes of the branch of a task that ended: `pushed`: origin has it (the record, with the PR),
 * so the local copy goes and the task keeps naming it; `keep` it locally (and name it on the task)
 * when it holds work only this repository has; else `delete` it and clear it from the task.
 */
export type BranchFate =
  | { readonly kind: 'keep'; readonly message: string }
  | { readonly kind: 'pushed'; readonly message?: string; readonly repoRoot: string; readonly branch: string }
  | { readonly kind: 'delete'; readonly repoRoot: string; readonly branch: string };

/**
 * The branch of a task that ended `done`: with an origin, the task pushed it (or worked on a pull
 * request's), so the local copy goes: local branches would otherwise pile up with every task and
 * slow every fetch and push. Without an origin the local branch is the record and stays.
 */
export async function doneBranchFate(
  deps: { readonly projects: ProjectCatalog; readonly worktrees: GitWorktreeManager },
  task: Task,
): Promise<BranchFate | undefined> {
  const branch = task.branch;
  if (branch === undefined) return undefined;
  const project = await deps.projects.get(task.project);
  if (project === undefined || (await deps.worktrees.originUrl(project.root)) === undefined) return undefined;
  return { kind: 'pushed', repoRoot: project.root, branch };
}

/**
 * Decides the fate of an unfinished task's branch, asking origin (not the task row, which a crash
 * between a push and its record leaves behind): a branch origin has stays there and is named on
 * the task (`branch` in the API), so nothing pushed is kept silently (its local copy goes); a
 * branch origin does not have (or that was never pushed: a repository without origin keeps a
 * branch only with a commit on it) is deleted. A pull request's own branch is never Harness's to
 * delete. When origin cannot be asked, the branch stays, named. Undefined: nothing to decide.
 */
export async function branchFate(
  deps: { readonly projects: ProjectCatalog; readonly worktrees: GitWorktreeManager },
  task: Task,
): Promise<BranchFate | undefined> {
  const branch = task.branch;
  if (branch === undefined || task.kind === 'pr') return undefined;
  const project = await deps.projects.get(task.project);
  if (project === undefined) return undefined;
  const { worktrees } = deps;
  try {
    const hasOrigin = (await worktrees.originUrl(project.root)) !== undefined;
    const pushed = hasOrigin ? await worktrees.remoteBranch(project.root, branch) : undefined;
    if (pushed !== undefined) {
      const pr = task.prUrl === undefined ? '' : `; its pull request is ${task.prUrl}`;
      return {
        kind: 'pushed',
        message: `branch ${branch} stays on origin at ${pushed.slice(0, 12)}: it was pushed before the task ended${pr}`,
        repoRoot: project.root,
        branch,
      };
    }
    if (!hasOrigin && task.commit !== undefined)
      return {
        kind: 'keep',
        message: `branch ${branch} stays: it holds the task's commit ${task.commit.slice(0, 12)}`,
      };
    return { kind: 'delete', repoRoot: project.root, branch };
  } catch (error) {
    const why = errorLine(error);
    return { kind: 'keep', message: `branch ${branch} is kept: could not ask origin whether it was pushed (${why})` };
  }
}

// Public API of @agent-harness/workspace.
export { GitWorktreeManager, remoteCredentialConfig, taskBranchName } from './git-worktree-manager.js';
export type { DiffStat, DiffStatFile, GitWorktreeManagerDeps, Worktree } from './git-worktree-manager.js';
export { SharedGitState } from './shared-git-state.js';

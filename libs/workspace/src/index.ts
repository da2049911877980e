// Public API of @agent-harness/workspace.
export {
  GitWorktreeManager,
  remoteCredentialConfig,
  resolveRemoteCredential,
  taskBranchName,
} from './git-worktree-manager.js';
export type {
  DiffStat,
  DiffStatFile,
  GitCredentials,
  GitTokenProvider,
  GitWorktreeManagerDeps,
  Worktree,
  WorktreeReuse,
} from './git-worktree-manager.js';
export { DEPENDENCY_FILES, setupKey } from './setup-key.js';
export { SharedGitState } from './shared-git-state.js';
export { isCommitId, ReviewGit } from './review-git.js';
export type { ReviewRepositoryFacts } from './review-git.js';

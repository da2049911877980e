// Public API of @agent-harness/github.
export { GitHubClient } from './github-client.js';
export type {
  GitHubClientOptions,
  IssueDetails,
  PullRequestDetails,
  PullRequestRef,
  ReviewLineComment,
} from './github-client.js';
export { parseGitHubRemote, parseRepoName } from './github-remote.js';
export type { RepoRef } from './github-remote.js';

// Public API of @agent-harness/github.
export { GitHubClient } from './github-client.js';
export type {
  CreatedIssue,
  GitHubCallOptions,
  GitHubClientOptions,
  IssueDetails,
  OpenIssue,
  PullRequestDetails,
  PullRequestRef,
  ReviewLineComment,
} from './github-client.js';
// Closing the PR loop: checks, Actions logs, reviews, merge.
export type {
  CheckState,
  CheckSummary,
  FailedCheck,
  FailedJobLog,
  MergeOutcome,
  MergeRequest,
  PullRequestReview,
  PullRequestReviewComment,
  PullRequestReviewState,
  PullRequestState,
} from './github-client.js';
export {
  createGitHubCredentials,
  GitHubAppCredentials,
  GitHubCredentials,
  StaticTokenCredentials,
} from './github-credentials.js';
export type { GitHubAppOptions, GitHubCredentialsOptions } from './github-credentials.js';
export { parseGitHubRemote, parseRepoName } from './github-remote.js';
export type { RepoRef } from './github-remote.js';
export { verifyWebhookSignature } from './webhook/webhook-signature.js';
export { parseMention } from './webhook/mention.js';
export type { HarnessCommand, HarnessMention } from './webhook/mention.js';
export {
  MAX_INTENT_TEXT_CHARS,
  closedHarnessPullRequest,
  mapWebhookEvent,
  pullRequestSignal,
} from './webhook/webhook-event.js';
export type {
  ClosedHarnessPullRequest,
  GitHubActor,
  GitHubIntent,
  GitHubIntentAction,
  PullRequestSignal,
  WebhookMapping,
} from './webhook/webhook-event.js';
export { ActorCheck } from './webhook/actor-check.js';
export type { ActorCheckOptions, ActorDecision, CollaboratorPermission } from './webhook/actor-check.js';
export { GitHubIntakeStore } from './intake/github-intake-store.js';
export type {
  GitHubReplyRecord,
  IntakeIssueRecord,
  IntakeIssueState,
  WebhookDeliveryRecord,
} from './intake/github-intake-store.js';

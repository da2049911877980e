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
export { parseGitHubRemote, parseRepoName } from './github-remote.js';
export type { RepoRef } from './github-remote.js';
export { verifyWebhookSignature } from './webhook/webhook-signature.js';
export { parseMention } from './webhook/mention.js';
export type { HarnessCommand, HarnessMention } from './webhook/mention.js';
export { MAX_INTENT_TEXT_CHARS, closedHarnessPullRequest, mapWebhookEvent } from './webhook/webhook-event.js';
export type {
  ClosedHarnessPullRequest,
  GitHubActor,
  GitHubIntent,
  GitHubIntentAction,
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

/** A webhook delivery as remembered, so a redelivery or a replay is taken once. @public */
export interface WebhookDeliveryRecord {
  /** `X-GitHub-Delivery`. */
  readonly id: string;
  readonly event: string;
  readonly receivedAt: string;
  /** The task it started, if it started one. */
  readonly taskId?: string | undefined;
}

/** How far the poller got with an issue: being taken, made a task, or ignored (and why). @public */
export type IntakeIssueState = 'claimed' | 'task' | 'ignored';

/** An issue the poller has seen. @public */
export interface IntakeIssueRecord {
  /** `owner/name`, lower-case. */
  readonly repo: string;
  readonly number: number;
  readonly state: IntakeIssueState;
  readonly taskId?: string | undefined;
  /** Why it was ignored. */
  readonly reason?: string | undefined;
  /** The issue's `updated_at` when it was looked at: an ignored issue is looked at again once it changes. */
  readonly issueUpdatedAt: string;
  readonly updatedAt: string;
}

/** The replies owed on GitHub for a task that came from there. @public */
export interface GitHubReplyRecord {
  readonly taskId: string;
  readonly createdAt: string;
  /** When the "task queued" reply was posted. */
  readonly startPostedAt?: string | undefined;
  /** When the outcome was posted; pending until then. */
  readonly outcomePostedAt?: string | undefined;
  /** Failed posting attempts. */
  readonly attempts: number;
  readonly lastError?: string | undefined;
}

/**
 * What GitHub intake keeps across restarts: webhook delivery ids (dedupe), the issues the poller
 * has taken, and the replies owed. Every claim is one statement, so of two racing callers exactly
 * one wins.
 * @public
 */
export abstract class GitHubIntakeStore {
  /** Remembers a delivery; false when its id was seen before. */
  abstract claimDelivery(delivery: WebhookDeliveryRecord): Promise<boolean>;
  abstract getDelivery(id: string): Promise<WebhookDeliveryRecord | undefined>;
  abstract setDeliveryTask(id: string, taskId: string): Promise<void>;
  /** Forgets a delivery whose task could not be queued, so GitHub's redelivery is taken. */
  abstract releaseDelivery(id: string): Promise<void>;
  /** Forgets deliveries received before `before`; the number forgotten. */
  abstract pruneDeliveries(before: string): Promise<number>;

  /** The records of these issues of `repo` (lower-case `owner/name`) that exist. */
  abstract intakeIssues(repo: string, numbers: readonly number[]): Promise<IntakeIssueRecord[]>;
  /**
   * Claims an issue for the poller: true when it is new, ignored before and changed since
   * (`issueUpdatedAt` differs), or claimed before `staleBefore` by a poll that never finished.
   */
  abstract claimIntakeIssue(claim: {
    readonly repo: string;
    readonly number: number;
    readonly issueUpdatedAt: string;
    readonly now: string;
    readonly staleBefore: string;
  }): Promise<boolean>;
  /** Records what became of a claimed issue. */
  abstract settleIntakeIssue(
    repo: string,
    number: number,
    outcome:
      { readonly state: 'task'; readonly taskId: string } | { readonly state: 'ignored'; readonly reason: string },
    now: string,
  ): Promise<void>;
  /** Drops a claim whose task could not be queued (the queue was full): the next poll tries again. */
  abstract releaseIntakeIssue(repo: string, number: number): Promise<void>;

  /** Starts owing replies for a task. */
  abstract addReply(taskId: string, createdAt: string): Promise<void>;
  abstract getReply(taskId: string): Promise<GitHubReplyRecord | undefined>;
  /** Replies whose outcome is not posted and whose attempts are below `maxAttempts`, oldest first. */
  abstract pendingReplies(maxAttempts: number, limit: number): Promise<GitHubReplyRecord[]>;
  abstract markReplyPosted(taskId: string, which: 'start' | 'outcome', at: string): Promise<void>;
  /** Counts a failed attempt and keeps its error. */
  abstract replyFailed(taskId: string, error: string): Promise<void>;
}

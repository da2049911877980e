import { AppError, toAppError } from '@agent-harness/core';
import { retry } from '@octokit/plugin-retry';
import { throttling } from '@octokit/plugin-throttling';
import { Octokit } from '@octokit/rest';
import Bottleneck from 'bottleneck';
import { credentialsAuthStrategy, StaticTokenCredentials, type GitHubCredentials } from './github-credentials.js';
import type { RepoRef } from './github-remote.js';
import { apiMessageOf, isRequestError } from './request-error.js';
import type { CollaboratorPermission } from './webhook/actor-check.js';
import type { GitHubActor } from './webhook/webhook-event.js';

const HarnessOctokit = Octokit.plugin(retry, throttling);
type Client = InstanceType<typeof HarnessOctokit>;

/** An issue with what an agent needs to work on it. @public */
export interface IssueDetails {
  readonly number: number;
  readonly title: string;
  readonly body: string;
  readonly labels: readonly string[];
  readonly comments: readonly { readonly author: string; readonly body: string }[];
  readonly url: string;
}

/** A pull request with its open review comments and check results. @public */
export interface PullRequestDetails {
  readonly number: number;
  readonly title: string;
  readonly body: string;
  readonly url: string;
  readonly state: string;
  readonly headRef: string;
  readonly headSha: string;
  readonly baseRef: string;
  readonly reviewComments: readonly {
    readonly path: string;
    readonly line: number | null;
    readonly author: string;
    readonly body: string;
  }[];
  readonly checks: readonly { readonly name: string; readonly status: string; readonly conclusion: string | null }[];
}

/** @public */
export interface PullRequestRef {
  readonly number: number;
  readonly url: string;
  /** Its GraphQL id (e.g. for `markReadyForReview`). */
  readonly nodeId?: string | undefined;
}

/** A comment on one line of a file, in a review. @public */
export interface ReviewLineComment {
  readonly path: string;
  readonly line: number;
  readonly body: string;
}

/** An open issue as a listing shows it. @public */
export interface OpenIssue {
  readonly number: number;
  readonly title: string;
  /** Its text ('' when it has none). */
  readonly body: string;
  /** When it last changed (ISO 8601): a new label, comment or edit. */
  readonly updatedAt: string;
  readonly labels: readonly string[];
}

/** An issue Harness opened. @public */
export interface CreatedIssue {
  readonly number: number;
  readonly url: string;
  /** The labels it got: GitHub drops the labels of a token without push access, silently. */
  readonly labels: readonly string[];
}

// ---- Closing the PR loop: what checks, reviews and merges answer ----

/** @public */
export type CheckState = 'pending' | 'success' | 'failure';

/**
 * A failed check: a check run that concluded failure, timed_out or startup_failure, or a commit
 * status in state failure or error.
 * @public
 */
export interface FailedCheck {
  readonly name: string;
  readonly source: 'check_run' | 'status';
  readonly url?: string | undefined;
  readonly summary?: string | undefined;
}

/** The checks of one commit, check runs and commit statuses together. @public */
export interface CheckSummary {
  /**
   * 'none': the commit has no check run and no commit status at all. failure wins over pending;
   * success only when every check ended success, neutral or skipped.
   */
  readonly state: CheckState | 'none';
  readonly failed: readonly FailedCheck[];
  /** Names of checks still queued or in progress (and statuses pending). */
  readonly pending: readonly string[];
  readonly total: number;
}

/** The log of a failed GitHub Actions job, its end kept. @public */
export interface FailedJobLog {
  readonly workflow: string;
  readonly job: string;
  /** '' when GitHub no longer has it (expired) or would not give it. */
  readonly log: string;
}

/** @public */
export interface PullRequestState {
  readonly state: 'open' | 'closed';
  readonly merged: boolean;
  readonly draft: boolean;
  readonly headSha: string;
  readonly headRef: string;
  readonly nodeId: string;
  /** GitHub's own verdict (clean, dirty, blocked, unstable, behind, draft, unknown…), computed lazily. */
  readonly mergeableState?: string | undefined;
}

/** @public */
export type PullRequestReviewState = 'APPROVED' | 'CHANGES_REQUESTED' | 'COMMENTED' | 'DISMISSED' | 'PENDING';

/** A review of a pull request. @public */
export interface PullRequestReview {
  readonly id: number;
  readonly author: string;
  readonly state: PullRequestReviewState;
  readonly body: string;
  readonly submittedAt?: string | undefined;
  /** The commit it reviewed. */
  readonly commitId?: string | undefined;
}

/** A comment on a line of a pull request's diff. @public */
export interface PullRequestReviewComment {
  readonly id: number;
  readonly reviewId?: number | undefined;
  readonly author: string;
  readonly path: string;
  /** undefined when the line is gone from the diff (an outdated comment). */
  readonly line?: number | undefined;
  readonly body: string;
  /** The comment this one answers. */
  readonly inReplyTo?: number | undefined;
  readonly createdAt: string;
}

/** @public */
export interface MergeRequest {
  readonly method: 'merge' | 'squash' | 'rebase';
  /** The head the caller checked: GitHub refuses (409) when the branch has moved since. */
  readonly sha: string;
  readonly title?: string;
}

/** `merged: false` when GitHub refused: not mergeable (405) or the head moved (409); `message` says which. @public */
export interface MergeOutcome {
  readonly merged: boolean;
  /** The merge commit. */
  readonly sha?: string | undefined;
  readonly message: string;
}

// ---- end of closing the PR loop types ----

/**
 * Per call: `signal` aborts the request (a cancelled task never waits on GitHub); an aborted call
 * is not retried.
 * @public
 */
export interface GitHubCallOptions {
  readonly signal?: AbortSignal | undefined;
}

/** Octokit's per-request options for a call. */
function requestOf(options: GitHubCallOptions): { request?: { signal: AbortSignal } } {
  return options.signal === undefined ? {} : { request: { signal: options.signal } };
}

const PERMISSIONS: readonly CollaboratorPermission[] = ['admin', 'maintain', 'write', 'triage', 'read', 'none'];

/** @public */
export interface GitHubClientOptions {
  /** `[github] api_url`: https://api.github.com, `https://HOST/api/v3`, or a local server. */
  readonly apiUrl: string;
  readonly token?: string | undefined;
  /**
   * Where each request's token comes from (a GitHub App's installation tokens, per repository):
   * wins over `token`. See `GitHubCredentials`.
   */
  readonly credentials?: GitHubCredentials | undefined;
  /** A rate limit that resets within this many seconds is waited out once; longer ones fail. Default 60. */
  readonly maxRateLimitWaitSecs?: number;
  /** Retries of 5xx answers. Default 2. */
  readonly retries?: number;
  /**
   * Space writes as GitHub asks (1 s between writes, 3 s between comments and reviews). Default
   * true; tests against a local stand-in turn it off.
   */
  readonly paceWrites?: boolean;
}

function describe(ref: RepoRef): string {
  return `${ref.owner}/${ref.repo}`;
}

/**
 * GitHub through Octokit, with retries of server errors and a bounded wait on rate limits. Every
 * failure becomes an `AppError` that says what was asked and why it failed.
 * @public
 */
export class GitHubClient {
  private readonly octokit: Client;
  /** Where tokens come from; undefined: requests go unauthenticated. */
  private readonly credentials: GitHubCredentials | undefined;

  constructor(options: GitHubClientOptions) {
    this.credentials =
      options.credentials ?? (options.token === undefined ? undefined : new StaticTokenCredentials(options.token));
    const maxWait = options.maxRateLimitWaitSecs ?? 60;
    const waitOnce = (retryAfter: number, _options: object, _octokit: unknown, retryCount: number): boolean =>
      retryCount === 0 && retryAfter <= maxWait;
    this.octokit = new HarnessOctokit({
      baseUrl: options.apiUrl.replace(/\/+$/, ''),
      ...(this.credentials === undefined ? {} : { authStrategy: credentialsAuthStrategy(this.credentials) }),
      userAgent: 'agent-harness',
      retry: { retries: options.retries ?? 2 },
      throttle: {
        onRateLimit: waitOnce,
        onSecondaryRateLimit: waitOnce,
        ...(options.paceWrites === false
          ? {
              write: new Bottleneck.Group({ maxConcurrent: 1, minTime: 0 }),
              notifications: new Bottleneck.Group({ maxConcurrent: 1, minTime: 0 }),
            }
          : {}),
      },
      log: { debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined },
    });
  }

  /**
   * The `authorization` header for a request about `ref` that Octokit cannot tie to a repository
   * by itself, a GraphQL call above all (`this.octokit.graphql(query, { ...variables, headers:
   * await this.authFor(ref) })`): with a GitHub App, the token of `ref`'s installation. REST calls
   * with `owner` and `repo` need nothing: each gets its repository's token. Empty when
   * unauthenticated.
   */
  async authFor(ref: RepoRef): Promise<{ authorization?: string }> {
    return this.credentials === undefined ? {} : { authorization: `token ${await this.credentials.tokenFor(ref)}` };
  }

  private async call<T>(what: string, request: () => Promise<T>): Promise<T> {
    try {
      return await request();
    } catch (error) {
      throw toGitHubError(what, error);
    }
  }

  async getIssue(ref: RepoRef, number: number, options: GitHubCallOptions = {}): Promise<IssueDetails> {
    const what = `issue #${String(number)} of ${describe(ref)}`;
    const request = requestOf(options);
    const [issue, comments] = await Promise.all([
      this.call(what, () => this.octokit.rest.issues.get({ ...ref, issue_number: number, ...request })),
      this.call(`comments of ${what}`, () =>
        this.octokit.paginate(this.octokit.rest.issues.listComments, {
          ...ref,
          issue_number: number,
          per_page: 100,
          ...request,
        }),
      ),
    ]);
    return {
      number,
      title: issue.data.title,
      body: issue.data.body ?? '',
      labels: issue.data.labels.map((l) => (typeof l === 'string' ? l : (l.name ?? ''))).filter(Boolean),
      comments: comments.map((c) => ({ author: c.user?.login ?? 'unknown', body: c.body ?? '' })),
      url: issue.data.html_url,
    };
  }

  async getPullRequest(ref: RepoRef, number: number, options: GitHubCallOptions = {}): Promise<PullRequestDetails> {
    const what = `pull request #${String(number)} of ${describe(ref)}`;
    const request = requestOf(options);
    const pr = await this.call(what, () => this.octokit.rest.pulls.get({ ...ref, pull_number: number, ...request }));
    const [comments, checks] = await Promise.all([
      this.call(`review comments of ${what}`, () =>
        this.octokit.paginate(this.octokit.rest.pulls.listReviewComments, {
          ...ref,
          pull_number: number,
          per_page: 100,
          ...request,
        }),
      ),
      this.call(`checks of ${what}`, () =>
        this.octokit.rest.checks.listForRef({ ...ref, ref: pr.data.head.sha, per_page: 100, ...request }),
      ),
    ]);
    return {
      number,
      title: pr.data.title,
      body: pr.data.body ?? '',
      url: pr.data.html_url,
      state: pr.data.state,
      headRef: pr.data.head.ref,
      headSha: pr.data.head.sha,
      baseRef: pr.data.base.ref,
      reviewComments: comments.map((c) => ({ path: c.path, line: c.line ?? null, author: c.user.login, body: c.body })),
      checks: checks.data.check_runs.map((r) => ({ name: r.name, status: r.status, conclusion: r.conclusion })),
    };
  }

  /** The open pull request from `headBranch`, if there is one. */
  async findOpenPullRequest(
    ref: RepoRef,
    headBranch: string,
    options: GitHubCallOptions = {},
  ): Promise<PullRequestRef | undefined> {
    const open = await this.call(`open pull requests of ${describe(ref)}`, () =>
      this.octokit.rest.pulls.list({
        ...ref,
        head: `${ref.owner}:${headBranch}`,
        state: 'open',
        per_page: 10,
        ...requestOf(options),
      }),
    );
    const pr = open.data.find((p) => p.head.ref === headBranch);
    return pr === undefined ? undefined : { number: pr.number, url: pr.html_url, nodeId: pr.node_id };
  }

  /**
   * Opens a pull request (a draft with `draft: true`), or returns the one already open for the same
   * branch: a retried task must never open a second PR.
   */
  async openPullRequest(
    ref: RepoRef,
    input: { title: string; body: string; head: string; base: string; draft?: boolean },
    options: GitHubCallOptions = {},
  ): Promise<PullRequestRef & { created: boolean }> {
    const existing = await this.findOpenPullRequest(ref, input.head, options);
    if (existing !== undefined) return { ...existing, created: false };
    try {
      const pr = await this.octokit.rest.pulls.create({ ...ref, ...input, ...requestOf(options) });
      return { number: pr.data.number, url: pr.data.html_url, nodeId: pr.data.node_id, created: true };
    } catch (error) {
      if (options.signal?.aborted === true)
        throw toGitHubError(`opening a pull request from ${input.head} in ${describe(ref)}`, error);
      // Opened meanwhile (422 "A pull request already exists"): use that one.
      const again = await this.findOpenPullRequest(ref, input.head, options).catch(() => undefined);
      if (again !== undefined) return { ...again, created: false };
      throw toGitHubError(`opening a pull request from ${input.head} in ${describe(ref)}`, error);
    }
  }

  async comment(ref: RepoRef, number: number, body: string, options: GitHubCallOptions = {}): Promise<void> {
    await this.call(`commenting on #${String(number)} of ${describe(ref)}`, () =>
      this.octokit.rest.issues.createComment({ ...ref, issue_number: number, body, ...requestOf(options) }),
    );
  }

  /**
   * Deletes a branch of the repository (`DELETE /git/refs/heads/<branch>`). Answers false when there
   * is no such branch (GitHub answers 422, or 404), already deleted by someone or by GitHub's own
   * "delete head branches" setting.
   */
  async deleteBranch(ref: RepoRef, branch: string): Promise<boolean> {
    try {
      await this.call(`deleting branch ${branch} of ${describe(ref)}`, () =>
        this.octokit.rest.git.deleteRef({ ...ref, ref: `heads/${branch}` }),
      );
      return true;
    } catch (error) {
      const gone = error instanceof AppError && isRequestError(error.cause) && error.cause.status === 422;
      if (gone || (error instanceof AppError && error.code === 'GITHUB_NOT_FOUND')) return false;
      throw error;
    }
  }

  /**
   * The user's role on the repository (`none` for an unknown user). GitHub's `role_name` names
   * `maintain` and `triage`, which its older `permission` field folds into `write` and `read`.
   */
  async collaboratorPermission(ref: RepoRef, login: string): Promise<CollaboratorPermission> {
    try {
      const answer = await this.call(`${login}'s permission on ${describe(ref)}`, () =>
        this.octokit.rest.repos.getCollaboratorPermissionLevel({ ...ref, username: login }),
      );
      const data = answer.data as { permission?: unknown; role_name?: unknown };
      const named = PERMISSIONS.find((p) => p === data.role_name) ?? PERMISSIONS.find((p) => p === data.permission);
      return named ?? 'none';
    } catch (error) {
      if (error instanceof AppError && error.code === 'GITHUB_NOT_FOUND') return 'none';
      throw error;
    }
  }

  /** Open issues (not pull requests) with `label`, oldest first, at most `max` of them. */
  async listOpenIssues(ref: RepoRef, label: string, max = 1000): Promise<OpenIssue[]> {
    const issues: OpenIssue[] = [];
    await this.call(`open issues labelled ${label} of ${describe(ref)}`, () =>
      this.octokit.paginate(
        this.octokit.rest.issues.listForRepo,
        { ...ref, state: 'open', labels: label, sort: 'created', direction: 'asc', per_page: 100 },
        (response, done) => {
          for (const issue of response.data) {
            if (issue.pull_request !== undefined) continue;
            if (issues.length >= max) break;
            issues.push({
              number: issue.number,
              title: issue.title,
              body: issue.body ?? '',
              updatedAt: issue.updated_at,
              labels: issue.labels.map((l) => (typeof l === 'string' ? l : (l.name ?? ''))).filter(Boolean),
            });
          }
          if (issues.length >= max) done();
          return [];
        },
      ),
    );
    return issues;
  }

  /** Opens an issue with `labels` (GitHub makes a label the repository does not have yet); never assigns anyone. */
  async createIssue(
    ref: RepoRef,
    input: { readonly title: string; readonly body: string; readonly labels: readonly string[] },
    options: GitHubCallOptions = {},
  ): Promise<CreatedIssue> {
    const issue = await this.call(`opening an issue in ${describe(ref)}`, () =>
      this.octokit.rest.issues.create({
        ...ref,
        title: input.title,
        body: input.body,
        labels: [...input.labels],
        ...requestOf(options),
      }),
    );
    return {
      number: issue.data.number,
      url: issue.data.html_url,
      labels: issue.data.labels.map((l) => (typeof l === 'string' ? l : (l.name ?? ''))).filter(Boolean),
    };
  }

  /** Who applied `label` to the issue last (from its events; at most 1000 are read). */
  async labeledBy(ref: RepoRef, number: number, label: string): Promise<GitHubActor | undefined> {
    let found: GitHubActor | undefined;
    let read = 0;
    await this.call(`events of issue #${String(number)} of ${describe(ref)}`, () =>
      this.octokit.paginate(
        this.octokit.rest.issues.listEvents,
        { ...ref, issue_number: number, per_page: 100 },
        (response, done) => {
          for (const event of response.data) {
            const named = (event as { label?: { name?: unknown } }).label?.name;
            // A deleted account's events have no actor.
            const actor = event.actor as { login: string; type?: string } | null;
            if (event.event === 'labeled' && named === label && actor !== null) {
              found = { login: actor.login, isBot: actor.login.endsWith('[bot]') || actor.type === 'Bot' };
            }
          }
          read += response.data.length;
          if (read >= 1000) done();
          return [];
        },
      ),
    );
    return found;
  }

  /** Posts a review (a comment, never an approval by itself) with optional line comments. */
  async review(
    ref: RepoRef,
    number: number,
    body: string,
    comments: readonly ReviewLineComment[] = [],
    options: GitHubCallOptions = {},
  ): Promise<void> {
    await this.call(`reviewing #${String(number)} of ${describe(ref)}`, () =>
      this.octokit.rest.pulls.createReview({
        ...ref,
        pull_number: number,
        body,
        event: 'COMMENT',
        comments: comments.map((c) => ({ path: c.path, line: c.line, body: c.body })),
        ...requestOf(options),
      }),
    );
  }

  // ---- Closing the PR loop: checks, Actions logs, reviews, merge ----

  /**
   * The checks of commit `sha`: its check runs (the latest of each name) and its commit statuses
   * (the latest of each context) summed up.
   */
  async checksOf(ref: RepoRef, sha: string, options: GitHubCallOptions = {}): Promise<CheckSummary> {
    const what = `checks of ${sha} in ${describe(ref)}`;
    const request = requestOf(options);
    const [runs, combined] = await Promise.all([
      this.call(what, () =>
        this.octokit.paginate(this.octokit.rest.checks.listForRef, {
          ...ref,
          ref: sha,
          filter: 'latest',
          per_page: 100,
          ...request,
        }),
      ),
      // Not paginated by Octokit (the answer is an object); 100 contexts is plenty.
      this.call(`commit statuses of ${sha} in ${describe(ref)}`, () =>
        this.octokit.rest.repos.getCombinedStatusForRef({ ...ref, ref: sha, per_page: 100, ...request }),
      ),
    ]);
    const failed: FailedCheck[] = [];
    const pending: string[] = [];
    const latestRuns = latestBy(runs, (r) => r.name);
    for (const run of latestRuns) {
      // Not done yet, or `stale` (GitHub gave up waiting): neither passed nor failed.
      if (run.status !== 'completed' || run.conclusion === null || !ENDED_CONCLUSIONS.has(run.conclusion))
        pending.push(run.name);
      else if (FAILED_CONCLUSIONS.has(run.conclusion))
        failed.push({
          name: run.name,
          source: 'check_run',
          url: run.html_url ?? run.details_url ?? undefined,
          summary: [run.output.title, run.output.summary].filter((t) => t !== null && t !== '').join('\n') || undefined,
        });
    }
    const statuses = latestBy(combined.data.statuses, (s) => s.context);
    for (const status of statuses) {
      if (status.state === 'pending') pending.push(status.context);
      else if (status.state === 'failure' || status.state === 'error')
        failed.push({
          name: status.context,
          source: 'status',
          url: status.target_url ?? undefined,
          summary: status.description ?? undefined,
        });
    }
    const total = latestRuns.length + statuses.length;
    const state = total === 0 ? 'none' : failed.length > 0 ? 'failure' : pending.length > 0 ? 'pending' : 'success';
    return { state, failed, pending, total };
  }

  /**
   * The logs of the failed jobs of the GitHub Actions runs of commit `sha` (at most `maxJobs`,
   * default 5), each cut to its last `maxCharsPerJob` characters (default 20 000: a failure is at
   * the end), without colour codes or per-line timestamps.
   */
  async failedJobLogs(
    ref: RepoRef,
    sha: string,
    options: GitHubCallOptions & { maxCharsPerJob?: number; maxJobs?: number } = {},
  ): Promise<FailedJobLog[]> {
    const request = requestOf(options);
    const maxJobs = options.maxJobs ?? 5;
    const runs = await this.call(`workflow runs of ${sha} in ${describe(ref)}`, () =>
      this.octokit.paginate(this.octokit.rest.actions.listWorkflowRunsForRepo, {
        ...ref,
        head_sha: sha,
        per_page: 100,
        ...request,
      }),
    );
    const failedJobs: { workflow: string; job: string; id: number }[] = [];
    for (const run of runs.filter((r) => r.conclusion !== null && FAILED_RUN_CONCLUSIONS.has(r.conclusion))) {
      if (failedJobs.length >= maxJobs) break;
      const jobs = await this.call(`jobs of workflow run ${String(run.id)} in ${describe(ref)}`, () =>
        this.octokit.paginate(this.octokit.rest.actions.listJobsForWorkflowRun, {
          ...ref,
          run_id: run.id,
          filter: 'latest',
          per_page: 100,
          ...request,
        }),
      );
      for (const job of jobs)
        if (job.conclusion !== null && FAILED_RUN_CONCLUSIONS.has(job.conclusion))
          failedJobs.push({ workflow: run.name ?? job.workflow_name ?? '', job: job.name, id: job.id });
    }
    return Promise.all(
      failedJobs.slice(0, maxJobs).map(async (job) => ({
        workflow: job.workflow,
        job: job.job,
        log: tailOf(cleanLog(await this.jobLog(ref, job.id, options)), options.maxCharsPerJob ?? 20_000),
      })),
    );
  }

  /** A job's raw log ('' when GitHub has it no more: 404, or 410 once expired). */
  private async jobLog(ref: RepoRef, jobId: number, options: GitHubCallOptions): Promise<string> {
    try {
      // GitHub answers 302 to a short-lived download URL; fetch follows it.
      const answer = await this.call(`log of job ${String(jobId)} in ${describe(ref)}`, () =>
        this.octokit.rest.actions.downloadJobLogsForWorkflowRun({ ...ref, job_id: jobId, ...requestOf(options) }),
      );
      const data: unknown = answer.data;
      if (typeof data === 'string') return data;
      return data instanceof ArrayBuffer ? new TextDecoder().decode(data) : '';
    } catch (error) {
      const status = error instanceof AppError && isRequestError(error.cause) ? error.cause.status : undefined;
      if (status === 404 || status === 410) return '';
      throw error;
    }
  }

  /** How many GitHub Actions workflows the repository has (0: whatever CI it has is not Actions). */
  async workflowCount(ref: RepoRef, options: GitHubCallOptions = {}): Promise<number> {
    const answer = await this.call(`listing the workflows of ${describe(ref)}`, () =>
      this.octokit.rest.actions.listRepoWorkflows({ ...ref, per_page: 1, ...requestOf(options) }),
    );
    return answer.data.total_count;
  }

  async pullRequestState(ref: RepoRef, number: number, options: GitHubCallOptions = {}): Promise<PullRequestState> {
    const pr = await this.call(`pull request #${String(number)} of ${describe(ref)}`, () =>
      this.octokit.rest.pulls.get({ ...ref, pull_number: number, ...requestOf(options) }),
    );
    return {
      state: pr.data.state === 'closed' ? 'closed' : 'open',
      merged: pr.data.merged,
      draft: pr.data.draft ?? false,
      headSha: pr.data.head.sha,
      headRef: pr.data.head.ref,
      nodeId: pr.data.node_id,
      mergeableState: pr.data.mergeable_state,
    };
  }

  /** Every review of the pull request, oldest first. */
  async reviewsOf(ref: RepoRef, number: number, options: GitHubCallOptions = {}): Promise<PullRequestReview[]> {
    const reviews = await this.call(`reviews of #${String(number)} of ${describe(ref)}`, () =>
      this.octokit.paginate(this.octokit.rest.pulls.listReviews, {
        ...ref,
        pull_number: number,
        per_page: 100,
        ...requestOf(options),
      }),
    );
    return reviews.map((r) => ({
      id: r.id,
      author: r.user?.login ?? 'ghost',
      state: REVIEW_STATES.find((s) => s === r.state) ?? 'COMMENTED',
      body: r.body,
      submittedAt: r.submitted_at,
      commitId: r.commit_id ?? undefined,
    }));
  }

  /** Every comment on the pull request's diff (replies included), oldest first. */
  async reviewCommentsOf(
    ref: RepoRef,
    number: number,
    options: GitHubCallOptions = {},
  ): Promise<PullRequestReviewComment[]> {
    const comments = await this.call(`review comments of #${String(number)} of ${describe(ref)}`, () =>
      this.octokit.paginate(this.octokit.rest.pulls.listReviewComments, {
        ...ref,
        pull_number: number,
        per_page: 100,
        ...requestOf(options),
      }),
    );
    return comments.map((c) => ({
      id: c.id,
      reviewId: c.pull_request_review_id ?? undefined,
      author: c.user.login,
      path: c.path,
      line: c.line ?? undefined,
      body: c.body,
      inReplyTo: c.in_reply_to_id,
      createdAt: c.created_at,
    }));
  }

  /** Answers a review comment in its thread. */
  async replyToReviewComment(
    ref: RepoRef,
    number: number,
    commentId: number,
    body: string,
    options: GitHubCallOptions = {},
  ): Promise<void> {
    await this.call(`replying to review comment ${String(commentId)} on #${String(number)} of ${describe(ref)}`, () =>
      this.octokit.rest.pulls.createReplyForReviewComment({
        ...ref,
        pull_number: number,
        comment_id: commentId,
        body,
        ...requestOf(options),
      }),
    );
  }

  /**
   * Merges the pull request if its head is still `merge.sha`. A refusal (405 not mergeable, 409
   * the head moved) is an answer, not an error: `merged: false` with GitHub's message.
   */
  async mergePullRequest(
    ref: RepoRef,
    number: number,
    merge: MergeRequest,
    options: GitHubCallOptions = {},
  ): Promise<MergeOutcome> {
    try {
      const answer = await this.octokit.rest.pulls.merge({
        ...ref,
        pull_number: number,
        sha: merge.sha,
        merge_method: merge.method,
        ...(merge.title === undefined ? {} : { commit_title: merge.title }),
        // A refusal will not change on a retry (the retry plugin would retry 405 and 409).
        request: { ...requestOf(options).request, retries: 0 },
      });
      return { merged: answer.data.merged, sha: answer.data.sha, message: answer.data.message };
    } catch (error) {
      if (isRequestError(error) && (error.status === 405 || error.status === 409))
        return { merged: false, message: apiMessageOf(error) };
      throw toGitHubError(`merging #${String(number)} of ${describe(ref)}`, error);
    }
  }

  /** Turns a draft pull request into one ready for review (GraphQL: REST has no such call). */
  async markReadyForReview(ref: RepoRef, nodeId: string, options: GitHubCallOptions = {}): Promise<void> {
    const headers = await this.authFor(ref);
    await this.call(`marking pull request ${nodeId} of ${describe(ref)} ready for review`, () =>
      // Octokit finds the GraphQL endpoint from baseUrl: /graphql, or /api/graphql on GitHub Enterprise.
      this.octokit.graphql(
        'mutation ($pullRequestId: ID!) { markPullRequestReadyForReview(input: { pullRequestId: $pullRequestId }) { pullRequest { id isDraft } } }',
        { pullRequestId: nodeId, headers, ...requestOf(options) },
      ),
    );
  }

  /** Adds labels to an issue or pull request (GitHub makes a label the repository does not have yet). */
  async addLabels(
    ref: RepoRef,
    number: number,
    labels: readonly string[],
    options: GitHubCallOptions = {},
  ): Promise<void> {
    if (labels.length === 0) return;
    await this.call(`labelling #${String(number)} of ${describe(ref)}`, () =>
      this.octokit.rest.issues.addLabels({ ...ref, issue_number: number, labels: [...labels], ...requestOf(options) }),
    );
  }

  /**
   * Asks people and teams to review. GitHub refuses (422, its message in the error) a reviewer who
   * is the PR's author or not a collaborator.
   */
  async requestReviewers(
    ref: RepoRef,
    number: number,
    who: { readonly reviewers: readonly string[]; readonly teamReviewers: readonly string[] },
    options: GitHubCallOptions = {},
  ): Promise<void> {
    if (who.reviewers.length === 0 && who.teamReviewers.length === 0) return;
    await this.call(`requesting reviewers on #${String(number)} of ${describe(ref)}`, () =>
      this.octokit.rest.pulls.requestReviewers({
        ...ref,
        pull_number: number,
        reviewers: [...who.reviewers],
        team_reviewers: [...who.teamReviewers],
        ...requestOf(options),
      }),
    );
  }
  // ---- end of closing the PR loop ----
}

// ---- Closing the PR loop: helpers ----

/**
 * Check run conclusions that fail a commit. Not `stale` (GitHub gave up waiting on it), nor
 * `cancelled` (a person or a concurrency group stopped it) or `action_required` (a person must
 * approve the run): no code to fix, so they stay pending until they run again or the wait ends.
 */
const FAILED_CONCLUSIONS: ReadonlySet<string> = new Set(['failure', 'timed_out', 'startup_failure']);
/** Conclusions of a check run that ended: the failed ones, and success, neutral or skipped. */
const ENDED_CONCLUSIONS: ReadonlySet<string> = new Set([...FAILED_CONCLUSIONS, 'success', 'neutral', 'skipped']);

/** Workflow runs and jobs whose logs say why CI failed (a cancelled one says nothing). */
const FAILED_RUN_CONCLUSIONS: ReadonlySet<string> = new Set(['failure', 'timed_out', 'startup_failure']);

const REVIEW_STATES: readonly PullRequestReviewState[] = [
  'APPROVED',
  'CHANGES_REQUESTED',
  'COMMENTED',
  'DISMISSED',
  'PENDING',
];

/** The item with the highest id for each key: a re-run check or a newer status replaces older ones. */
function latestBy<T extends { readonly id: number }>(items: readonly T[], keyOf: (item: T) => string): T[] {
  const latest = new Map<string, T>();
  for (const item of items) {
    const seen = latest.get(keyOf(item));
    if (seen === undefined || item.id > seen.id) latest.set(keyOf(item), item);
  }
  return [...latest.values()];
}

// CSI sequences (colours, cursor moves) and OSC sequences ending in BEL or ESC \.
// eslint-disable-next-line no-control-regex
const ANSI_ESCAPES = /\u001b\[[0-9;?]*[ -/]*[@-~]|\u001b\][^\u0007\u001b]*(?:\u0007|\u001b\\)/g;
/** The timestamp GitHub puts before every line of a job log. */
const LINE_TIMESTAMP = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?Z ?/gm;

/** A job log as a person reads it: no BOM, colour codes or timestamps, `\n` line ends. */
function cleanLog(log: string): string {
  return log
    .replace(/^\uFEFF/, '')
    .replace(/\r\n/g, '\n')
    .replace(ANSI_ESCAPES, '')
    .replace(LINE_TIMESTAMP, '');
}

/** The last `max` characters of `log`, from a line start, saying how much was cut before them. */
function tailOf(log: string, max: number): string {
  if (log.length <= max) return log;
  const notice = (cut: number) => `[… ${String(cut)} earlier characters cut …]\n`;
  let tail = log.slice(log.length - Math.max(0, max - notice(log.length).length));
  // Start at a line boundary when one is near, not mid-line.
  const newline = tail.indexOf('\n');
  if (newline >= 0 && newline < 200) tail = tail.slice(newline + 1);
  return notice(log.length - tail.length) + tail;
}

// ---- end of closing the PR loop helpers ----

function toGitHubError(what: string, error: unknown): AppError {
  // Already said (a GitHub App's token could not be had): its message names the App and the fix.
  if (error instanceof AppError) return toAppError(error);
  if (!isRequestError(error))
    return new AppError(
      'GITHUB_FAILED',
      `GitHub: ${what} failed: ${error instanceof Error ? error.message : String(error)}`,
      { cause: error },
    );
  const apiMessage = (error.response?.data as { message?: unknown } | undefined)?.message;
  const detail = typeof apiMessage === 'string' ? apiMessage : error.message;
  switch (error.status) {
    case 401:
      return new AppError('GITHUB_UNAUTHORIZED', `GitHub rejected the token (401) for ${what}; check GITHUB_TOKEN`, {
        cause: error,
      });
    case 404:
      return new AppError('GITHUB_NOT_FOUND', `GitHub: ${what} was not found (404), or the token cannot see it`, {
        cause: error,
      });
    case 403:
    case 429: {
      const reset = error.response?.headers?.['x-ratelimit-reset'];
      const when = reset === undefined ? '' : `; it resets at ${new Date(Number(reset) * 1000).toISOString()}`;
      return new AppError('GITHUB_RATE_LIMITED', `GitHub refused ${what} (${String(error.status)}: ${detail})${when}`, {
        cause: error,
        details: { rateLimited: true },
      });
    }
    default:
      return new AppError('GITHUB_FAILED', `GitHub: ${what} failed (${String(error.status)}: ${detail})`, {
        cause: error,
      });
  }
}

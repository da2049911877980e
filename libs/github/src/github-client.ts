import { AppError } from '@agent-harness/core';
import { retry } from '@octokit/plugin-retry';
import { throttling } from '@octokit/plugin-throttling';
import { Octokit } from '@octokit/rest';
import Bottleneck from 'bottleneck';
import type { RepoRef } from './github-remote.js';
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

  constructor(options: GitHubClientOptions) {
    const maxWait = options.maxRateLimitWaitSecs ?? 60;
    const waitOnce = (retryAfter: number, _options: object, _octokit: unknown, retryCount: number): boolean =>
      retryCount === 0 && retryAfter <= maxWait;
    this.octokit = new HarnessOctokit({
      baseUrl: options.apiUrl.replace(/\/+$/, ''),
      ...(options.token === undefined ? {} : { auth: options.token }),
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
    return pr === undefined ? undefined : { number: pr.number, url: pr.html_url };
  }

  /**
   * Opens a pull request, or returns the one already open for the same branch: a retried task must
   * never open a second PR.
   */
  async openPullRequest(
    ref: RepoRef,
    input: { title: string; body: string; head: string; base: string },
    options: GitHubCallOptions = {},
  ): Promise<PullRequestRef & { created: boolean }> {
    const existing = await this.findOpenPullRequest(ref, input.head, options);
    if (existing !== undefined) return { ...existing, created: false };
    try {
      const pr = await this.octokit.rest.pulls.create({ ...ref, ...input, ...requestOf(options) });
      return { number: pr.data.number, url: pr.data.html_url, created: true };
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
}

interface RequestErrorLike {
  status: number;
  message: string;
  response?: { headers?: Record<string, string | undefined>; data?: unknown };
}

function isRequestError(error: unknown): error is RequestErrorLike {
  return typeof error === 'object' && error !== null && typeof (error as { status?: unknown }).status === 'number';
}

function toGitHubError(what: string, error: unknown): AppError {
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

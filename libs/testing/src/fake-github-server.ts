import { createHash } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { FakeGitHubApp, type FakeGitHubAppOptions, type FakeInstallationToken } from './fake-github-app.js';
import {
  accountJson,
  checkRunJson,
  commitStatusJson,
  issueCommentJson,
  issueJson,
  jobJson,
  labelJson,
  pullRequestJson,
  repositoryJson,
  reviewCommentJson,
  reviewJson,
  userJson,
  workflowJson,
  workflowRunJson,
  type CheckRunShape,
  type FakeGitHubUrls,
} from './fake-github-shapes.js';

/** One request the fake GitHub received. @public */
export interface RecordedGitHubRequest {
  readonly method: string;
  readonly path: string;
  readonly authorization: string | undefined;
  readonly body: unknown;
}

/** @public */
export interface FakeIssue {
  title: string;
  body: string;
  labels: string[];
  comments: { author: string; body: string }[];
  state: 'open' | 'closed';
  /** Who opened it. */
  author: string;
  /** Who applied its labels (its `labeled` events); default its author. */
  labeledBy?: string;
  /** Its `updated_at` (ISO 8601). */
  updatedAt: string;
}

/** A role on a repository, as GitHub's collaborator permission endpoint names it. @public */
export type FakePermission = 'admin' | 'maintain' | 'write' | 'triage' | 'read';

/** A comment on a line of a pull request's diff; ids are given when absent (1, 2, … by position). @public */
export interface FakeReviewComment {
  path: string;
  line: number;
  author: string;
  body: string;
  id?: number | undefined;
  /** The review it belongs to. */
  reviewId?: number | undefined;
  /** The comment it answers (a reply). */
  inReplyTo?: number | undefined;
  createdAt?: string | undefined;
}

/** A submitted review, as `GET …/pulls/{n}/reviews` lists it. @public */
export interface FakeReview {
  readonly id: number;
  readonly author: string;
  readonly state: 'APPROVED' | 'CHANGES_REQUESTED' | 'COMMENTED' | 'DISMISSED' | 'PENDING';
  readonly body: string;
  readonly commitId: string;
  readonly submittedAt: string;
}

/** @public */
export interface FakePullRequest {
  number: number;
  title: string;
  body: string;
  head: string;
  base: string;
  /** Its head commit, unless `resolveHead` (an option of `startFakeGitHub`) knows the branch. */
  headSha: string;
  state: 'open' | 'closed';
  reviewComments: FakeReviewComment[];
  checks: { name: string; status: string; conclusion: string | null }[];
  comments: string[];
  /** The reviews Harness posted (`POST …/reviews`), as it sent them. */
  reviews: { body: string; event: string; comments: { path: string; line: number; body: string }[] }[];
  /** Every review, by people (`submitReview`) and by Harness, in order. */
  submittedReviews: FakeReview[];
  draft: boolean;
  merged: boolean;
  mergedSha?: string | undefined;
  mergeMethod?: string | undefined;
  /** false: GitHub found a conflict with the base (merging answers 405). */
  mergeable?: boolean | undefined;
  labels: string[];
  requestedReviewers: string[];
  requestedTeams: string[];
  /** Its GraphQL id (`node_id`). */
  nodeId: string;
}

/** A check run scripted for a commit. @public */
export interface FakeCheckRun {
  readonly name: string;
  readonly status: 'queued' | 'in_progress' | 'completed';
  readonly conclusion: string | null;
  readonly output?: { readonly title: string; readonly summary: string } | undefined;
}

/** A commit status (the older status API, still used by many CI services). @public */
export interface FakeCommitStatus {
  readonly context: string;
  readonly state: 'pending' | 'success' | 'failure' | 'error';
  readonly description?: string | undefined;
  readonly targetUrl?: string | undefined;
}

/** A GitHub Actions workflow run with its jobs; a job without `log` has an expired log (410). @public */
export interface FakeWorkflowRun {
  readonly headSha: string;
  readonly name: string;
  /** null while it runs. */
  readonly conclusion: string | null;
  readonly jobs: readonly { readonly name: string; readonly conclusion: string | null; readonly log?: string }[];
}

/** What a person does when reviewing a pull request. @public */
export interface FakeReviewInput {
  readonly author: string;
  readonly state: 'APPROVED' | 'CHANGES_REQUESTED' | 'COMMENTED';
  readonly body: string;
  /** Default: the pull request's head. */
  readonly commitId?: string;
  readonly comments?: readonly { readonly path: string; readonly line: number; readonly body: string }[];
}

/** A scripted failure for the next request matching `method` and `path`. @public */
export interface FakeGitHubFailure {
  readonly method: string;
  readonly path: RegExp;
  readonly status: number;
  readonly message?: string;
  readonly headers?: Readonly<Record<string, string>>;
  /** Answer this body instead of GitHub's error shape (e.g. an empty list with status 200). */
  readonly body?: unknown;
  /** How many matching requests fail (default 1). */
  times?: number;
  /** Never answer the matching requests (a GitHub that hangs); `status` is then unused. */
  readonly hang?: boolean;
}

/** One route the stand-in answers, in GitHub's OpenAPI path syntax. @public */
export interface FakeGitHubRoute {
  readonly method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  readonly path: string;
}

/**
 * Every route the stand-in answers; any other gets 404 before dispatch, so a route missing here is
 * unreachable. fake-github-openapi.spec.ts checks each against GitHub's OpenAPI description.
 * @public
 */
export const FAKE_GITHUB_ROUTES: readonly FakeGitHubRoute[] = [
  { method: 'GET', path: '/user' },
  // A GitHub App's own routes (`options.app`, fake-github-app.ts): answered to its JWT.
  { method: 'GET', path: '/app' },
  { method: 'GET', path: '/repos/{owner}/{repo}/installation' },
  { method: 'POST', path: '/app/installations/{installation_id}/access_tokens' },
  { method: 'GET', path: '/repos/{owner}/{repo}/issues' },
  { method: 'POST', path: '/repos/{owner}/{repo}/issues' },
  { method: 'GET', path: '/repos/{owner}/{repo}/issues/{issue_number}' },
  { method: 'GET', path: '/repos/{owner}/{repo}/issues/{issue_number}/events' },
  { method: 'GET', path: '/repos/{owner}/{repo}/issues/{issue_number}/comments' },
  { method: 'POST', path: '/repos/{owner}/{repo}/issues/{issue_number}/comments' },
  { method: 'POST', path: '/repos/{owner}/{repo}/issues/{issue_number}/labels' },
  { method: 'GET', path: '/repos/{owner}/{repo}/collaborators/{username}/permission' },
  { method: 'GET', path: '/repos/{owner}/{repo}/pulls' },
  { method: 'POST', path: '/repos/{owner}/{repo}/pulls' },
  { method: 'GET', path: '/repos/{owner}/{repo}/pulls/{pull_number}' },
  { method: 'GET', path: '/repos/{owner}/{repo}/pulls/{pull_number}/comments' },
  { method: 'POST', path: '/repos/{owner}/{repo}/pulls/{pull_number}/comments/{comment_id}/replies' },
  { method: 'GET', path: '/repos/{owner}/{repo}/pulls/{pull_number}/reviews' },
  { method: 'POST', path: '/repos/{owner}/{repo}/pulls/{pull_number}/reviews' },
  { method: 'PUT', path: '/repos/{owner}/{repo}/pulls/{pull_number}/merge' },
  { method: 'POST', path: '/repos/{owner}/{repo}/pulls/{pull_number}/requested_reviewers' },
  { method: 'DELETE', path: '/repos/{owner}/{repo}/git/refs/{ref}' },
  { method: 'GET', path: '/repos/{owner}/{repo}/commits/{ref}/check-runs' },
  { method: 'GET', path: '/repos/{owner}/{repo}/commits/{ref}/status' },
  { method: 'GET', path: '/repos/{owner}/{repo}/actions/workflows' },
  { method: 'GET', path: '/repos/{owner}/{repo}/actions/runs' },
  { method: 'GET', path: '/repos/{owner}/{repo}/actions/runs/{run_id}/jobs' },
  { method: 'GET', path: '/repos/{owner}/{repo}/actions/jobs/{job_id}/logs' },
  // Not REST (the spec exempts both): GraphQL, and where a job log's 302 points (another host on GitHub).
  { method: 'POST', path: '/graphql' },
  { method: 'GET', path: '/_logs/{owner}/{repo}/jobs/{job_id}' },
];

/** The declared route `path` falls under, if any (`{ref}` at the end may hold slashes, as in `heads/a/b`). */
export function fakeGitHubRouteOf(method: string, path: string): FakeGitHubRoute | undefined {
  return FAKE_GITHUB_ROUTES.find((route) => {
    if (route.method !== method) return false;
    const pattern = route.path
      .split('/')
      .map((segment, i, all) =>
        segment === '{ref}' && i === all.length - 1 ? '.+' : /^\{\w+\}$/.test(segment) ? '[^/]+' : segment,
      )
      .join('/');
    return new RegExp(`^${pattern}$`).test(path);
  });
}

/** A GitHub REST stand-in on 127.0.0.1. @public */
export interface FakeGitHub {
  readonly url: string;
  readonly requests: readonly RecordedGitHubRequest[];
  /** Adds (or replaces) an issue of `owner/repo` (`POST …/issues` adds one too, numbered after every issue and PR). */
  addIssue(repo: string, number: number, issue: Partial<FakeIssue> & { title: string }): void;
  addPullRequest(
    repo: string,
    pr: Partial<FakePullRequest> & { number: number; head: string; base: string },
  ): FakePullRequest;
  pullRequests(repo: string): FakePullRequest[];
  issue(repo: string, number: number): FakeIssue | undefined;
  /** Every issue of `owner/repo`, by number. */
  issues(repo: string): (FakeIssue & { number: number })[];
  /**
   * Gives `login` a role on `repo` (`GET …/collaborators/{login}/permission`). Anyone not given
   * one reads as `read`, as on a public repository.
   */
  setPermission(repo: string, login: string, permission: FakePermission): void;
  fail(failure: FakeGitHubFailure): void;
  /** Branches deleted through `DELETE …/git/refs/heads/{branch}`, in order. */
  deletedBranches(repo: string): string[];
  /** Requests left unanswered by a `hang` failure whose client has not given up (closed) yet. */
  hangingRequests(): number;
  // Closing the PR loop: checks, Actions logs, reviews, merge.
  pullRequest(repo: string, number: number): FakePullRequest | undefined;
  /** The check runs of commit `sha` (replacing earlier ones; each gets a new, higher id). */
  setCheckRuns(repo: string, sha: string, runs: readonly FakeCheckRun[]): void;
  /** Adds a commit status to `sha`; the combined status reads the latest per context. */
  setCommitStatus(repo: string, sha: string, status: FakeCommitStatus): void;
  addWorkflowRun(repo: string, run: FakeWorkflowRun): { runId: number; jobIds: number[] };
  /** A person reviews pull request `number` (throws for an unknown one). */
  submitReview(repo: string, number: number, review: FakeReviewInput): { reviewId: number; commentIds: number[] };
  /** The installation tokens issued (`options.app`), in order: what requests may carry. */
  issuedTokens(): FakeInstallationToken[];
  close(): Promise<void>;
}

interface StoredWorkflowRun {
  readonly id: number;
  readonly name: string;
  readonly headSha: string;
  readonly conclusion: string | null;
  readonly jobs: readonly {
    readonly id: number;
    readonly name: string;
    readonly conclusion: string | null;
    readonly log?: string | undefined;
  }[];
}

interface RepoState {
  issues: Map<number, FakeIssue>;
  pulls: Map<number, FakePullRequest>;
  permissions: Map<string, FakePermission>;
  deleted: string[];
  next: number;
  checkRuns: Map<string, CheckRunShape[]>;
  statuses: Map<string, (FakeCommitStatus & { id: number })[]>;
  workflowRuns: StoredWorkflowRun[];
}

/**
 * One page of `items` as GitHub pages listings: `per_page` (default 30, at most 100) and `page`,
 * with a `link` header naming the next page while there is one.
 */
function page<T>(
  items: readonly T[],
  query: URLSearchParams,
  pageUrl: (page: number) => string,
): { items: T[]; headers: Record<string, string> } {
  const perPage = Math.min(100, Math.max(1, Number(query.get('per_page') ?? 30) || 30));
  const current = Math.max(1, Number(query.get('page') ?? 1) || 1);
  const slice = items.slice((current - 1) * perPage, current * perPage);
  const hasNext = current * perPage < items.length;
  return { items: slice, headers: hasNext ? { link: `<${pageUrl(current + 1)}>; rel="next"` } : {} };
}

function send(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  res.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'x-ratelimit-limit': '5000',
    'x-ratelimit-remaining': '4999',
    ...headers,
  });
  res.end(body === undefined ? '' : JSON.stringify(body));
}

function readJson(req: IncomingMessage): Promise<unknown> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const text = Buffer.concat(chunks).toString('utf8');
      try {
        resolve(text === '' ? undefined : JSON.parse(text));
      } catch {
        resolve(text);
      }
    });
  });
}

/**
 * A local server speaking the GitHub REST shapes Octokit uses for issues, pull requests, comments,
 * reviews and check runs, keeping its state in memory and recording every request. With `token`
 * set, a request without `Authorization: token <token>` (or `Bearer`) gets GitHub's 401. Failures
 * (404, 422, rate limits with their real headers) can be scripted with `fail`.
 * @public
 */
export async function startFakeGitHub(
  options: {
    token?: string;
    /**
     * A GitHub App: its routes answer a JWT signed with its key (`GET /app`, `GET
     * /repos/{owner}/{repo}/installation`, `POST /app/installations/{id}/access_tokens`), and every
     * other route then wants a token it issued, unexpired, of the repository's installation (or
     * `token`). See fake-github-app.ts.
     */
    app?: FakeGitHubAppOptions;
    /**
     * Called with each request once recorded, and awaited before it is handled: a test can act at
     * that exact moment (kill the client mid-request, say); the request is then handled as usual.
     */
    onRequest?: (request: RecordedGitHubRequest) => Promise<void> | void;
    /**
     * The head commit of `branch` (e.g. `git rev-parse` in the bare origin), read at every answer so
     * a pull request's head follows real pushes; undefined falls back to the PR's `headSha`.
     */
    resolveHead?: (repo: string, branch: string) => string | undefined;
  } = {},
): Promise<FakeGitHub> {
  const repos = new Map<string, RepoState>();
  const requests: RecordedGitHubRequest[] = [];
  const app = options.app === undefined ? undefined : new FakeGitHubApp(options.app);
  const failures: FakeGitHubFailure[] = [];
  const sockets = new Set<Socket>();
  const hanging = new Set<IncomingMessage>();
  let url = '';
  const repoState = (name: string): RepoState => {
    let state = repos.get(name);
    if (state === undefined) {
      state = {
        issues: new Map(),
        pulls: new Map(),
        permissions: new Map(),
        deleted: [],
        next: 1000,
        checkRuns: new Map(),
        statuses: new Map(),
        workflowRuns: [],
      };
      repos.set(name, state);
    }
    return state;
  };
  const urls = (): FakeGitHubUrls => ({ api: url, web: 'https://github.example' });
  /** Ids of what the stand-in creates (reviews, comments, check runs, workflow runs, jobs). */
  let nextId = 100_000;
  const headOf = (repo: string, pr: FakePullRequest): string => options.resolveHead?.(repo, pr.head) ?? pr.headSha;
  /** The commit `ref` names: a sha, or a branch (a pull request's head, or whatever `resolveHead` knows). */
  const shaOf = (repo: string, ref: string): string => {
    const pr = [...repoState(repo).pulls.values()].find((p) => p.head === ref && p.state === 'open');
    return pr !== undefined ? headOf(repo, pr) : (options.resolveHead?.(repo, ref) ?? ref);
  };
  const prJson = (repo: string, pr: FakePullRequest) =>
    pullRequestJson(urls(), repo, {
      ...pr,
      headSha: headOf(repo, pr),
      comments: pr.comments.length,
      reviewComments: pr.reviewComments.length,
    });
  /** A review comment's id: its own, or its position (1, 2, …) for one a test added without. */
  const commentId = (c: FakeReviewComment, i: number): number => c.id ?? i + 1;
  /** GraphQL answers 200 with `errors` when it cannot do what was asked, as GitHub's does. */
  const answerGraphql = (res: ServerResponse, body: unknown): void => {
    const input = (body ?? {}) as { query?: unknown; variables?: unknown };
    const text = typeof input.query === 'string' ? input.query : '';
    if (!/\bmarkPullRequestReadyForReview\b/.test(text)) {
      send(res, 200, { errors: [{ message: 'The GitHub stand-in answers only markPullRequestReadyForReview' }] });
      return;
    }
    const variables: Record<string, unknown> =
      typeof input.variables === 'object' && input.variables !== null ? { ...input.variables } : {};
    const inline = /pullRequestId:\s*"([^"]+)"/.exec(text)?.[1];
    const ids = [...Object.values(variables), inline].filter((v): v is string => typeof v === 'string');
    const pr = [...repos.values()].flatMap((r) => [...r.pulls.values()]).find((p) => ids.includes(p.nodeId));
    if (pr === undefined) {
      send(res, 200, {
        data: { markPullRequestReadyForReview: null },
        errors: [
          {
            type: 'NOT_FOUND',
            path: ['markPullRequestReadyForReview'],
            message: `Could not resolve to a node with the global id of '${ids[0] ?? ''}'.`,
          },
        ],
      });
      return;
    }
    pr.draft = false;
    send(res, 200, { data: { markPullRequestReadyForReview: { pullRequest: { id: pr.nodeId, isDraft: false } } } });
  };

  const server = createServer((req, res) => {
    void readJson(req).then(async (body) => {
      const path = (req.url ?? '/').split('?')[0] ?? '/';
      const query = new URLSearchParams((req.url ?? '').split('?')[1] ?? '');
      const method = req.method ?? 'GET';
      const recorded = { method, path, authorization: req.headers.authorization, body };
      requests.push(recorded);
      await options.onRequest?.(recorded);
      // With an App, its routes check its JWT (below); the others want a token it issued, or `token`.
      const appRefusal =
        app === undefined || FakeGitHubApp.isAppRoute(method, path)
          ? undefined
          : app.refusal(path, req.headers.authorization, options.token);
      if (appRefusal !== undefined) {
        send(res, appRefusal.status, appRefusal.body);
        return;
      }
      if (
        app === undefined &&
        options.token !== undefined &&
        req.headers.authorization !== `token ${options.token}` &&
        req.headers.authorization !== `Bearer ${options.token}`
      ) {
        send(res, 401, {
          message: 'Bad credentials',
          documentation_url: 'https://docs.github.com/rest',
          status: '401',
        });
        return;
      }
      const failure = failures.find((f) => f.method === method && f.path.test(path));
      if (failure !== undefined) {
        failure.times = (failure.times ?? 1) - 1;
        if (failure.times <= 0) failures.splice(failures.indexOf(failure), 1);
        // Left open until the client gives up (or the server closes).
        if (failure.hang === true) {
          hanging.add(req);
          res.on('close', () => hanging.delete(req));
          return;
        }
        send(
          res,
          failure.status,
          failure.body ?? {
            message: failure.message ?? `scripted ${String(failure.status)}`,
            documentation_url: 'https://docs.github.com/rest',
          },
          { ...failure.headers },
        );
        return;
      }
      // Only declared routes are answered (the OpenAPI spec checks the declarations).
      if (fakeGitHubRouteOf(method, path) === undefined) {
        send(res, 404, { message: 'Not Found', documentation_url: 'https://docs.github.com/rest' });
        return;
      }
      // A GitHub App's own routes, to its JWT (fake-github-app.ts); without an App, GitHub's 401.
      if (FakeGitHubApp.isAppRoute(method, path)) {
        const answer = app?.answer(method, path, req.headers.authorization) ?? {
          status: 401,
          body: { message: 'A JSON web token could not be decoded', documentation_url: 'https://docs.github.com/rest' },
        };
        send(res, answer.status, answer.body);
        return;
      }
      // The authenticated account, with a classic token's scopes (what `harness doctor` reads).
      if (method === 'GET' && path === '/user') {
        send(res, 200, accountJson(urls(), 'harness-bot'), { 'x-oauth-scopes': 'repo, workflow' });
        return;
      }
      // ---- Closing the PR loop (not REST): GraphQL, and the job log a 302 points at. ----
      if (method === 'POST' && path === '/graphql') {
        answerGraphql(res, body);
        return;
      }
      let logMatch: RegExpExecArray | null;
      if (method === 'GET' && (logMatch = /^\/_logs\/([^/]+\/[^/]+)\/jobs\/(\d+)$/.exec(path))) {
        const jobId = Number(logMatch[2]);
        const job = repoState(logMatch[1] ?? '')
          .workflowRuns.flatMap((run) => run.jobs)
          .find((j) => j.id === jobId);
        res.writeHead(job?.log === undefined ? 404 : 200, { 'content-type': 'text/plain; charset=utf-8' });
        res.end(job?.log ?? 'Not Found');
        return;
      }
      // ---- end of closing the PR loop (not REST) ----
      const m = /^\/repos\/([^/]+\/[^/]+)\/(.*)$/.exec(path);
      if (m?.[1] === undefined || m[2] === undefined) {
        send(res, 404, { message: 'Not Found' });
        return;
      }
      const repo = m[1];
      const rest = m[2];
      const state = repoState(repo);
      let match: RegExpExecArray | null;
      const nextPage = (n: number): string => {
        const params = new URLSearchParams(query);
        params.set('page', String(n));
        return `${url}${path}?${params.toString()}`;
      };
      if (method === 'GET' && rest === 'issues') {
        const wantState = query.get('state') ?? 'open';
        const labels = (query.get('labels') ?? '').split(',').filter((l) => l !== '');
        const sorted = [...state.issues.entries()].sort(([a], [b]) =>
          query.get('direction') === 'desc' ? b - a : a - b,
        );
        const listed = sorted.filter(
          ([, issue]) =>
            (wantState === 'all' || issue.state === wantState) && labels.every((l) => issue.labels.includes(l)),
        );
        const { items, headers } = page(listed, query, nextPage);
        send(
          res,
          200,
          items.map(([n, issue]) => issueJson(urls(), repo, { ...issue, number: n, comments: issue.comments.length })),
          headers,
        );
        return;
      }
      if (method === 'POST' && rest === 'issues') {
        // As GitHub: a title is required, at most 256 characters; a body at most 65536; labels by
        // name (strings or {name}); numbers are shared with pull requests; the author is the token's.
        const input = (body ?? {}) as { title?: unknown; body?: unknown; labels?: unknown };
        const invalid = (field: string, code: string, message?: string): void => {
          send(res, 422, {
            message: 'Validation Failed',
            errors: [{ resource: 'Issue', code, field, ...(message === undefined ? {} : { message }) }],
            documentation_url: 'https://docs.github.com/rest/issues/issues#create-an-issue',
          });
        };
        if (typeof input.title !== 'string' || input.title.trim() === '') {
          invalid('title', 'missing_field');
          return;
        }
        if (input.title.length > 256) {
          invalid('title', 'custom', 'title is too long (maximum is 256 characters)');
          return;
        }
        const text = typeof input.body === 'string' ? input.body : '';
        if (text.length > 65536) {
          invalid('body', 'custom', 'body is too long (maximum is 65536 characters)');
          return;
        }
        const labels = (Array.isArray(input.labels) ? (input.labels as unknown[]) : []).flatMap((l) =>
          typeof l === 'string'
            ? [l]
            : typeof (l as { name?: unknown }).name === 'string'
              ? [(l as { name: string }).name]
              : [],
        );
        const number = Math.max(state.next, ...[...state.issues.keys(), ...state.pulls.keys()].map((n) => n + 1));
        state.next = number + 1;
        fake.addIssue(repo, number, { title: input.title, body: text, labels, author: 'harness-bot' });
        const created = state.issues.get(number);
        if (created !== undefined)
          send(res, 201, issueJson(urls(), repo, { ...created, number, comments: 0 }), {
            location: `${url}/repos/${repo}/issues/${String(number)}`,
          });
        return;
      }
      if (method === 'GET' && (match = /^issues\/(\d+)\/events$/.exec(rest))) {
        const issue = state.issues.get(Number(match[1]));
        if (issue === undefined) {
          send(res, 404, { message: 'Not Found' });
          return;
        }
        const labeler = issue.labeledBy ?? issue.author;
        const events = issue.labels.map((name, i) => ({
          id: i + 1,
          node_id: `LE_${String(i + 1)}`,
          url: `${url}/repos/${repo}/issues/events/${String(i + 1)}`,
          event: 'labeled',
          label: { name, color: 'ededed' },
          actor: userJson(urls(), labeler),
          commit_id: null,
          commit_url: null,
          performed_via_github_app: null,
          created_at: issue.updatedAt,
        }));
        const { items, headers } = page(events, query, nextPage);
        send(res, 200, items, headers);
        return;
      }
      if (method === 'GET' && (match = /^collaborators\/([^/]+)\/permission$/.exec(rest))) {
        const login = decodeURIComponent(match[1] ?? '');
        const role = state.permissions.get(login.toLowerCase()) ?? 'read';
        // The older `permission` field folds maintain into write and triage into read.
        const permission = role === 'maintain' ? 'write' : role === 'triage' ? 'read' : role;
        const permissions = {
          admin: role === 'admin',
          maintain: role === 'admin' || role === 'maintain',
          push: permission === 'admin' || permission === 'write',
          triage: role !== 'read',
          pull: true,
        };
        send(res, 200, {
          permission,
          role_name: role,
          user: { ...userJson(urls(), login), permissions, role_name: role },
        });
        return;
      }
      if (method === 'GET' && (match = /^issues\/(\d+)$/.exec(rest))) {
        const issue = state.issues.get(Number(match[1]));
        if (issue === undefined) {
          send(res, 404, { message: 'Not Found' });
          return;
        }
        send(
          res,
          200,
          issueJson(urls(), repo, { ...issue, number: Number(match[1]), comments: issue.comments.length }),
        );
        return;
      }
      if (method === 'GET' && (match = /^issues\/(\d+)\/comments$/.exec(rest))) {
        const n = Number(match[1]);
        const issue = state.issues.get(n);
        const pr = state.pulls.get(n);
        if (issue === undefined && pr === undefined) {
          send(res, 404, { message: 'Not Found' });
          return;
        }
        const comments = issue?.comments ?? pr?.comments.map((b) => ({ author: 'harness-bot', body: b })) ?? [];
        const { items, headers } = page(
          comments.map((c, i) => ({ ...c, id: i + 1 })),
          query,
          nextPage,
        );
        send(
          res,
          200,
          items.map((c) => issueCommentJson(urls(), repo, n, c)),
          headers,
        );
        return;
      }
      if (method === 'POST' && (match = /^issues\/(\d+)\/comments$/.exec(rest))) {
        const n = Number(match[1]);
        const given = (body as { body?: unknown } | undefined)?.body;
        const text = typeof given === 'string' ? given : '';
        const pr = state.pulls.get(n);
        const issue = state.issues.get(n);
        if (pr === undefined && issue === undefined) {
          send(res, 404, { message: 'Not Found' });
          return;
        }
        if (pr !== undefined) pr.comments.push(text);
        else issue?.comments.push({ author: 'harness-bot', body: text });
        const count = pr?.comments.length ?? issue?.comments.length ?? 0;
        send(res, 201, issueCommentJson(urls(), repo, n, { id: count, author: 'harness-bot', body: text }));
        return;
      }
      if (method === 'GET' && rest === 'pulls') {
        // As GitHub: `head` filters only in its `owner:branch` form (a bare branch name filters
        // nothing), `base` by branch; newest first unless `direction=asc`; paged.
        const head = query.get('head');
        const base = query.get('base');
        const wantState = query.get('state') ?? 'open';
        const owner = repo.split('/')[0] ?? '';
        const list = [...state.pulls.values()]
          .filter(
            (p) =>
              (wantState === 'all' || p.state === wantState) &&
              (head === null || !head.includes(':') || `${owner}:${p.head}` === head) &&
              (base === null || p.base === base),
          )
          .sort((a, b) => (query.get('direction') === 'asc' ? a.number - b.number : b.number - a.number));
        const { items, headers } = page(list, query, nextPage);
        send(
          res,
          200,
          items.map((p) => prJson(repo, p)),
          headers,
        );
        return;
      }
      if (method === 'POST' && rest === 'pulls') {
        const input = body as { title?: string; body?: string; head?: string; base?: string; draft?: boolean };
        if (!input.title || !input.head || !input.base) {
          send(res, 422, {
            message: 'Validation Failed',
            errors: [{ resource: 'PullRequest', code: 'missing_field' }],
          });
          return;
        }
        const open = [...state.pulls.values()].find((p) => p.head === input.head && p.state === 'open');
        if (open !== undefined) {
          send(res, 422, {
            message: 'Validation Failed',
            errors: [
              {
                resource: 'PullRequest',
                code: 'custom',
                message: `A pull request already exists for ${repo.split('/')[0] ?? ''}:${input.head}.`,
              },
            ],
          });
          return;
        }
        const pr = fake.addPullRequest(repo, {
          number: state.next++,
          title: input.title,
          body: input.body ?? '',
          head: input.head,
          base: input.base,
          draft: input.draft === true,
        });
        send(res, 201, prJson(repo, pr));
        return;
      }
      if (method === 'GET' && (match = /^pulls\/(\d+)$/.exec(rest))) {
        const pr = state.pulls.get(Number(match[1]));
        if (pr === undefined) send(res, 404, { message: 'Not Found' });
        else send(res, 200, prJson(repo, pr));
        return;
      }
      if (method === 'GET' && (match = /^pulls\/(\d+)\/comments$/.exec(rest))) {
        const pr = state.pulls.get(Number(match[1]));
        if (pr === undefined) {
          send(res, 404, { message: 'Not Found' });
          return;
        }
        const comments = pr.reviewComments.map((c, i) => ({
          ...c,
          id: commentId(c, i),
          commitId: headOf(repo, pr),
          createdAt: c.createdAt ?? '2024-01-01T00:00:00Z',
        }));
        const { items, headers } = page(comments, query, nextPage);
        send(
          res,
          200,
          items.map((c) => reviewCommentJson(urls(), repo, pr.number, c)),
          headers,
        );
        return;
      }
      if (method === 'POST' && (match = /^pulls\/(\d+)\/reviews$/.exec(rest))) {
        const pr = state.pulls.get(Number(match[1]));
        if (pr === undefined) {
          send(res, 404, { message: 'Not Found' });
          return;
        }
        const input = body as {
          body?: string;
          event?: string;
          commit_id?: string;
          comments?: { path: string; line: number; body: string }[];
        };
        pr.reviews.push({ body: input.body ?? '', event: input.event ?? 'COMMENT', comments: input.comments ?? [] });
        // Also a review like anyone's (author harness-bot), its line comments review comments.
        const states: Record<string, FakeReview['state']> = {
          APPROVE: 'APPROVED',
          REQUEST_CHANGES: 'CHANGES_REQUESTED',
          COMMENT: 'COMMENTED',
        };
        const review: FakeReview = {
          id: nextId++,
          author: 'harness-bot',
          state: states[input.event ?? 'COMMENT'] ?? 'PENDING',
          body: input.body ?? '',
          commitId: input.commit_id ?? headOf(repo, pr),
          submittedAt: new Date().toISOString(),
        };
        pr.submittedReviews.push(review);
        for (const c of input.comments ?? [])
          pr.reviewComments.push({
            ...c,
            author: 'harness-bot',
            id: nextId++,
            reviewId: review.id,
            createdAt: review.submittedAt,
          });
        send(res, 200, reviewJson(urls(), repo, pr.number, review));
        return;
      }
      if (method === 'DELETE' && (match = /^git\/refs\/(.+)$/.exec(rest))) {
        // As GitHub: the ref may come encoded (Octokit sends heads%2Fname); 204 once, then 422.
        const ref = decodeURIComponent(match[1] ?? '');
        if (!ref.startsWith('heads/')) {
          send(res, 422, { message: 'Reference does not exist' });
          return;
        }
        const branch = ref.slice('heads/'.length);
        if (state.deleted.includes(branch)) {
          send(res, 422, { message: 'Reference does not exist', documentation_url: 'https://docs.github.com/rest' });
          return;
        }
        state.deleted.push(branch);
        res.writeHead(204).end();
        return;
      }
      if (method === 'GET' && (match = /^commits\/([^/]+)\/check-runs$/.exec(rest))) {
        // A PR's `checks` (ids 1, 2, …) answer for its head; `setCheckRuns` scripts any commit.
        const ref = decodeURIComponent(match[1] ?? '');
        const sha = shaOf(repo, ref);
        const pr = [...state.pulls.values()].find(
          (p) => p.headSha === ref || p.head === ref || headOf(repo, p) === sha,
        );
        const legacy = (pr?.checks ?? []).map((r, i): CheckRunShape => ({ id: i + 1, headSha: sha, ...r }));
        const all = [...legacy, ...(state.checkRuns.get(sha) ?? [])];
        // As GitHub: `filter=latest` (the default) keeps the newest run of each name.
        const latest = (query.get('filter') ?? 'latest') === 'latest';
        const runs = all.filter(
          (r) =>
            (!latest || !all.some((o) => o.name === r.name && o.id > r.id)) &&
            (query.get('check_name') === null || r.name === query.get('check_name')) &&
            (query.get('status') === null || r.status === query.get('status')),
        );
        const { items, headers } = page(runs, query, nextPage);
        send(
          res,
          200,
          { total_count: runs.length, check_runs: items.map((r) => checkRunJson(urls(), repo, r)) },
          headers,
        );
        return;
      }
      // ---- Closing the PR loop: statuses, Actions, reviews, replies, merge, labels, reviewers ----
      if (method === 'GET' && (match = /^commits\/([^/]+)\/status$/.exec(rest))) {
        const sha = shaOf(repo, decodeURIComponent(match[1] ?? ''));
        const all = state.statuses.get(sha) ?? [];
        const latest = all.filter((s) => !all.some((o) => o.context === s.context && o.id > s.id));
        // As GitHub: failure if any context failed or errored; pending if any is, or there are none.
        const combined = latest.some((s) => s.state === 'failure' || s.state === 'error')
          ? 'failure'
          : latest.length === 0 || latest.some((s) => s.state === 'pending')
            ? 'pending'
            : 'success';
        const { items, headers } = page(latest, query, nextPage);
        send(
          res,
          200,
          {
            state: combined,
            sha,
            total_count: latest.length,
            statuses: items.map((s) => commitStatusJson(urls(), repo, sha, s)),
            repository: repositoryJson(urls(), repo),
            commit_url: `${url}/repos/${repo}/commits/${sha}`,
            url: `${url}/repos/${repo}/commits/${sha}/status`,
          },
          headers,
        );
        return;
      }
      if (method === 'GET' && rest === 'actions/workflows') {
        // The repository's workflows: one per name of the runs a test added.
        const names = [...new Set(state.workflowRuns.map((run) => run.name))];
        const { items, headers } = page(names, query, nextPage);
        send(
          res,
          200,
          { total_count: names.length, workflows: items.map((name) => workflowJson(urls(), repo, name)) },
          headers,
        );
        return;
      }
      if (method === 'GET' && rest === 'actions/runs') {
        // `status` filters by status or by conclusion, as GitHub's does; newest first.
        const headSha = query.get('head_sha');
        const status = query.get('status');
        const runs = state.workflowRuns
          .map((run) => ({ ...run, status: run.conclusion === null ? 'in_progress' : 'completed' }))
          .filter(
            (run) =>
              (headSha === null || run.headSha === headSha) &&
              (status === null || run.status === status || run.conclusion === status),
          )
          .sort((a, b) => b.id - a.id);
        const { items, headers } = page(runs, query, nextPage);
        send(
          res,
          200,
          { total_count: runs.length, workflow_runs: items.map((run) => workflowRunJson(urls(), repo, run)) },
          headers,
        );
        return;
      }
      if (method === 'GET' && (match = /^actions\/runs\/(\d+)\/jobs$/.exec(rest))) {
        const run = state.workflowRuns.find((r) => r.id === Number(match?.[1]));
        if (run === undefined) {
          send(res, 404, { message: 'Not Found' });
          return;
        }
        const jobs = run.jobs.map((job) => ({
          ...job,
          runId: run.id,
          workflowName: run.name,
          headSha: run.headSha,
          status: job.conclusion === null ? 'in_progress' : 'completed',
        }));
        const { items, headers } = page(jobs, query, nextPage);
        send(res, 200, { total_count: jobs.length, jobs: items.map((job) => jobJson(urls(), repo, job)) }, headers);
        return;
      }
      if (method === 'GET' && (match = /^actions\/jobs\/(\d+)\/logs$/.exec(rest))) {
        const jobId = Number(match[1]);
        const job = state.workflowRuns.flatMap((run) => run.jobs).find((j) => j.id === jobId);
        if (job === undefined) {
          send(res, 404, { message: 'Not Found' });
          return;
        }
        // An expired log: GitHub keeps them for a while only.
        if (job.log === undefined) {
          send(res, 410, { message: 'Gone', documentation_url: 'https://docs.github.com/rest' });
          return;
        }
        // As GitHub: a redirect to a short-lived download URL serving plain text.
        res.writeHead(302, { location: `${url}/_logs/${repo}/jobs/${String(jobId)}` }).end();
        return;
      }
      if (method === 'GET' && (match = /^pulls\/(\d+)\/reviews$/.exec(rest))) {
        const n = Number(match[1]);
        const pr = state.pulls.get(n);
        if (pr === undefined) {
          send(res, 404, { message: 'Not Found' });
          return;
        }
        const { items, headers } = page(pr.submittedReviews, query, nextPage);
        send(
          res,
          200,
          items.map((review) => reviewJson(urls(), repo, n, review)),
          headers,
        );
        return;
      }
      if (method === 'POST' && (match = /^pulls\/(\d+)\/comments\/(\d+)\/replies$/.exec(rest))) {
        const n = Number(match[1]);
        const pr = state.pulls.get(n);
        const target = Number(match[2]);
        const answered = pr?.reviewComments.find((c, i) => commentId(c, i) === target);
        const text = (body as { body?: unknown } | undefined)?.body;
        if (pr === undefined || answered === undefined) {
          send(res, 404, { message: 'Not Found', documentation_url: 'https://docs.github.com/rest' });
          return;
        }
        if (typeof text !== 'string' || text === '') {
          send(res, 422, {
            message: 'Validation Failed',
            errors: [{ resource: 'PullRequestReviewComment', code: 'missing_field', field: 'body' }],
          });
          return;
        }
        // A reply is a review comment of its own (in a review of its own), on the same line.
        const reply: FakeReviewComment = {
          id: nextId++,
          reviewId: nextId++,
          inReplyTo: answered.inReplyTo ?? target,
          author: 'harness-bot',
          path: answered.path,
          line: answered.line,
          body: text,
          createdAt: new Date().toISOString(),
        };
        pr.reviewComments.push(reply);
        send(
          res,
          201,
          reviewCommentJson(urls(), repo, n, {
            ...reply,
            id: reply.id ?? 0,
            commitId: headOf(repo, pr),
            createdAt: reply.createdAt ?? '',
          }),
        );
        return;
      }
      if (method === 'PUT' && (match = /^pulls\/(\d+)\/merge$/.exec(rest))) {
        const pr = state.pulls.get(Number(match[1]));
        if (pr === undefined) {
          send(res, 404, { message: 'Not Found' });
          return;
        }
        const input = (body ?? {}) as { sha?: unknown; merge_method?: unknown };
        const mergeMethod = input.merge_method ?? 'merge';
        if (mergeMethod !== 'merge' && mergeMethod !== 'squash' && mergeMethod !== 'rebase') {
          send(res, 422, { message: 'Validation Failed', errors: [{ field: 'merge_method', code: 'invalid' }] });
          return;
        }
        if (pr.state !== 'open' || pr.draft || pr.mergeable === false) {
          send(res, 405, {
            message: 'Pull Request is not mergeable',
            documentation_url: 'https://docs.github.com/rest/pulls/pulls#merge-a-pull-request',
          });
          return;
        }
        if (typeof input.sha === 'string' && input.sha !== headOf(repo, pr)) {
          send(res, 409, {
            message: 'Head branch was modified. Review and try the merge again.',
            documentation_url: 'https://docs.github.com/rest/pulls/pulls#merge-a-pull-request',
          });
          return;
        }
        pr.merged = true;
        pr.state = 'closed';
        pr.mergeMethod = mergeMethod;
        pr.mergedSha = createHash('sha1')
          .update(`${repo}#${String(pr.number)}:${headOf(repo, pr)}`)
          .digest('hex');
        send(res, 200, { sha: pr.mergedSha, merged: true, message: 'Pull Request successfully merged' });
        return;
      }
      if (method === 'POST' && (match = /^issues\/(\d+)\/labels$/.exec(rest))) {
        const n = Number(match[1]);
        const target = state.pulls.get(n) ?? state.issues.get(n);
        if (target === undefined) {
          send(res, 404, { message: 'Not Found' });
          return;
        }
        // `{labels: [...]}` or a bare array, of names or `{name}`.
        const given = Array.isArray(body) ? (body as unknown[]) : (body as { labels?: unknown } | undefined)?.labels;
        const names = (Array.isArray(given) ? (given as unknown[]) : []).flatMap((l) =>
          typeof l === 'string'
            ? [l]
            : typeof (l as { name?: unknown }).name === 'string'
              ? [(l as { name: string }).name]
              : [],
        );
        for (const name of names) if (!target.labels.includes(name)) target.labels.push(name);
        send(
          res,
          200,
          target.labels.map((name) => labelJson(urls(), repo, name)),
        );
        return;
      }
      if (method === 'POST' && (match = /^pulls\/(\d+)\/requested_reviewers$/.exec(rest))) {
        const pr = state.pulls.get(Number(match[1]));
        if (pr === undefined) {
          send(res, 404, { message: 'Not Found' });
          return;
        }
        const input = (body ?? {}) as { reviewers?: unknown; team_reviewers?: unknown };
        const strings = (v: unknown): string[] =>
          Array.isArray(v) ? (v as unknown[]).filter((x): x is string => typeof x === 'string') : [];
        const reviewers = strings(input.reviewers);
        if (reviewers.some((login) => login.toLowerCase() === 'harness-bot')) {
          send(res, 422, {
            message: 'Review cannot be requested from pull request author.',
            documentation_url:
              'https://docs.github.com/rest/pulls/review-requests#request-reviewers-for-a-pull-request',
          });
          return;
        }
        for (const login of reviewers) if (!pr.requestedReviewers.includes(login)) pr.requestedReviewers.push(login);
        for (const team of strings(input.team_reviewers))
          if (!pr.requestedTeams.includes(team)) pr.requestedTeams.push(team);
        send(res, 201, prJson(repo, pr));
        return;
      }
      // ---- end of closing the PR loop ----
      send(res, 404, { message: 'Not Found' });
    });
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${String((server.address() as AddressInfo).port)}`;

  const fake: FakeGitHub = {
    url,
    requests,
    addIssue(repo, number, issue) {
      repoState(repo).issues.set(number, {
        body: '',
        labels: [],
        comments: [],
        state: 'open',
        author: 'reporter',
        updatedAt: new Date().toISOString(),
        ...issue,
      });
    },
    addPullRequest(repo, input) {
      const pr: FakePullRequest = {
        title: `PR #${String(input.number)}`,
        body: '',
        headSha: `sha${String(input.number)}`,
        state: 'open',
        reviewComments: [],
        checks: [],
        comments: [],
        reviews: [],
        submittedReviews: [],
        draft: false,
        merged: false,
        labels: [],
        requestedReviewers: [],
        requestedTeams: [],
        nodeId: `PR_${Buffer.from(`${repo}#${String(input.number)}`).toString('base64url')}`,
        ...input,
      };
      repoState(repo).pulls.set(pr.number, pr);
      return pr;
    },
    pullRequests: (repo) => [...repoState(repo).pulls.values()],
    issue: (repo, number) => repoState(repo).issues.get(number),
    issues: (repo) =>
      [...repoState(repo).issues.entries()].sort(([a], [b]) => a - b).map(([number, issue]) => ({ ...issue, number })),
    setPermission: (repo, login, permission) => {
      repoState(repo).permissions.set(login.toLowerCase(), permission);
    },
    fail: (failure) => failures.push({ ...failure }),
    deletedBranches: (repo) => [...repoState(repo).deleted],
    hangingRequests: () => hanging.size,
    issuedTokens: () => app?.issuedTokens() ?? [],
    // Closing the PR loop.
    pullRequest: (repo, number) => repoState(repo).pulls.get(number),
    setCheckRuns(repo, sha, runs) {
      repoState(repo).checkRuns.set(
        sha,
        runs.map((run) => ({ ...run, id: nextId++, headSha: sha })),
      );
    },
    setCommitStatus(repo, sha, status) {
      const statuses = repoState(repo).statuses;
      statuses.set(sha, [...(statuses.get(sha) ?? []), { ...status, id: nextId++ }]);
    },
    addWorkflowRun(repo, run) {
      const stored: StoredWorkflowRun = {
        id: nextId++,
        name: run.name,
        headSha: run.headSha,
        conclusion: run.conclusion,
        jobs: run.jobs.map((job) => ({ ...job, id: nextId++ })),
      };
      repoState(repo).workflowRuns.push(stored);
      return { runId: stored.id, jobIds: stored.jobs.map((job) => job.id) };
    },
    submitReview(repo, number, input) {
      const pr = repoState(repo).pulls.get(number);
      if (pr === undefined) throw new Error(`no pull request #${String(number)} in ${repo}`);
      const review: FakeReview = {
        id: nextId++,
        author: input.author,
        state: input.state,
        body: input.body,
        commitId: input.commitId ?? headOf(repo, pr),
        submittedAt: new Date().toISOString(),
      };
      pr.submittedReviews.push(review);
      const commentIds = (input.comments ?? []).map((c) => {
        const id = nextId++;
        pr.reviewComments.push({ ...c, author: input.author, id, reviewId: review.id, createdAt: review.submittedAt });
        return id;
      });
      return { reviewId: review.id, commentIds };
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => {
          resolve();
        });
      }),
  };
  return fake;
}

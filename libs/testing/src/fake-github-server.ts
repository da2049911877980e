import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

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

/** @public */
export interface FakePullRequest {
  number: number;
  title: string;
  body: string;
  head: string;
  base: string;
  headSha: string;
  state: 'open' | 'closed';
  reviewComments: { path: string; line: number; author: string; body: string }[];
  checks: { name: string; status: string; conclusion: string | null }[];
  comments: string[];
  reviews: { body: string; event: string; comments: { path: string; line: number; body: string }[] }[];
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
  close(): Promise<void>;
}

interface RepoState {
  issues: Map<number, FakeIssue>;
  pulls: Map<number, FakePullRequest>;
  permissions: Map<string, FakePermission>;
  deleted: string[];
  next: number;
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
     * Called with each request once recorded, and awaited before it is handled: a test can act at
     * that exact moment (kill the client mid-request, say); the request is then handled as usual.
     */
    onRequest?: (request: RecordedGitHubRequest) => Promise<void> | void;
  } = {},
): Promise<FakeGitHub> {
  const repos = new Map<string, RepoState>();
  const requests: RecordedGitHubRequest[] = [];
  const failures: FakeGitHubFailure[] = [];
  const sockets = new Set<Socket>();
  const hanging = new Set<IncomingMessage>();
  let url = '';
  const repoState = (name: string): RepoState => {
    let state = repos.get(name);
    if (state === undefined) {
      state = { issues: new Map(), pulls: new Map(), permissions: new Map(), deleted: [], next: 1000 };
      repos.set(name, state);
    }
    return state;
  };
  const html = (repo: string, kind: string, n: number) => `https://github.example/${repo}/${kind}/${String(n)}`;
  const prJson = (repo: string, pr: FakePullRequest) => ({
    number: pr.number,
    title: pr.title,
    body: pr.body,
    state: pr.state,
    html_url: html(repo, 'pull', pr.number),
    url: `${url}/repos/${repo}/pulls/${String(pr.number)}`,
    head: { ref: pr.head, sha: pr.headSha, label: `${repo.split('/')[0] ?? ''}:${pr.head}` },
    base: { ref: pr.base },
    user: { login: 'harness-bot' },
  });

  const server = createServer((req, res) => {
    void readJson(req).then(async (body) => {
      const path = (req.url ?? '/').split('?')[0] ?? '/';
      const query = new URLSearchParams((req.url ?? '').split('?')[1] ?? '');
      const method = req.method ?? 'GET';
      const recorded = { method, path, authorization: req.headers.authorization, body };
      requests.push(recorded);
      await options.onRequest?.(recorded);
      if (
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
      // The authenticated account, with a classic token's scopes (what `harness doctor` reads).
      if (method === 'GET' && path === '/user') {
        send(res, 200, { login: 'harness-bot', id: 1, type: 'User' }, { 'x-oauth-scopes': 'repo, workflow' });
        return;
      }
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
          items.map(([n, issue]) => ({
            number: n,
            title: issue.title,
            body: issue.body,
            state: issue.state,
            labels: issue.labels.map((name) => ({ name })),
            html_url: html(repo, 'issues', n),
            user: { login: issue.author, type: 'User' },
            updated_at: issue.updatedAt,
          })),
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
        send(res, 201, {
          id: number,
          number,
          title: input.title,
          body: text,
          state: 'open',
          labels: labels.map((name) => ({ name, color: 'ededed', default: false })),
          assignees: [],
          html_url: html(repo, 'issues', number),
          user: { login: 'harness-bot', type: 'User' },
          created_at: new Date().toISOString(),
          updated_at: new Date().toISOString(),
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
          event: 'labeled',
          label: { name, color: 'ededed' },
          actor: { login: labeler, type: labeler.endsWith('[bot]') ? 'Bot' : 'User' },
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
        send(res, 200, { permission, role_name: role, user: { login, type: 'User' } });
        return;
      }
      if (method === 'GET' && (match = /^issues\/(\d+)$/.exec(rest))) {
        const issue = state.issues.get(Number(match[1]));
        if (issue === undefined) {
          send(res, 404, { message: 'Not Found' });
          return;
        }
        send(res, 200, {
          number: Number(match[1]),
          title: issue.title,
          body: issue.body,
          state: issue.state,
          labels: issue.labels.map((name) => ({ name })),
          html_url: html(repo, 'issues', Number(match[1])),
          user: { login: issue.author },
        });
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
        send(
          res,
          200,
          comments.map((c, i) => ({ id: i + 1, body: c.body, user: { login: c.author } })),
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
        send(res, 201, { id: Date.now(), body: text, html_url: `${html(repo, 'issues', n)}#comment` });
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
        const input = body as { title?: string; body?: string; head?: string; base?: string };
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
        send(
          res,
          200,
          pr.reviewComments.map((c, i) => ({
            id: i + 1,
            path: c.path,
            line: c.line,
            body: c.body,
            user: { login: c.author },
          })),
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
          comments?: { path: string; line: number; body: string }[];
        };
        pr.reviews.push({ body: input.body ?? '', event: input.event ?? 'COMMENT', comments: input.comments ?? [] });
        send(res, 200, { id: pr.reviews.length, body: input.body ?? '', state: 'COMMENTED' });
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
        const pr = [...state.pulls.values()].find((p) => p.headSha === match?.[1] || p.head === match?.[1]);
        const runs = pr?.checks ?? [];
        send(res, 200, {
          total_count: runs.length,
          check_runs: runs.map((r, i) => ({ id: i + 1, name: r.name, status: r.status, conclusion: r.conclusion })),
        });
        return;
      }
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

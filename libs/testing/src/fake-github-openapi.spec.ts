import { createSign, generateKeyPairSync } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FAKE_GITHUB_ROUTES, fakeGitHubRouteOf, startFakeGitHub, type FakeGitHub } from './fake-github-server.js';

// The stand-in must not drift from GitHub: every route it answers exists in GitHub's published
// OpenAPI description (@octokit/openapi), and answers in the shape that description requires.

interface Schema {
  readonly $ref?: string;
  readonly type?: string;
  readonly nullable?: boolean;
  readonly enum?: readonly unknown[];
  readonly required?: readonly string[];
  readonly properties?: Readonly<Record<string, Schema>>;
  readonly items?: Schema;
  readonly allOf?: readonly Schema[];
  readonly anyOf?: readonly Schema[];
  readonly oneOf?: readonly Schema[];
}
interface Operation {
  readonly responses: Readonly<
    Record<string, { readonly $ref?: string; readonly content?: Record<string, { readonly schema?: Schema }> }>
  >;
}
interface OpenApi {
  readonly paths: Readonly<Record<string, Readonly<Record<string, Operation>>>>;
}

const specFile = createRequire(import.meta.url).resolve('@octokit/openapi/generated/api.github.com.json');
const spec = JSON.parse(readFileSync(specFile, 'utf8')) as OpenApi;

/** What `$ref` (`#/components/...`) points at. */
function resolve<T>(node: T & { readonly $ref?: string }): T {
  let current: unknown = node;
  for (let hops = 0; hops < 20; hops++) {
    const ref = (current as { $ref?: unknown }).$ref;
    if (typeof ref !== 'string') return current as T;
    current = ref
      .slice(2)
      .split('/')
      .reduce<unknown>((at, key) => (at as Record<string, unknown>)[key], spec);
  }
  throw new Error('a $ref cycle');
}

function typeOf(value: unknown): string {
  if (Array.isArray(value)) return 'array';
  if (Number.isInteger(value)) return 'integer';
  return typeof value;
}

/**
 * Where `value` breaks `schema`: a required property missing, a property (required or not) of the
 * wrong type or outside its enum, all the way down. `anyOf`/`oneOf` pass when one branch does.
 */
function problemsOf(given: Schema, value: unknown, at: string): string[] {
  const schema = resolve(given);
  if (schema.allOf !== undefined) return schema.allOf.flatMap((part) => problemsOf(part, value, at));
  const branches = schema.anyOf ?? schema.oneOf;
  if (branches !== undefined) {
    const tried = branches.map((branch) => problemsOf(branch, value, at));
    if (tried.some((found) => found.length === 0)) return [];
    return tried.reduce((fewest, found) => (found.length < fewest.length ? found : fewest));
  }
  if (value === null) return schema.nullable === true || schema.type === undefined ? [] : [`${at}: null`];
  if (schema.type !== undefined) {
    const actual = typeOf(value);
    const fits = actual === schema.type || (schema.type === 'number' && actual === 'integer');
    if (!fits) return [`${at}: ${actual}, not ${schema.type}`];
  }
  if (schema.enum !== undefined && !schema.enum.includes(value))
    return [`${at}: ${JSON.stringify(value)} is none of ${JSON.stringify(schema.enum)}`];
  if (Array.isArray(value))
    return schema.items === undefined
      ? []
      : value.flatMap((item, i) => problemsOf(schema.items ?? {}, item, `${at}[${String(i)}]`));
  if (typeof value !== 'object') return [];
  const object = value as Record<string, unknown>;
  const missing = (schema.required ?? []).filter((key) => !(key in object)).map((key) => `${at}.${key}: missing`);
  const wrong = Object.entries(schema.properties ?? {}).flatMap(([key, property]) =>
    key in object ? problemsOf(property, object[key], `${at}.${key}`) : [],
  );
  return [...missing, ...wrong];
}

function operationOf(method: string, path: string): Operation | undefined {
  return spec.paths[path]?.[method.toLowerCase()];
}

/** Not in the REST description, on purpose: GraphQL has its own schema, and the log download is another host on GitHub. */
const NOT_REST = new Set(['POST /graphql', 'GET /_logs/{owner}/{repo}/jobs/{job_id}']);

const TOKEN = 'ghp_openapi';
const APP_ID = 77;
const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });

/** A GitHub App's JWT, as @octokit/auth-app makes it. */
function appJwt(): string {
  const now = Math.floor(Date.now() / 1000);
  const encode = (part: object) => Buffer.from(JSON.stringify(part)).toString('base64url');
  const unsigned = `${encode({ alg: 'RS256', typ: 'JWT' })}.${encode({ iat: now - 30, exp: now + 300, iss: APP_ID })}`;
  return `${unsigned}.${createSign('RSA-SHA256').update(unsigned).sign(privateKey).toString('base64url')}`;
}

type Sample = (
  call: (method: string, path: string, body?: unknown, auth?: string) => Promise<Response>,
) => Promise<Response>;

/** One representative request per route, against the state set up in `beforeAll`. */
const SAMPLES: Readonly<Record<string, Sample>> = {
  'GET /user': (call) => call('GET', '/user'),
  'GET /repos/{owner}/{repo}/issues': (call) => call('GET', '/repos/octo/app/issues?labels=bug'),
  'POST /repos/{owner}/{repo}/issues': (call) =>
    call('POST', '/repos/octo/app/issues', { title: 'New', body: 'text', labels: ['bug'] }),
  'GET /repos/{owner}/{repo}/issues/{issue_number}': (call) => call('GET', '/repos/octo/app/issues/1'),
  'GET /repos/{owner}/{repo}/issues/{issue_number}/events': (call) => call('GET', '/repos/octo/app/issues/1/events'),
  'GET /repos/{owner}/{repo}/issues/{issue_number}/comments': (call) =>
    call('GET', '/repos/octo/app/issues/1/comments'),
  'POST /repos/{owner}/{repo}/issues/{issue_number}/comments': (call) =>
    call('POST', '/repos/octo/app/issues/1/comments', { body: 'hello' }),
  'POST /repos/{owner}/{repo}/issues/{issue_number}/labels': (call) =>
    call('POST', '/repos/octo/app/issues/7/labels', { labels: ['harness'] }),
  'GET /repos/{owner}/{repo}/collaborators/{username}/permission': (call) =>
    call('GET', '/repos/octo/app/collaborators/ann/permission'),
  'GET /repos/{owner}/{repo}/pulls': (call) => call('GET', '/repos/octo/app/pulls?state=all'),
  'POST /repos/{owner}/{repo}/pulls': (call) =>
    call('POST', '/repos/octo/app/pulls', { title: 'T', body: 'B', head: 'harness/new', base: 'main', draft: true }),
  'GET /repos/{owner}/{repo}/pulls/{pull_number}': (call) => call('GET', '/repos/octo/app/pulls/7'),
  'GET /repos/{owner}/{repo}/pulls/{pull_number}/comments': (call) => call('GET', '/repos/octo/app/pulls/7/comments'),
  'POST /repos/{owner}/{repo}/pulls/{pull_number}/comments/{comment_id}/replies': (call) =>
    call('POST', '/repos/octo/app/pulls/7/comments/1/replies', { body: 'Done.' }),
  'GET /repos/{owner}/{repo}/pulls/{pull_number}/reviews': (call) => call('GET', '/repos/octo/app/pulls/7/reviews'),
  'POST /repos/{owner}/{repo}/pulls/{pull_number}/reviews': (call) =>
    call('POST', '/repos/octo/app/pulls/7/reviews', {
      body: 'Looks fine',
      event: 'COMMENT',
      comments: [{ path: 'a.ts', line: 2, body: 'nit' }],
    }),
  'PUT /repos/{owner}/{repo}/pulls/{pull_number}/merge': (call) =>
    call('PUT', '/repos/octo/app/pulls/8/merge', { sha: 'sha8', merge_method: 'squash' }),
  'POST /repos/{owner}/{repo}/pulls/{pull_number}/requested_reviewers': (call) =>
    call('POST', '/repos/octo/app/pulls/7/requested_reviewers', { reviewers: ['ann'], team_reviewers: ['core'] }),
  'DELETE /repos/{owner}/{repo}/git/refs/{ref}': (call) => call('DELETE', '/repos/octo/app/git/refs/heads%2Fold'),
  'GET /repos/{owner}/{repo}/commits/{ref}/check-runs': (call) =>
    call('GET', '/repos/octo/app/commits/sha7/check-runs?per_page=100'),
  'GET /repos/{owner}/{repo}/commits/{ref}/status': (call) => call('GET', '/repos/octo/app/commits/sha7/status'),
  'GET /repos/{owner}/{repo}/actions/workflows': (call) => call('GET', '/repos/octo/app/actions/workflows'),
  'GET /repos/{owner}/{repo}/actions/runs': (call) => call('GET', '/repos/octo/app/actions/runs?head_sha=sha7'),
  'GET /repos/{owner}/{repo}/actions/runs/{run_id}/jobs': (call) =>
    call('GET', `/repos/octo/app/actions/runs/${String(runId)}/jobs`),
  'GET /repos/{owner}/{repo}/actions/jobs/{job_id}/logs': (call) =>
    call('GET', `/repos/octo/app/actions/jobs/${String(jobId)}/logs`),
  'POST /graphql': (call) =>
    call('POST', '/graphql', {
      query: 'mutation($id: ID!) { markPullRequestReadyForReview(input: {pullRequestId: $id}) { pullRequest { id } } }',
      variables: { id: 'PR_unknown' },
    }),
  'GET /_logs/{owner}/{repo}/jobs/{job_id}': (call) => call('GET', `/_logs/octo/app/jobs/${String(jobId)}`),
  // A GitHub App's routes answer its JWT.
  'GET /app': (call) => call('GET', '/app', undefined, `Bearer ${appJwt()}`),
  'GET /repos/{owner}/{repo}/installation': (call) =>
    call('GET', '/repos/octo/app/installation', undefined, `Bearer ${appJwt()}`),
  'POST /app/installations/{installation_id}/access_tokens': (call) =>
    call('POST', '/app/installations/9/access_tokens', {}, `Bearer ${appJwt()}`),
};

let runId = 0;
let jobId = 0;

describe('the GitHub stand-in against GitHub’s OpenAPI description', () => {
  let github: FakeGitHub;
  beforeAll(async () => {
    github = await startFakeGitHub({
      token: TOKEN,
      app: {
        id: APP_ID,
        publicKeyPem: publicKey.export({ type: 'spki', format: 'pem' }).toString(),
        installations: { 'octo/app': 9 },
      },
    });
    github.addIssue('octo/app', 1, { title: 'Bug', labels: ['bug'], comments: [{ author: 'ann', body: 'me too' }] });
    github.addPullRequest('octo/app', {
      number: 7,
      head: 'feature',
      base: 'main',
      headSha: 'sha7',
      reviewComments: [{ path: 'a.ts', line: 3, author: 'rev', body: 'rename' }],
      checks: [{ name: 'build', status: 'completed', conclusion: 'success' }],
    });
    github.addPullRequest('octo/app', { number: 8, head: 'other', base: 'main', headSha: 'sha8' });
    github.submitReview('octo/app', 7, {
      author: 'rev',
      state: 'CHANGES_REQUESTED',
      body: 'Please fix',
      comments: [{ path: 'b.ts', line: 1, body: 'why?' }],
    });
    github.setCheckRuns('octo/app', 'sha7', [
      {
        name: 'test',
        status: 'completed',
        conclusion: 'failure',
        output: { title: 'Tests failed', summary: '2 failed' },
      },
    ]);
    github.setCommitStatus('octo/app', 'sha7', {
      context: 'ci/lint',
      state: 'error',
      targetUrl: 'https://ci.example/1',
    });
    const run = github.addWorkflowRun('octo/app', {
      headSha: 'sha7',
      name: 'CI',
      conclusion: 'failure',
      jobs: [{ name: 'test', conclusion: 'failure', log: 'boom\n' }],
    });
    runId = run.runId;
    jobId = run.jobIds[0] ?? 0;
  });
  afterAll(async () => {
    await github.close();
  });

  const call = (method: string, path: string, body?: unknown, auth = `token ${TOKEN}`): Promise<Response> =>
    fetch(`${github.url}${path}`, {
      method,
      redirect: 'manual',
      headers: { authorization: auth, 'content-type': 'application/json' },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });

  it('answers only routes GitHub has (GraphQL and the log download aside)', () => {
    const unknown = FAKE_GITHUB_ROUTES.filter(
      (route) => !NOT_REST.has(`${route.method} ${route.path}`) && operationOf(route.method, route.path) === undefined,
    );
    expect(unknown).toEqual([]);
    expect(new Set(FAKE_GITHUB_ROUTES.map((r) => `${r.method} ${r.path}`)).size).toBe(FAKE_GITHUB_ROUTES.length);
  });

  it('turns away a route it does not declare, even one GitHub has', async () => {
    const answer = await call('GET', '/repos/octo/app/branches');
    expect(answer.status).toBe(404);
    expect(operationOf('GET', '/repos/{owner}/{repo}/branches')).toBeDefined();
  });

  for (const route of FAKE_GITHUB_ROUTES) {
    const key = `${route.method} ${route.path}`;
    it(`answers ${key} as GitHub's description says`, async () => {
      const sample = SAMPLES[key];
      expect(sample, `a sample request for ${key} in SAMPLES`).toBeDefined();
      if (sample === undefined) return;
      const answer = await sample(call);
      const asked = github.requests.at(-1);
      expect(
        asked === undefined ? undefined : fakeGitHubRouteOf(asked.method, asked.path),
        'the sample asks this route',
      ).toEqual(route);
      expect(answer.status, await answer.clone().text()).toBeLessThan(400);
      if (NOT_REST.has(key)) return;
      const operation = operationOf(route.method, route.path);
      const declared = operation?.responses[String(answer.status)];
      expect(declared, `status ${String(answer.status)} is one GitHub answers`).toBeDefined();
      const schema = declared === undefined ? undefined : resolve(declared).content?.['application/json']?.schema;
      if (schema === undefined) return;
      expect(problemsOf(schema, await answer.json(), '$')).toEqual([]);
    });
  }
});

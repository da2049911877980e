import { randomBytes, verify } from 'node:crypto';
import { userJson } from './fake-github-shapes.js';

/**
 * The GitHub App side of the GitHub stand-in: the App's own routes, answered to a JWT signed with
 * the App's key, and the installation tokens they issue, checked on every other route.
 */

/** A GitHub App the stand-in knows (`startFakeGitHub({ app })`). @public */
export interface FakeGitHubAppOptions {
  readonly id: number;
  /** The public half of the App's key (PEM): JWTs must verify against it (RS256). */
  readonly publicKeyPem: string;
  /** Where the App is installed: `owner/repo` → installation id. */
  readonly installations: Readonly<Record<string, number>>;
  /** How long an installation token lives. Default 3600, as on GitHub. */
  readonly tokenTtlSecs?: number | undefined;
  /** The stand-in's clock for tokens and JWTs (milliseconds). Default `Date.now`. */
  readonly nowMs?: (() => number) | undefined;
}

/** An installation token the stand-in issued. @public */
export interface FakeInstallationToken {
  readonly token: string;
  readonly installationId: number;
  /** ISO 8601, whole seconds, as GitHub writes it. */
  readonly expiresAt: string;
}

/** What GitHub answers instead of the route. */
export interface FakeRefusal {
  readonly status: number;
  readonly body: { readonly message: string; readonly documentation_url: string };
}

const DOCS = 'https://docs.github.com/rest';
const refusal = (status: number, message: string, documentation = DOCS): FakeRefusal => ({
  status,
  body: { message, documentation_url: documentation },
});
/** GitHub's answer to a missing, unsigned or wrongly signed JWT. */
const UNDECODABLE = 'A JSON web token could not be decoded';
const PERMISSIONS = {
  contents: 'write',
  issues: 'write',
  pull_requests: 'write',
  checks: 'read',
  actions: 'read',
  metadata: 'read',
};

/** `token X` or `Bearer X` (any case, as GitHub accepts both): X. */
function credentialOf(authorization: string | undefined): string | undefined {
  const match = /^(?:token|bearer)\s+(\S+)$/i.exec(authorization ?? '');
  return match?.[1];
}

const WEB = 'https://github.example';
const CREATED_AT = '2024-01-01T00:00:00Z';

/** An organization account as GitHub's App routes show it (the fields of a user and of an enterprise). */
function owner(login: string, id: number): Record<string, unknown> {
  return {
    ...userJson({ api: 'https://api.github.example', web: WEB }, login),
    id,
    node_id: `O_${String(id)}`,
    name: login,
    slug: login.toLowerCase(),
    type: 'Organization',
    created_at: CREATED_AT,
    updated_at: CREATED_AT,
  };
}

/** The App's routes (answered to a JWT), and the installation tokens checked on every other route. */
export class FakeGitHubApp {
  private readonly issued = new Map<string, FakeInstallationToken & { readonly expiresAtMs: number }>();
  private readonly nowMs: () => number;

  constructor(private readonly options: FakeGitHubAppOptions) {
    this.nowMs = options.nowMs ?? Date.now;
  }

  issuedTokens(): FakeInstallationToken[] {
    return [...this.issued.values()].map(({ token, installationId, expiresAt }) => ({
      token,
      installationId,
      expiresAt,
    }));
  }

  /** The App's routes, which need its JWT rather than a token. */
  static isAppRoute(method: string, path: string): boolean {
    return (
      (method === 'GET' && path === '/app') ||
      (method === 'GET' && /^\/repos\/[^/]+\/[^/]+\/installation$/.test(path)) ||
      (method === 'POST' && /^\/app\/installations\/[^/]+\/access_tokens$/.test(path))
    );
  }

  /** Answers one of the App's routes (`isAppRoute`): the JWT is checked as GitHub checks it. */
  answer(method: string, path: string, authorization: string | undefined): { status: number; body: unknown } {
    const refused = this.jwtRefusal(authorization);
    if (refused !== undefined) return refused;
    const app = { id: this.options.id, slug: 'harness-test-app', name: 'Harness test app' };
    if (method === 'GET' && path === '/app')
      return {
        status: 200,
        body: {
          ...app,
          node_id: `A_${String(app.id)}`,
          description: 'A GitHub App of the stand-in',
          external_url: `${WEB}/apps/${app.slug}`,
          html_url: `${WEB}/apps/${app.slug}`,
          created_at: CREATED_AT,
          updated_at: CREATED_AT,
          owner: owner('octo', 1),
          permissions: PERMISSIONS,
          events: [],
        },
      };
    const repository = /^\/repos\/([^/]+\/[^/]+)\/installation$/.exec(path)?.[1];
    if (repository !== undefined) {
      const id = this.installationOf(repository);
      if (id === undefined)
        return refusal(404, 'Not Found', `${DOCS}/apps/apps#get-a-repository-installation-for-the-authenticated-app`);
      return {
        status: 200,
        body: {
          id,
          app_id: app.id,
          app_slug: app.slug,
          account: owner(repository.split('/')[0] ?? '', id * 10),
          target_type: 'Organization',
          target_id: id * 10,
          repository_selection: 'all',
          permissions: PERMISSIONS,
          access_tokens_url: `/app/installations/${String(id)}/access_tokens`,
          repositories_url: '/installation/repositories',
          html_url: `${WEB}/organizations/${repository.split('/')[0] ?? ''}/settings/installations/${String(id)}`,
          events: [],
          single_file_name: null,
          created_at: CREATED_AT,
          updated_at: CREATED_AT,
          suspended_by: null,
          suspended_at: null,
        },
      };
    }
    const installationId = Number(/^\/app\/installations\/([^/]+)\/access_tokens$/.exec(path)?.[1]);
    if (!Object.values(this.options.installations).includes(installationId))
      return refusal(404, 'Not Found', `${DOCS}/apps/apps#create-an-installation-access-token-for-an-app`);
    // GitHub writes whole seconds: the token expires at the second it says.
    const expiresAtMs = Math.floor((this.nowMs() + (this.options.tokenTtlSecs ?? 3600) * 1000) / 1000) * 1000;
    const token = `ghs_${randomBytes(27).toString('base64url').replace(/[-_]/g, 'x').slice(0, 36)}`;
    const expiresAt = new Date(expiresAtMs).toISOString().replace(/\.\d{3}Z$/, 'Z');
    this.issued.set(token, { token, installationId, expiresAt, expiresAtMs });
    return {
      status: 201,
      body: { token, expires_at: expiresAt, permissions: PERMISSIONS, repository_selection: 'all' },
    };
  }

  /**
   * Why a request to a route other than the App's is refused, if it is: a token the stand-in did
   * not issue (nor `staticToken`) or an expired one gets GitHub's 401; a token of another
   * installation gets 404 on a repository's routes, as GitHub hides a private repository from a
   * token that cannot see it; an installation token asking `/user` gets 403.
   */
  refusal(path: string, authorization: string | undefined, staticToken: string | undefined): FakeRefusal | undefined {
    const given = credentialOf(authorization);
    if (staticToken !== undefined && given === staticToken) return undefined;
    if (given === undefined) return refusal(401, 'Requires authentication');
    const issued = this.issued.get(given);
    if (issued === undefined || issued.expiresAtMs <= this.nowMs()) return refusal(401, 'Bad credentials');
    const repository = /^\/repos\/([^/]+\/[^/]+)(?:\/|$)/.exec(path)?.[1];
    if (repository !== undefined)
      return this.installationOf(repository) === issued.installationId ? undefined : refusal(404, 'Not Found');
    if (path === '/user') return refusal(403, 'Resource not accessible by integration');
    return undefined;
  }

  private installationOf(repository: string): number | undefined {
    const wanted = repository.toLowerCase();
    return Object.entries(this.options.installations).find(([name]) => name.toLowerCase() === wanted)?.[1];
  }

  /** GitHub's checks of an App's JWT: RS256 by the App's key, `iss` its id, not expired, at most 10 minutes long. */
  private jwtRefusal(authorization: string | undefined): FakeRefusal | undefined {
    const jwt = /^bearer\s+(\S+)$/i.exec(authorization ?? '')?.[1];
    const [header, payload, signature, extra] = jwt?.split('.') ?? [];
    if (header === undefined || payload === undefined || signature === undefined || extra !== undefined)
      return refusal(401, UNDECODABLE);
    let claims: { iss?: unknown; iat?: unknown; exp?: unknown };
    let alg: unknown;
    try {
      alg = (JSON.parse(Buffer.from(header, 'base64url').toString('utf8')) as { alg?: unknown }).alg;
      claims = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as typeof claims;
    } catch {
      return refusal(401, UNDECODABLE);
    }
    const signed = Buffer.from(`${header}.${payload}`);
    if (
      alg !== 'RS256' ||
      !verify('RSA-SHA256', signed, this.options.publicKeyPem, Buffer.from(signature, 'base64url'))
    )
      return refusal(401, UNDECODABLE);
    if (String(claims.iss) !== String(this.options.id)) return refusal(401, UNDECODABLE);
    const now = Math.floor(this.nowMs() / 1000);
    if (typeof claims.iat !== 'number' || claims.iat > now + 60)
      return refusal(
        401,
        "'Issued at' claim ('iat') must be an Integer representing the time that the assertion was issued.",
      );
    if (typeof claims.exp !== 'number' || claims.exp <= now)
      return refusal(
        401,
        "'Expiration time' claim ('exp') must be a numeric value representing the future time at which the assertion expires.",
      );
    if (claims.exp - claims.iat > 600) return refusal(401, "'Expiration time' claim ('exp') is too far in the future.");
    return undefined;
  }
}

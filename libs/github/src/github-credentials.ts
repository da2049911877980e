import { AppError } from '@agent-harness/core';
import { createAppAuth } from '@octokit/auth-app';
import { retry } from '@octokit/plugin-retry';
import { Octokit } from '@octokit/rest';
import type { RepoRef } from './github-remote.js';
import { apiMessageOf, isRequestError } from './request-error.js';

/** A GitHub App Harness acts as: its id, its private key (PEM) and, optionally, its one installation. @public */
export interface GitHubAppOptions {
  readonly appId: number;
  /** The PEM text itself (not its path): a secret, kept in memory only. */
  readonly privateKey: string;
  /** One installation for every repository; unset, each repository's is asked of GitHub once. */
  readonly installationId?: number | undefined;
}

/** @public */
export interface GitHubCredentialsOptions {
  /** `[github] api_url`. */
  readonly apiUrl: string;
  /** A personal (or any fixed) token; ignored when `app` is set: the App wins. */
  readonly token?: string | undefined;
  readonly app?: GitHubAppOptions | undefined;
  /** An installation token with less than this left is replaced. Default 300 (GitHub's tokens live 3600). */
  readonly refreshMarginSecs?: number | undefined;
  /** The clock tokens' expiry is read against. Default `Date.now`. */
  readonly nowMs?: (() => number) | undefined;
}

/**
 * Where Harness's GitHub tokens come from: one fixed token, or a GitHub App's installation tokens,
 * one per installation, made with a JWT signed by the App's key and replaced before they expire.
 * The REST client (`GitHubClient`) and git's pushes (the worktree manager's token provider) ask it
 * for the token of the repository at hand.
 * @public
 */
export abstract class GitHubCredentials {
  /** `token`: a fixed token; `app`: a GitHub App's installation tokens. */
  abstract readonly kind: 'token' | 'app';
  /** What authenticates, for logs and `doctor` (never a secret). */
  abstract readonly description: string;
  /**
   * The token for a request about `repo`. Without a repository (`GET /user`, a GraphQL call not
   * tied to one) an App uses its configured installation, and fails without one.
   */
  abstract tokenFor(repo?: RepoRef): Promise<string>;
  /**
   * GitHub answered 401 to `token`: forget it. True when a new one may be asked for (an App's
   * token revoked early); false for a fixed token, which stays what it is.
   */
  abstract refused(token: string): boolean;
}

/** One fixed token for every request. @public */
export class StaticTokenCredentials extends GitHubCredentials {
  readonly kind = 'token';
  readonly description = 'a personal token (GITHUB_TOKEN)';

  constructor(private readonly token: string) {
    super();
  }

  tokenFor(): Promise<string> {
    return Promise.resolve(this.token);
  }

  refused(): boolean {
    return false;
  }
}

interface CachedToken {
  readonly token: string;
  readonly expiresAtMs: number;
}

/** GitHub's own message of a failed answer, with its status, or the error's. */
function detailOf(error: unknown): string {
  if (!isRequestError(error)) return error instanceof Error ? error.message : String(error);
  return `${String(error.status)}: ${apiMessageOf(error)}`;
}

const SILENT_LOG = { debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined };

/**
 * A GitHub App's installation tokens (`@octokit/auth-app` signs the JWTs and asks for them).
 * auth-app's own cache keeps a token 59 minutes whatever its `expires_at` says, so it is turned
 * off: tokens are kept here, per installation, until less than `refreshMarginSecs` is left. The
 * installation of each repository is asked of GitHub once (`GET /repos/{owner}/{repo}/installation`).
 * @public
 */
export class GitHubAppCredentials extends GitHubCredentials {
  readonly kind = 'app';
  readonly description: string;
  private readonly auth: ReturnType<typeof createAppAuth>;
  private readonly octokit: Octokit;
  private readonly marginMs: number;
  private readonly nowMs: () => number;
  /** Per `owner/repo` (lower case): its installation, asked once (a failed ask is forgotten). */
  private readonly installations = new Map<string, Promise<number>>();
  private readonly tokens = new Map<number, CachedToken>();
  /** Per installation: the token being made, shared by every caller meanwhile. */
  private readonly pending = new Map<number, Promise<CachedToken>>();

  constructor(
    private readonly app: GitHubAppOptions,
    options: {
      readonly apiUrl: string;
      readonly refreshMarginSecs?: number | undefined;
      nowMs?: (() => number) | undefined;
    },
  ) {
    super();
    this.description = `GitHub App ${String(app.appId)} (${app.installationId === undefined ? 'installation per repository' : `installation ${String(app.installationId)}`})`;
    this.marginMs = (options.refreshMarginSecs ?? 300) * 1000;
    this.nowMs = options.nowMs ?? Date.now;
    this.octokit = new (Octokit.plugin(retry))({
      baseUrl: options.apiUrl.replace(/\/+$/, ''),
      userAgent: 'agent-harness',
      retry: { retries: 2 },
      log: SILENT_LOG,
    });
    this.auth = createAppAuth({
      appId: app.appId,
      privateKey: app.privateKey,
      request: this.octokit.request,
      cache: { get: () => '', set: () => undefined },
      log: SILENT_LOG,
    });
  }

  async tokenFor(repo?: RepoRef): Promise<string> {
    const installationId = await this.installationFor(repo);
    const cached = this.tokens.get(installationId);
    if (cached !== undefined && cached.expiresAtMs - this.nowMs() > this.marginMs) return cached.token;
    let making = this.pending.get(installationId);
    if (making === undefined) {
      making = this.newToken(installationId, repo).finally(() => this.pending.delete(installationId));
      this.pending.set(installationId, making);
    }
    // A token made with less than the margin left (a short-lived one) is still used, once made.
    return (await making).token;
  }

  refused(token: string): boolean {
    for (const [installation, cached] of this.tokens) if (cached.token === token) this.tokens.delete(installation);
    return true;
  }

  /** The App as GitHub knows it (`GET /app` with a JWT): proves the id and the key go together. */
  async appInfo(): Promise<{ readonly slug: string; readonly name: string }> {
    try {
      const { token } = await this.auth({ type: 'app' });
      const answer = await this.octokit.request('GET /app', { headers: { authorization: `bearer ${token}` } });
      const data = answer.data as { slug?: unknown; name?: unknown } | null;
      return {
        slug: typeof data?.slug === 'string' ? data.slug : '',
        name: typeof data?.name === 'string' ? data.name : '',
      };
    } catch (error) {
      throw this.appError('reading the App (GET /app)', error);
    }
  }

  private installationFor(repo: RepoRef | undefined): Promise<number> {
    if (this.app.installationId !== undefined) return Promise.resolve(this.app.installationId);
    if (repo === undefined)
      return Promise.reject(
        new AppError(
          'GITHUB_UNAUTHORIZED',
          `${this.description} has no installation for a request not about one repository: set [github.app] installation_id`,
        ),
      );
    const key = `${repo.owner}/${repo.repo}`.toLowerCase();
    let known = this.installations.get(key);
    if (known === undefined) {
      known = this.askInstallation(repo);
      this.installations.set(key, known);
      // A failed ask is asked again next time (the App may be installed meanwhile).
      known.catch(() => {
        if (this.installations.get(key) === known) this.installations.delete(key);
      });
    }
    return known;
  }

  private async askInstallation(repo: RepoRef): Promise<number> {
    const what = `finding its installation on ${repo.owner}/${repo.repo}`;
    try {
      const { token } = await this.auth({ type: 'app' });
      const answer = await this.octokit.request('GET /repos/{owner}/{repo}/installation', {
        owner: repo.owner,
        repo: repo.repo,
        headers: { authorization: `bearer ${token}` },
      });
      return answer.data.id;
    } catch (error) {
      if (isRequestError(error) && error.status === 404)
        throw new AppError(
          'GITHUB_NOT_FOUND',
          `${this.description} is not installed on ${repo.owner}/${repo.repo} (404): install the App on that repository, or set [github.app] installation_id`,
          { cause: error },
        );
      throw this.appError(what, error);
    }
  }

  private async newToken(installationId: number, repo: RepoRef | undefined): Promise<CachedToken> {
    try {
      const made = await this.auth({ type: 'installation', installationId });
      const cached = { token: made.token, expiresAtMs: Date.parse(made.expiresAt) };
      this.tokens.set(installationId, cached);
      return cached;
    } catch (error) {
      // The App was uninstalled (and maybe installed again, as another installation): ask afresh.
      if (isRequestError(error) && error.status === 404 && repo !== undefined)
        this.installations.delete(`${repo.owner}/${repo.repo}`.toLowerCase());
      throw this.appError(`getting a token of installation ${String(installationId)}`, error);
    }
  }

  private appError(what: string, error: unknown): AppError {
    if (isRequestError(error) && error.status === 401)
      return new AppError(
        'GITHUB_UNAUTHORIZED',
        `GitHub refused the JWT of ${this.description} when ${what} (${detailOf(error)}): check [github.app] app_id and private_key_path, and this machine's clock`,
        { cause: error },
      );
    if (isRequestError(error) && error.status === 404)
      return new AppError('GITHUB_NOT_FOUND', `${this.description}: ${what} found nothing (${detailOf(error)})`, {
        cause: error,
      });
    return new AppError('GITHUB_FAILED', `${this.description}: ${what} failed (${detailOf(error)})`, {
      cause: error,
    });
  }
}

/**
 * The credentials a configuration asks for: the App when `app` is set (it wins over `token`),
 * else the token, else none.
 * @public
 */
export function createGitHubCredentials(options: GitHubCredentialsOptions): GitHubCredentials | undefined {
  if (options.app !== undefined)
    return new GitHubAppCredentials(options.app, {
      apiUrl: options.apiUrl,
      refreshMarginSecs: options.refreshMarginSecs,
      nowMs: options.nowMs,
    });
  return options.token === undefined ? undefined : new StaticTokenCredentials(options.token);
}

/**
 * The repository a request is about: its `owner` and `repo` parameters, or a `/repos/{owner}/{repo}`
 * URL (a next page's). Undefined for `/user`, `/graphql` and the like.
 */
export function repositoryOfRequest(endpoint: {
  readonly url?: unknown;
  readonly owner?: unknown;
  readonly repo?: unknown;
}): RepoRef | undefined {
  if (typeof endpoint.owner === 'string' && typeof endpoint.repo === 'string')
    return { owner: endpoint.owner, repo: endpoint.repo };
  if (typeof endpoint.url !== 'string') return undefined;
  const match = /\/repos\/([^/?#{}]+)\/([^/?#{}]+)/.exec(endpoint.url);
  if (match?.[1] === undefined || match[2] === undefined) return undefined;
  return { owner: decodeURIComponent(match[1]), repo: decodeURIComponent(match[2]) };
}

/** What an auth hook is given of Octokit's `request`: the part used here. */
interface HookRequest {
  (options: HookEndpoint): Promise<unknown>;
  readonly endpoint: { merge(route: unknown, parameters?: unknown): HookEndpoint };
}
interface HookEndpoint {
  readonly url: string;
  readonly headers: Readonly<Record<string, string | number | undefined>>;
  readonly [key: string]: unknown;
}

/**
 * An Octokit `authStrategy` asking `credentials` for each request's token: the token of the
 * repository it is about (see `repositoryOfRequest`). A request that names its own `authorization`
 * header keeps it. Octokit installs it inside its plugins, so a retried request asks again; a 401
 * to an App's token (revoked early) is tried once more with a new one.
 */
export function credentialsAuthStrategy(credentials: GitHubCredentials): () => unknown {
  const send = (request: HookRequest, endpoint: HookEndpoint, token: string): Promise<unknown> =>
    request({ ...endpoint, headers: { ...endpoint.headers, authorization: `token ${token}` } });
  const hook = async (request: HookRequest, route: unknown, parameters?: unknown): Promise<unknown> => {
    const endpoint = request.endpoint.merge(route, parameters);
    if (endpoint.headers['authorization'] !== undefined) return request(endpoint);
    const repo = repositoryOfRequest(endpoint);
    const token = await credentials.tokenFor(repo);
    try {
      return await send(request, endpoint, token);
    } catch (error) {
      if (!(isRequestError(error) && error.status === 401 && credentials.refused(token))) throw error;
      return send(request, endpoint, await credentials.tokenFor(repo));
    }
  };
  return () => Object.assign(() => Promise.resolve({ type: credentials.kind }), { hook });
}

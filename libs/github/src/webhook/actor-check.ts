import type { RepoRef } from '../github-remote.js';
import type { GitHubActor } from './webhook-event.js';

/** A collaborator's role on a repository, as GitHub names it (`none` for anyone else). @public */
export type CollaboratorPermission = 'admin' | 'maintain' | 'write' | 'triage' | 'read' | 'none';

/** Roles that may push to the repository: they may start tasks on it. */
const WRITERS: ReadonlySet<CollaboratorPermission> = new Set(['admin', 'maintain', 'write']);

/** @public */
export type ActorDecision =
  { readonly allowed: true; readonly why: string } | { readonly allowed: false; readonly reason: string };

/** @public */
export interface ActorCheckOptions {
  /** `[github] allowed_actors`: when not empty, exactly these logins (any case) may start tasks. */
  readonly allowedActors: readonly string[];
  /** `[github] allow_bots`. */
  readonly allowBots: boolean;
  /** The actor's role on the repository (GitHubClient.collaboratorPermission); absent without a token. */
  readonly permissionOf?: ((repo: RepoRef, login: string) => Promise<CollaboratorPermission>) | undefined;
  /** Milliseconds since the epoch. */
  readonly now: () => number;
  /** How long an answer from GitHub is reused. Default one minute. */
  readonly cacheMs?: number | undefined;
}

/** Answers kept at most; the oldest is dropped first. */
const MAX_CACHED = 1000;

/**
 * Who may start tasks from GitHub. A bot (a `[bot]` login) only with `allow_bots`; then, when
 * `allowed_actors` is set, only the logins it lists; else the repository's collaborators with
 * write, maintain or admin permission, asked through the API and remembered briefly. Anything
 * that cannot be checked is refused.
 * @public
 */
export class ActorCheck {
  private readonly allowed: ReadonlySet<string>;
  private readonly cache = new Map<string, { permission: CollaboratorPermission; at: number }>();

  constructor(private readonly options: ActorCheckOptions) {
    this.allowed = new Set(options.allowedActors.map((login) => login.toLowerCase()));
  }

  async check(repo: RepoRef, actor: GitHubActor): Promise<ActorDecision> {
    const name = `${repo.owner}/${repo.repo}`;
    if (actor.isBot && !this.options.allowBots)
      return { allowed: false, reason: `${actor.login} is a bot, and [github] allow_bots is false` };
    if (this.allowed.size > 0) {
      return this.allowed.has(actor.login.toLowerCase())
        ? { allowed: true, why: `${actor.login} is in [github] allowed_actors` }
        : { allowed: false, reason: `${actor.login} is not in [github] allowed_actors` };
    }
    // An App's bot account is never a collaborator; it can only write where an admin installed it.
    if (actor.isBot) return { allowed: true, why: `${actor.login} is a bot and [github] allow_bots is true` };
    if (this.options.permissionOf === undefined)
      return {
        allowed: false,
        reason: `no GitHub token to check ${actor.login}'s permission on ${name}; set GITHUB_TOKEN or [github] allowed_actors`,
      };
    let permission: CollaboratorPermission;
    try {
      permission = await this.permission(repo, actor.login);
    } catch (error) {
      return {
        allowed: false,
        reason: `could not check ${actor.login}'s permission on ${name}: ${error instanceof Error ? error.message : String(error)}`,
      };
    }
    return WRITERS.has(permission)
      ? { allowed: true, why: `${actor.login} has ${permission} permission on ${name}` }
      : {
          allowed: false,
          reason: `${actor.login} has ${permission} permission on ${name}; write, maintain or admin is needed`,
        };
  }

  private async permission(repo: RepoRef, login: string): Promise<CollaboratorPermission> {
    const key = `${repo.owner}/${repo.repo}/${login}`.toLowerCase();
    const now = this.options.now();
    const cached = this.cache.get(key);
    if (cached !== undefined && now - cached.at < (this.options.cacheMs ?? 60_000)) return cached.permission;
    const permissionOf = this.options.permissionOf;
    if (permissionOf === undefined) return 'none';
    const permission = await permissionOf(repo, login);
    this.cache.delete(key);
    this.cache.set(key, { permission, at: now });
    if (this.cache.size > MAX_CACHED) {
      const oldest = this.cache.keys().next().value;
      if (oldest !== undefined) this.cache.delete(oldest);
    }
    return permission;
  }
}

/** A GitHub repository: owner and name. @public */
export interface RepoRef {
  readonly owner: string;
  readonly repo: string;
}

/**
 * Owner and name from a remote URL in any of git's forms: `https://host/o/r(.git)`,
 * `git@host:o/r(.git)`, `ssh://git@host(:port)/o/r(.git)`. Undefined when it is not one of them.
 * @public
 */
export function parseGitHubRemote(url: string): RepoRef | undefined {
  const trimmed = url.trim();
  const patterns = [
    /^https?:\/\/(?:[^@/]+@)?[^/]+\/([^/]+)\/([^/]+?)(?:\.git)?\/?$/,
    /^ssh:\/\/(?:[^@/]+@)?[^/]+\/([^/]+)\/([^/]+?)(?:\.git)?\/?$/,
    /^(?:[^@/]+@)?[^:/]+:([^/]+)\/([^/]+?)(?:\.git)?\/?$/,
  ];
  for (const pattern of patterns) {
    const match = pattern.exec(trimmed);
    if (match?.[1] !== undefined && match[2] !== undefined) return { owner: match[1], repo: match[2] };
  }
  return undefined;
}

/** Owner and name from "owner/name". @public */
export function parseRepoName(name: string): RepoRef | undefined {
  const [owner, repo, extra] = name.split('/');
  return owner && repo && extra === undefined ? { owner, repo } : undefined;
}

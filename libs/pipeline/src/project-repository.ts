import { parseGitHubRemote, parseRepoName, type RepoRef } from '@agent-harness/github';
import type { Project } from '@agent-harness/queue';

/**
 * The GitHub repository of a project: its `repo = "owner/name"`, else its `origin` remote when that
 * is on GitHub; undefined when it has neither. Admission and the run ask the same question here.
 */
export async function projectRepository(
  project: Project,
  originUrl: (root: string) => Promise<string | undefined>,
): Promise<RepoRef | undefined> {
  if (project.repo !== undefined) return parseRepoName(project.repo);
  const origin = await originUrl(project.root);
  return origin === undefined ? undefined : parseGitHubRemote(origin);
}

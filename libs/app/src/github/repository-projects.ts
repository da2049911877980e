import { parseGitHubRemote } from '@agent-harness/github';
import type { Project, ProjectCatalog } from '@agent-harness/queue';

/**
 * The active project whose GitHub repository is `repo` (`owner/name`, any case): its `repo`, else
 * its `origin` remote on GitHub. Several: the default one, else the one that names the repository
 * itself, else the first. Undefined when none has it: a delivery never falls back to the default
 * project.
 * @public
 */
export async function projectForRepository(
  projects: ProjectCatalog,
  repo: string,
  originUrl: (root: string) => Promise<string | undefined>,
): Promise<Project | undefined> {
  const wanted = repo.toLowerCase();
  const matching: { project: Project; named: boolean }[] = [];
  for (const project of (await projects.list()).filter((p) => p.active)) {
    if (project.repo !== undefined) {
      if (project.repo.toLowerCase() === wanted) matching.push({ project, named: true });
      continue;
    }
    const origin = await originUrl(project.root);
    const parsed = origin === undefined ? undefined : parseGitHubRemote(origin);
    if (parsed !== undefined && `${parsed.owner}/${parsed.repo}`.toLowerCase() === wanted)
      matching.push({ project, named: false });
  }
  return (matching.find((m) => m.project.isDefault) ?? matching.find((m) => m.named) ?? matching[0])?.project;
}

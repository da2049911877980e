import { isAbsolute, join, relative } from 'node:path';
import { AppError, branchNameProblem, type DirectoryInspection } from '@agent-harness/core';
import {
  ACTIVE_STATUSES,
  type Project,
  type ProjectCatalog,
  type ProjectSettings,
  type TaskRepository,
} from '@agent-harness/queue';

/** @public */
export interface RegisterProjectInput {
  readonly name: string;
  readonly root: string;
  readonly maxConcurrent?: number | undefined;
  readonly defaultAgent?: string | undefined;
  readonly repo?: string | undefined;
  readonly baseBranch?: string | undefined;
  readonly active?: boolean | undefined;
}

/** New settings of a registered project; a field left undefined keeps its value. @public */
export type ProjectChanges = ProjectSettings;

/** @public */
export interface ProjectAdminDeps {
  readonly projects: ProjectCatalog;
  readonly tasks: TaskRepository;
  /** Checks a directory on disk (see `inspectProjectDirectory` in @agent-harness/runtime). */
  readonly inspectDirectory: (path: string) => DirectoryInspection;
  /** The server user's home: a root of `~` or `~/…` is there, as in the config file and `--project`. */
  readonly homeDir?: string | undefined;
  /** `[server] allowed_project_roots`: a registered root must be inside one; empty: anywhere. */
  readonly allowedRoots?: readonly string[] | undefined;
  /**
   * Removes the worktrees Harness left registered in a repository (a crash can leave them), so a
   * removed project keeps no trace of Harness in its `.git`.
   */
  readonly removeStaleWorktrees?: (repoRoot: string) => Promise<void>;
}

/** Whether `path` is `dir` or inside it (both absolute; no `..` escapes). */
function isInside(path: string, dir: string): boolean {
  const rel = relative(dir, path);
  return rel === '' || (!rel.startsWith('..') && !isAbsolute(rel));
}

/**
 * Registering and removing projects at runtime, with the same checks as the config file: the root
 * must be a git repository, names and roots unique; a project with live tasks is not removed.
 * @public
 */
export class ProjectAdmin {
  constructor(private readonly deps: ProjectAdminDeps) {}

  async register(input: RegisterProjectInput): Promise<Project> {
    const home = this.deps.homeDir;
    const root =
      home !== undefined && (input.root === '~' || input.root.startsWith('~/'))
        ? join(home, input.root.slice(1))
        : input.root;
    // Relative to nothing the caller knows (the server's working directory): refused.
    if (!isAbsolute(root)) throw new AppError('INVALID_ARGUMENT', `root: ${input.root} is not an absolute path`);
    const found = this.deps.inspectDirectory(root);
    // One answer for missing, not a directory and not a repository: a caller of the API learns
    // nothing about what else is on the server's disk.
    if (found.kind !== 'git-repository')
      throw new AppError('INVALID_ARGUMENT', `root: ${input.root} is not a git repository's top directory`);
    const allowed = this.deps.allowedRoots ?? [];
    if (allowed.length > 0 && !allowed.some((dir) => isInside(found.realPath, dir)))
      throw new AppError('FORBIDDEN', `root: ${input.root} is outside [server] allowed_project_roots`);
    if (input.baseBranch !== undefined) {
      const problem = branchNameProblem(input.baseBranch);
      if (problem !== undefined) throw new AppError('INVALID_ARGUMENT', `base_branch: ${problem}`);
    }
    const existing = await this.deps.projects.list();
    const sameName = existing.find((p) => p.name === input.name);
    if (sameName !== undefined) throw new AppError('CONFLICT', `name: a project named "${input.name}" already exists`);
    const sameRoot = existing.find((p) => p.root === found.realPath);
    if (sameRoot !== undefined)
      throw new AppError('CONFLICT', `root: ${found.realPath} is already the root of project "${sameRoot.name}"`);
    const project: Project = {
      name: input.name,
      root: found.realPath,
      isDefault: !existing.some((p) => p.isDefault),
      defaultAgent: input.defaultAgent,
      maxConcurrent: input.maxConcurrent,
      repo: input.repo,
      baseBranch: input.baseBranch,
      origin: 'api',
      active: input.active ?? true,
    };
    await this.deps.projects.add(project);
    return project;
  }

  /**
   * Changes a registered project's settings, checked as at registration. A project of the config
   * file is changed there: the file is read again at every start and would undo it.
   */
  async update(name: string, changes: ProjectChanges): Promise<Project> {
    const project = await this.deps.projects.get(name);
    if (project === undefined) throw new AppError('NOT_FOUND', `no project "${name}"`);
    if (project.origin === 'config')
      throw new AppError('CONFLICT', `project "${name}" is defined in the config file; change it there and restart`);
    if (changes.baseBranch !== undefined) {
      const problem = branchNameProblem(changes.baseBranch);
      if (problem !== undefined) throw new AppError('INVALID_ARGUMENT', `base_branch: ${problem}`);
    }
    // Only the given fields, in one conditional write: a concurrent change of another field is
    // kept, and a project removed meanwhile stays removed.
    const updated = await this.deps.projects.update(name, changes);
    if (updated === undefined) throw new AppError('NOT_FOUND', `no project "${name}" (it was removed meanwhile)`);
    return updated;
  }

  async remove(name: string): Promise<void> {
    const project = await this.deps.projects.get(name);
    if (project === undefined) throw new AppError('NOT_FOUND', `no project "${name}"`);
    if (project.origin === 'config')
      throw new AppError('CONFLICT', `project "${name}" is defined in the config file; remove it there and restart`);
    const live = (await this.deps.tasks.countByProjectAndStatus()).filter(
      (c) => c.project === name && (c.status === 'queued' || ACTIVE_STATUSES.includes(c.status)),
    );
    const count = live.reduce((sum, c) => sum + c.count, 0);
    if (count > 0) {
      throw new AppError(
        'CONFLICT',
        `project "${name}" has ${String(count)} queued or running task(s); cancel them or wait for them to finish first`,
      );
    }
    await this.deps.projects.remove(name);
    // Best effort: the repository may be gone already; the project is removed either way.
    await this.deps.removeStaleWorktrees?.(project.root).catch(() => undefined);
  }
}

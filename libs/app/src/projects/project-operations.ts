import type { ProjectJson, ProjectListResponse, RemoveProjectResponse } from '@agent-harness/core';
import type { ProjectAdmin } from '@agent-harness/pipeline';
import type { Project, ProjectCatalog } from '@agent-harness/queue';
import { NoInput } from '../input/no-input.js';
import { defineOperation } from '../operation.js';
import { ProjectNameInput, ProjectRegisterInput, ProjectUpdateInput, requestedProjectName } from './project-inputs.js';

/** The ports of the project operations. */
export interface ProjectAdminPorts {
  readonly projects: Pick<ProjectCatalog, 'list'>;
  readonly projectAdmin: Pick<ProjectAdmin, 'register' | 'update' | 'remove'>;
}

/** A project as the API shows it. */
function projectJson(p: Project): ProjectJson {
  return {
    name: p.name,
    // The older spelling of `name`, for clients written against it.
    id: p.name,
    root: p.root,
    default: p.isDefault,
    max_concurrent: p.maxConcurrent ?? null,
    default_agent: p.defaultAgent ?? null,
    repo: p.repo ?? null,
    base_branch: p.baseBranch ?? null,
    origin: p.origin,
    active: p.active,
  };
}

export const projectList = defineOperation({
  name: 'project_list',
  summary: 'The projects: from the config file and registered through the API',
  input: NoInput,
  async execute(ports: ProjectAdminPorts): Promise<ProjectListResponse> {
    return (await ports.projects.list()).map(projectJson);
  },
});

export const projectRegister = defineOperation({
  name: 'project_register',
  summary: 'Register a git repository as a project (kept in the database; config-file projects win)',
  input: ProjectRegisterInput,
  async execute(ports: ProjectAdminPorts, input): Promise<ProjectJson> {
    return projectJson(
      await ports.projectAdmin.register({
        name: requestedProjectName(input),
        root: input.root,
        maxConcurrent: input.max_concurrent,
        defaultAgent: input.default_agent,
        repo: input.repo,
        baseBranch: input.base_branch,
        active: input.active,
      }),
    );
  },
});

export const projectUpdate = defineOperation({
  name: 'project_update',
  summary:
    "Change a registered project's settings (limit, agent, repository, base branch, active); config-file projects change in the file",
  input: ProjectUpdateInput,
  async execute(ports: ProjectAdminPorts, input): Promise<ProjectJson> {
    return projectJson(
      await ports.projectAdmin.update(input.name, {
        maxConcurrent: input.max_concurrent,
        defaultAgent: input.default_agent,
        repo: input.repo,
        baseBranch: input.base_branch,
        active: input.active,
      }),
    );
  },
});

export const projectRemove = defineOperation({
  name: 'project_remove',
  summary: 'Remove a project registered through the API (one with live tasks is refused)',
  input: ProjectNameInput,
  async execute(ports: ProjectAdminPorts, { name }): Promise<RemoveProjectResponse> {
    await ports.projectAdmin.remove(name);
    return { removed: name };
  },
});

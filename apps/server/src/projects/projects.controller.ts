import { Body, Controller, Delete, Get, HttpCode, Param, Post } from '@nestjs/common';
import type { ProjectJson, ProjectListResponse, RemoveProjectResponse } from '@agent-harness/core';
import { ProjectAdmin } from '@agent-harness/pipeline';
import { ProjectCatalog, type Project } from '@agent-harness/queue';
import { RegisterProjectDto, requestedProjectName } from './register-project.dto.js';

function present(p: Project): ProjectJson {
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

@Controller('api/projects')
export class ProjectsController {
  constructor(
    private readonly projects: ProjectCatalog,
    private readonly admin: ProjectAdmin,
  ) {}

  @Get()
  async list(): Promise<ProjectListResponse> {
    return (await this.projects.list()).map(present);
  }

  @Post()
  @HttpCode(201)
  async register(@Body() body: RegisterProjectDto): Promise<ProjectJson> {
    return present(
      await this.admin.register({
        name: requestedProjectName(body),
        root: body.root,
        maxConcurrent: body.max_concurrent,
        defaultAgent: body.default_agent,
        repo: body.repo,
        baseBranch: body.base_branch,
        active: body.active,
      }),
    );
  }

  @Delete(':id')
  @HttpCode(200)
  async remove(@Param('id') id: string): Promise<RemoveProjectResponse> {
    await this.admin.remove(id);
    return { removed: id };
  }
}

import { Body, Controller, Delete, Get, HttpCode, Inject, Param, Post } from '@nestjs/common';
import { ProjectNameInput, ProjectRegisterInput, type Operations } from '@agent-harness/app';
import type { ProjectJson, ProjectListResponse, RemoveProjectResponse } from '@agent-harness/core';
import { OPERATIONS } from '../core/tokens.js';

/** `/api/projects`: the project operations of @agent-harness/app. */
@Controller('api/projects')
export class ProjectsController {
  constructor(@Inject(OPERATIONS) private readonly operations: Operations) {}

  @Get()
  list(): Promise<ProjectListResponse> {
    return this.operations.project_list({});
  }

  @Post()
  @HttpCode(201)
  register(@Body() body: ProjectRegisterInput): Promise<ProjectJson> {
    return this.operations.project_register(body);
  }

  @Delete(':name')
  @HttpCode(200)
  remove(@Param() params: ProjectNameInput): Promise<RemoveProjectResponse> {
    return this.operations.project_remove(params);
  }
}

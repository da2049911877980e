import { Body, Controller, Delete, Get, HttpCode, Param, Post } from '@nestjs/common';
import { ProjectAdmin } from '@agent-harness/pipeline';
import { ProjectCatalog, type Project } from '@agent-harness/queue';
import { IsBoolean, IsInt, IsOptional, IsPositive, IsString, Matches, MaxLength } from 'class-validator';

export class RegisterProjectDto {
  @IsString() @Matches(/^[A-Za-z0-9][A-Za-z0-9._-]*$/, { message: 'id must start with a letter or digit and use only letters, digits, ".", "_" and "-"' }) @MaxLength(200)
  id!: string;

  @IsString() @MaxLength(4096)
  root!: string;

  @IsOptional() @IsInt({ message: 'max_concurrent must be a positive integer' }) @IsPositive({ message: 'max_concurrent must be a positive integer' })
  max_concurrent?: number;

  @IsOptional() @IsString() @MaxLength(100)
  default_agent?: string;

  @IsOptional() @IsString() @Matches(/^[A-Za-z0-9_.-]+\/[A-Za-z0-9_.-]+$/, { message: 'repo must be "owner/name"' })
  repo?: string;

  @IsOptional() @IsString() @MaxLength(255)
  base_branch?: string;

  @IsOptional() @IsBoolean()
  active?: boolean;
}

function present(p: Project): Record<string, unknown> {
  return {
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
  async list(): Promise<Record<string, unknown>[]> {
    return (await this.projects.list()).map(present);
  }

  @Post()
  @HttpCode(201)
  async register(@Body() body: RegisterProjectDto): Promise<Record<string, unknown>> {
    return present(
      await this.admin.register({
        name: body.id,
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
  async remove(@Param('id') id: string): Promise<{ removed: string }> {
    await this.admin.remove(id);
    return { removed: id };
  }
}

import { AppError, type RegisterProjectRequest } from '@agent-harness/core';
import { IsBoolean, IsString, Matches, MaxLength } from 'class-validator';
import { Given, IntInRange, MAX_INT32, NoNulBytes } from '../input/input-rules.js';

const PROJECT_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;
const nameMessage = (field: string): string =>
  `${field} must start with a letter or digit and use only letters, digits, ".", "_" and "-"`;

/** A project's settings, as registration takes them and an update changes them. */
class ProjectSettingsInput {
  @Given()
  @IntInRange(1, MAX_INT32, 'max_concurrent must be a positive integer')
  max_concurrent?: number | undefined;

  @Given()
  @IsString()
  @MaxLength(100)
  @NoNulBytes()
  default_agent?: string | undefined;

  @Given()
  @IsString()
  @Matches(/^[A-Za-z0-9_.-]+\/[A-Za-z0-9_.-]+$/, { message: 'repo must be "owner/name"' })
  repo?: string | undefined;

  @Given()
  @IsString()
  @MaxLength(255)
  @NoNulBytes()
  base_branch?: string | undefined;

  @Given()
  @IsBoolean()
  active?: boolean | undefined;
}

/** `project_register` (`POST /api/projects`): a project the API adds to the catalog. */
export class ProjectRegisterInput extends ProjectSettingsInput implements RegisterProjectRequest {
  /** The project's name, as in the config file's `[[projects]] name`. */
  @Given()
  @IsString()
  @Matches(PROJECT_NAME, { message: nameMessage('name') })
  @MaxLength(200)
  name?: string | undefined;

  /** The older spelling of `name`, still accepted. */
  @Given()
  @IsString()
  @Matches(PROJECT_NAME, { message: nameMessage('id') })
  @MaxLength(200)
  id?: string | undefined;

  /** An absolute path to the top directory of a git repository. */
  @IsString()
  @MaxLength(4096)
  @NoNulBytes()
  root!: string;
}

/** The name a registration asks for: `name`, or `id` (its older spelling); both given must agree. */
export function requestedProjectName(body: ProjectRegisterInput): string {
  if (body.name !== undefined && body.id !== undefined && body.name !== body.id) {
    throw new AppError(
      'INVALID_ARGUMENT',
      `name ("${body.name}") and id ("${body.id}") differ; give name only (id is its older spelling)`,
    );
  }
  const name = body.name ?? body.id;
  if (name === undefined) throw new AppError('INVALID_ARGUMENT', 'name is required');
  return name;
}

/** `project_remove` (`DELETE /api/projects/:name`): a project the API registered. */
export class ProjectNameInput {
  @IsString()
  @Matches(PROJECT_NAME, { message: nameMessage('name') })
  @MaxLength(200)
  name!: string;
}

/**
 * `project_update` (`PATCH /api/projects/:name`): new settings for a project the API registered.
 * A field left out keeps its value.
 */
export class ProjectUpdateInput extends ProjectSettingsInput {
  @IsString()
  @Matches(PROJECT_NAME, { message: nameMessage('name') })
  @MaxLength(200)
  name!: string;
}

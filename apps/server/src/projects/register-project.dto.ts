import { AppError, type RegisterProjectRequest } from '@agent-harness/core';
import { IsBoolean, IsString, Matches, MaxLength } from 'class-validator';
import { Given, IntInRange, MAX_INT32, NoNulBytes } from '@agent-harness/app';

const PROJECT_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;
const nameMessage = (field: string): string =>
  `${field} must start with a letter or digit and use only letters, digits, ".", "_" and "-"`;

export class RegisterProjectDto implements RegisterProjectRequest {
  /** The project's name, as in the config file's `[[projects]] name`. */
  @Given()
  @IsString()
  @Matches(PROJECT_NAME, { message: nameMessage('name') })
  @MaxLength(200)
  name?: string;

  /** The older spelling of `name`, still accepted. */
  @Given()
  @IsString()
  @Matches(PROJECT_NAME, { message: nameMessage('id') })
  @MaxLength(200)
  id?: string;

  /** An absolute path to the top directory of a git repository. */
  @IsString()
  @MaxLength(4096)
  @NoNulBytes()
  root!: string;

  @Given()
  @IntInRange(1, MAX_INT32, 'max_concurrent must be a positive integer')
  max_concurrent?: number;

  @Given()
  @IsString()
  @MaxLength(100)
  @NoNulBytes()
  default_agent?: string;

  @Given()
  @IsString()
  @Matches(/^[A-Za-z0-9_.-]+\/[A-Za-z0-9_.-]+$/, { message: 'repo must be "owner/name"' })
  repo?: string;

  @Given()
  @IsString()
  @MaxLength(255)
  @NoNulBytes()
  base_branch?: string;

  @Given()
  @IsBoolean()
  active?: boolean;
}

/** The name a registration asks for: `name`, or `id` (its older spelling); both given must agree. */
export function requestedProjectName(body: RegisterProjectDto): string {
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

import { AppError } from '@agent-harness/core';
import { IsString, Length, ValidateIf } from 'class-validator';
import { Given, NoNulBytes } from './input-rules.js';

/** The original harness's names for `project`, where `null` meant the default project. */
function OriginalProjectField(): PropertyDecorator {
  return (target, key) => {
    ValidateIf((_object: object, value: unknown) => value !== undefined && value !== null)(target, key);
    IsString()(target, key);
    Length(1, 4096)(target, key);
    NoNulBytes()(target, key);
  };
}

/** `project`: a configured project's name or root; absent: the default project. */
export class ProjectInput {
  @Given()
  @IsString()
  @Length(1, 4096)
  @NoNulBytes()
  project?: string | undefined;

  /** The original harness's name for `project` (its usage guide sends `{"project_id": null}`). */
  @OriginalProjectField()
  project_id?: string | null | undefined;

  /** The original harness's name for a project given by its root path. */
  @OriginalProjectField()
  project_root?: string | null | undefined;
}

/** The project an input names, by any of its names; undefined: the default project. Two that differ are refused. */
export function projectOf(input: ProjectInput): string | undefined {
  const given = [input.project, input.project_id ?? undefined, input.project_root ?? undefined].filter(
    (value): value is string => value !== undefined,
  );
  if (new Set(given).size > 1)
    throw new AppError('INVALID_ARGUMENT', 'give the project once: project, project_id and project_root differ');
  return given[0];
}

import { IsString, Length } from 'class-validator';
import { Given, NoNulBytes } from './input-rules.js';

/** `project`: a configured project's name or root; absent: the default project. */
export class ProjectInput {
  @Given()
  @IsString()
  @Length(1, 4096)
  @NoNulBytes()
  project?: string | undefined;
}

import { IsBoolean, IsString, Length, MaxLength } from 'class-validator';
import { Given, NoNulBytes } from '../input/input-rules.js';
import { ProjectInput } from '../input/project-input.js';

/** `skill_list`. */
export class SkillListInput extends ProjectInput {
  @Given()
  @IsString()
  @MaxLength(200)
  @NoNulBytes()
  query?: string | undefined;
}

/** `skill_get`. */
export class SkillIdInput {
  /** `<tier>:<name>` (as `skill_list` shows) or a bare name (the highest tier wins). */
  @IsString()
  @Length(1, 200)
  @NoNulBytes()
  skill_id!: string;
}

/** `skill_create`: a skill in `<data_dir>/skills`. */
export class SkillCreateInput {
  @IsString()
  @Length(1, 100)
  @NoNulBytes()
  name!: string;

  @IsString()
  @Length(1, 100_000)
  @NoNulBytes()
  content!: string;

  @Given()
  @IsBoolean()
  replace?: boolean | undefined;
}

/** `skill_delete`. */
export class SkillDeleteInput {
  @IsString()
  @Length(1, 100)
  @NoNulBytes()
  name!: string;
}

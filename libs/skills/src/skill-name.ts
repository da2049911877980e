/**
 * A skill name is its file's stem: a letter or digit, then up to 63 letters, digits, `.`, `_` or
 * `-`. No separators, so a name can never leave its directory.
 * @public
 */
export const SKILL_NAME_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

/** Whether `name` can name a skill file: matches `SKILL_NAME_PATTERN` and holds no `..`. @public */
export function isValidSkillName(name: string): boolean {
  return SKILL_NAME_PATTERN.test(name) && !name.includes('..');
}

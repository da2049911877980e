import { lstat, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { AppError } from '@agent-harness/core';
import { writeFileAtomic } from './atomic-write.js';
import type { GovernanceStore } from './governance/governance-store.js';
import { MAX_SKILL_BYTES, parseSkill } from './parse-skill.js';
import { describe, errorCode, readBounded, readSkillDirectory, type SkillListing } from './read-skill-directory.js';
import { isValidSkillName } from './skill-name.js';
import { skillId, type Skill } from './skill.types.js';

/** @public */
export interface SkillStoreOptions {
  /**
   * When given, deleting a skill, or creating one under a name that had no file, forgets its
   * governance record: a person re-creating a retired skill starts it afresh.
   */
  readonly governance?: GovernanceStore | undefined;
}

/** @public */
export interface CreateSkillOptions {
  /** Overwrite a skill of the same name (default false: `CONFLICT`). */
  readonly replace?: boolean | undefined;
}

/**
 * The skills of the data tier (`<dataDir>/skills/`): the ones Harness creates or learns, one
 * `<name>.md` each, in the format `parseSkill` reads. Names are checked before they become paths;
 * content is parsed before it is written (a skill that would not read back is refused); writes are
 * atomic (directory 0700, files 0600).
 * @public
 */
export class SkillStore {
  private readonly governance: GovernanceStore | undefined;

  constructor(
    readonly dir: string,
    options: SkillStoreOptions = {},
  ) {
    this.governance = options.governance;
  }

  /**
   * Writes skill `name`. Throws `INVALID_ARGUMENT` for a bad name or content `parseSkill` refuses,
   * `CONFLICT` when the skill exists and `replace` is not set, `INTERNAL` when the write fails.
   */
  async create(name: string, content: string, options: CreateSkillOptions = {}): Promise<Skill> {
    const path = this.pathOf(name);
    const parsed = parseSkill(name, content, 'data', path);
    if (!parsed.ok) throw new AppError('INVALID_ARGUMENT', parsed.error, { details: { name } });
    let outcome;
    try {
      outcome = await writeFileAtomic(path, content, { replace: options.replace === true });
    } catch (error) {
      throw new AppError('INTERNAL', `could not write skill ${name} to ${path}: ${describe(error)}`, { cause: error });
    }
    if (outcome === 'exists')
      throw new AppError('CONFLICT', `skill ${name} already exists (${path}); pass replace to overwrite it`, {
        details: { name },
      });
    if (outcome === 'created') await this.governance?.reset([skillId('data', name)]);
    return parsed.value;
  }

  /** Removes skill `name`; false when there was none. */
  async delete(name: string): Promise<boolean> {
    const path = this.pathOf(name);
    try {
      await rm(path);
    } catch (error) {
      if (errorCode(error) === 'ENOENT') return false;
      throw new AppError('INTERNAL', `could not delete skill ${name} (${path}): ${describe(error)}`, { cause: error });
    }
    await this.governance?.reset([skillId('data', name)]);
    return true;
  }

  /** Skill `name`, or undefined when there is none. A file that no longer parses throws `INTERNAL`. */
  async get(name: string): Promise<Skill | undefined> {
    const path = this.pathOf(name);
    try {
      await lstat(path);
    } catch (error) {
      if (errorCode(error) === 'ENOENT') return undefined;
      throw new AppError('INTERNAL', `cannot read skill ${name} (${path}): ${describe(error)}`, { cause: error });
    }
    const text = await readBounded(path, MAX_SKILL_BYTES);
    if (!text.ok) throw new AppError('INTERNAL', `cannot read skill ${name}: ${text.message}`, { details: { path } });
    const parsed = parseSkill(name, text.value, 'data', path);
    if (!parsed.ok)
      throw new AppError('INTERNAL', `skill file ${path} is invalid: ${parsed.error}`, { details: { path } });
    return parsed.value;
  }

  /** Every skill in the directory, sorted by name, with the files that could not be read. */
  list(): Promise<SkillListing> {
    return readSkillDirectory(this.dir, 'data');
  }

  /** The name is checked first: it becomes a file name. */
  private pathOf(name: string): string {
    if (!isValidSkillName(name))
      throw new AppError(
        'INVALID_ARGUMENT',
        `${JSON.stringify(name)} is not a valid skill name (a letter or digit, then up to 63 of letters, digits, ".", "_", "-"; no "..")`,
        { details: { name } },
      );
    return join(this.dir, `${name}.md`);
  }
}

/**
 * Where a skill was found. Earlier tiers win over later ones when two define the same name: a
 * project's own skill beats the user's, which beats one Harness created or learned (`data`), which
 * beats the shipped built-ins.
 * @public
 */
export const SKILL_TIERS = ['project', 'user', 'data', 'builtin'] as const;
/** @public */
export type SkillTier = (typeof SKILL_TIERS)[number];

/**
 * A markdown prompt snippet Harness adds to a task's prompt when the task matches one of its
 * trigger patterns.
 * @public
 */
export interface Skill {
  /** `<tier>:<name>`: derived, never random, so governance state survives a restart. */
  readonly id: string;
  /** The file stem; matches `SKILL_NAME_PATTERN`. */
  readonly name: string;
  readonly tier: SkillTier;
  /** The first non-empty line of the body, without leading `#`s. */
  readonly description: string;
  /** Lower-case substrings of a task's text that make this skill relevant; none = never injected automatically. */
  readonly triggerPatterns: string[];
  /** From the front matter's `version:`, default `1.0.0`. */
  readonly version: string;
  /** The first 16 hex digits of the SHA-256 of the file's text: changes whenever the file does. */
  readonly contentHash: string;
  /** The file's whole text, front matter included (what `SkillStore.create` was given). */
  readonly content: string;
  /** The file it was read from, when it came from disk. */
  readonly path?: string | undefined;
}

/** A skill file that could not be read or parsed; discovery reports it and goes on. @public */
export interface SkillProblem {
  readonly path: string;
  readonly tier: SkillTier;
  readonly message: string;
}

/**
 * The stable id of a skill: readable and derived from where it lives, so the same file has the same
 * id on every load (the original harness drew a random id per load and lost governance history).
 * @public
 */
export function skillId(tier: SkillTier, name: string): string {
  return `${tier}:${name}`;
}

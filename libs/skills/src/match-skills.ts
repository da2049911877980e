import { canaryBucket } from './canary.js';
import type { SkillGovernanceState } from './governance/governance.types.js';
import type { Skill } from './skill.types.js';

/** @public */
export interface MatchSkillsOptions {
  /** The skill's governance record, if it has one (none = active). */
  readonly governance: (skillId: string) => SkillGovernanceState | undefined;
  /** Decides the canary share of quarantined skills; pass the task id so a task's answer is stable. */
  readonly canaryKey: string;
}

/**
 * The skills relevant to `text` (a task's prompt), in the order given: a skill matches when one of
 * its trigger patterns occurs in the text, ignoring case, and governance allows it
 * (`isSkillAllowed`). A skill without trigger patterns never matches.
 * @public
 */
export function matchSkills(skills: readonly Skill[], text: string, options: MatchSkillsOptions): Skill[] {
  const haystack = text.toLowerCase();
  return skills.filter(
    (skill) =>
      skill.triggerPatterns.some((pattern) => pattern !== '' && haystack.includes(pattern.toLowerCase())) &&
      isSkillAllowed(skill.id, options.governance(skill.id), options.canaryKey),
  );
}

/**
 * Whether governance lets a matching skill into a prompt: `active`, `watch` or no record → yes;
 * `quarantine` → only when `canaryBucket(skillId, canaryKey) < canaryRatio`; `retired` → never.
 * @public
 */
export function isSkillAllowed(skillId: string, state: SkillGovernanceState | undefined, canaryKey: string): boolean {
  if (state === undefined) return true;
  switch (state.status) {
    case 'active':
    case 'watch':
      return true;
    case 'quarantine':
      return canaryBucket(skillId, canaryKey) < state.canaryRatio;
    case 'retired':
      return false;
  }
}

import { initialGovernanceState, type SkillGovernanceState } from './governance.types.js';

/**
 * The states after the skills `skillIds` were injected into a task at `at`: each one's
 * `usageCount` goes up by one and `lastUsedAt` becomes `at`. Pure; a skill without a record gets
 * a fresh one.
 * @public
 */
export function recordSkillUse(
  states: ReadonlyMap<string, SkillGovernanceState>,
  skillIds: readonly string[],
  at: Date,
): Map<string, SkillGovernanceState> {
  const next = new Map(states);
  const usedAt = at.toISOString();
  for (const skillId of new Set(skillIds)) {
    const state = next.get(skillId) ?? initialGovernanceState(skillId);
    next.set(skillId, { ...state, usageCount: state.usageCount + 1, lastUsedAt: usedAt });
  }
  return next;
}

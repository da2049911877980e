// Public API of @agent-harness/skills.
export { SKILL_TIERS, skillId } from './skill.types.js';
export type { Skill, SkillProblem, SkillTier } from './skill.types.js';
export { SKILL_NAME_PATTERN, isValidSkillName } from './skill-name.js';
export { DEFAULT_SKILL_VERSION } from './front-matter.js';
export { MAX_SKILL_BYTES, MAX_TRIGGER_PATTERN_LENGTH, MAX_TRIGGER_PATTERNS, parseSkill } from './parse-skill.js';
export { MAX_SKILL_FILES_PER_DIR, readSkillDirectory } from './read-skill-directory.js';
export type { ReadSkillDirectoryOptions, SkillListing } from './read-skill-directory.js';
export { BUILTIN_SKILLS_DIR, dataSkillsDir, discoverSkills } from './discover-skills.js';
export type { DiscoverSkillsOptions } from './discover-skills.js';
export { SkillStore } from './skill-store.js';
export type { CreateSkillOptions, SkillStoreOptions } from './skill-store.js';

export { canaryBucket } from './canary.js';
export { isSkillAllowed, matchSkills } from './match-skills.js';
export type { MatchSkillsOptions } from './match-skills.js';
export { DEFAULT_SKILLS_SECTION_CHARS, promptSafeSkillBody, relevantSkillsSection } from './relevant-skills-section.js';
export type { RelevantSkillsSection } from './relevant-skills-section.js';

export {
  CANARY_RATIO_BY_STATUS,
  GOVERNANCE_THRESHOLDS,
  SKILL_GOVERNANCE_STATUSES,
  initialGovernanceState,
} from './governance/governance.types.js';
export type {
  SkillGovernanceState,
  SkillGovernanceStatus,
  SkillOutcome,
  SkillStatusTransition,
  SkillUseOutcome,
} from './governance/governance.types.js';
export { scoreSkills, statusFor } from './governance/score-skills.js';
export type { SkillScoring } from './governance/score-skills.js';
export { recordSkillUse } from './governance/record-use.js';
export { GovernanceStore, InMemoryGovernanceStore } from './governance/governance-store.js';
export { FileGovernanceStore } from './governance/file-governance-store.js';
export { GOVERNANCE_FILE_VERSION } from './governance/governance-codec.js';
export { SKILL_EVENT_HOOKS, skillUsedEvent } from './governance/skill-events.js';
export type {
  SkillEventDraft,
  SkillEventQuery,
  SkillEventReader,
  SkillEventRecord,
  SkillEventSink,
} from './governance/skill-events.js';
export {
  DEFAULT_GOVERNANCE_WINDOW_DAYS,
  MAX_GOVERNANCE_TICK_EVENTS,
  runGovernanceTick,
} from './governance/run-governance-tick.js';
export type { GovernanceTickOptions, GovernanceTickSummary, TaskOutcome } from './governance/run-governance-tick.js';

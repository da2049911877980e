// Public API of @agent-harness/gc.

// The shared vocabulary: signals, artifacts, drafts.
export { DEFAULT_SIGNAL_THRESHOLDS, DRAFT_STATUSES, SIGNAL_TYPES } from './gc.types.js';
export type {
  ArtifactKind,
  Draft,
  DraftArtifact,
  DraftStatus,
  Remediation,
  Signal,
  SignalEvidence,
  SignalThresholds,
  SignalType,
} from './gc.types.js';

// Drafts: ids, the index port (its contract and an in-memory index: `@agent-harness/gc/testing`), draft files, the facade.
export {
  DEFAULT_DRAFT_LIST_LIMIT,
  DraftIndex,
  Drafts,
  FileDraftStore,
  MAX_DRAFT_FILE_BYTES,
  MAX_DRAFT_LIST_LIMIT,
  checkDraft,
  draftBranch,
  draftIndexEntry,
  draftListLimit,
  draftShortId,
  isDraftId,
  isDraftShortId,
  newDraftId,
} from './drafts/index.js';
export type {
  DraftIndexEntry,
  DraftListFilter,
  DraftStatusPatch,
  DraftTransitionOptions,
  DraftsOptions,
  NewDraft,
  ReconcileReport,
} from './drafts/index.js';

// Learning: prompts and parsers that turn adopted drafts into rules and skills.
export {
  MAX_LEARNED_PER_ANSWER,
  MAX_LEARNED_RULE_BODY,
  MAX_LEARNED_RULE_TITLE,
  MAX_LEARNED_SKILL_BYTES,
  MAX_LEARN_PROMPT_CHARS,
  SKILL_NAME_PATTERN,
  isValidSkillName,
  learnRulesPrompt,
  learnSkillsPrompt,
  parseLearnedRules,
  parseLearnedSkills,
} from './learning/index.js';
export type { LearnedRules, LearnedSkill, LearnedSkills } from './learning/index.js';

// Signals: recurring problems in a window of telemetry, counted in the event store.
export {
  ESCALATION_MIN_EVENTS,
  MAX_EXAMPLES,
  MAX_EXAMPLE_CHARS,
  MAX_SIGNALS,
  REMEDIATION_OF,
  detectSignals,
  signalId,
  signalPriority,
} from './signals/index.js';
export type { DetectSignalsOptions } from './signals/index.js';

// Artifacts: an agent's answer read into files and patches; paths kept inside the project.
export {
  ARTIFACT_LIMITS,
  MAX_ARTIFACT_PATH_LENGTH,
  artifactKindOf,
  confineToRoot,
  normalizeArtifactPath,
  parseArtifacts,
} from './artifacts/index.js';
export type { ParsedArtifacts } from './artifacts/index.js';

// Prompts and the events GC emits.
export { adoptPrompt, draftPrompt, untrustedBlock } from './prompts/index.js';
export {
  GC_EVENT_HOOKS,
  gcAdoptEvent,
  gcDraftEvent,
  gcExpireEvent,
  gcRejectEvent,
  gcRunEvent,
  learnEvent,
} from './events/index.js';
export type { GcEventHook } from './events/index.js';

// Running GC: a run (signals → drafts within budgets), adopt/reject, learning.
export { GcRunner } from './run/gc-runner.js';
export type { GcProject, GcRunReport, GcRunnerDeps, SkipReason, SkippedSignal } from './run/gc-runner.js';
export { BUDGET_EPSILON_USD, READ_ONLY_TOOLS } from './run/gc-settings.js';
export type { GcSettings } from './run/gc-settings.js';
export type { DraftAgent, DraftAgentAnswer, DraftAgentRequest, GcProgress } from './run/draft-agent.js';
export { DraftDecisions, adoptionTask } from './run/adoption.js';
export type { AdoptionTaskRequest, DraftDecisionsDeps } from './run/adoption.js';
export { Learner } from './run/learner.js';
export type { LearnReport, LearnerDeps, SkillWriter } from './run/learner.js';

/**
 * How far Harness trusts a skill, from its tasks' outcomes: `active` and `watch` are injected when
 * they match, `quarantine` only into a small canary share of tasks, `retired` never.
 * @public
 */
export const SKILL_GOVERNANCE_STATUSES = ['active', 'watch', 'quarantine', 'retired'] as const;
/** @public */
export type SkillGovernanceStatus = (typeof SKILL_GOVERNANCE_STATUSES)[number];

/** One skill's governance record, keyed by its stable id. @public */
export interface SkillGovernanceState {
  readonly skillId: string;
  /** 0–1; starts at `GOVERNANCE_THRESHOLDS.initialScore`, moves a fifth of the way to each tick's target. */
  readonly qualityScore: number;
  /** (task, skill) outcomes scored so far. */
  readonly samples: number;
  readonly status: SkillGovernanceStatus;
  /** The share of matching tasks the skill is injected into (0–1). */
  readonly canaryRatio: number;
  /** Times the skill was injected (`recordUse`). */
  readonly usageCount: number;
  /** ISO-8601 instants. */
  readonly lastUsedAt?: string | undefined;
  readonly lastScoredAt?: string | undefined;
}

/** A task's result as governance sees it: `unknown` (still running, cancelled…) is not scored. @public */
export type SkillOutcome = 'success' | 'fail';

/** One use of a skill by a task whose outcome is known. @public */
export interface SkillUseOutcome {
  readonly skillId: string;
  readonly taskId: string;
  readonly outcome: SkillOutcome;
}

/** A skill whose status changed in a tick. @public */
export interface SkillStatusTransition {
  readonly skillId: string;
  readonly from: SkillGovernanceStatus;
  readonly to: SkillGovernanceStatus;
}

/**
 * The scoring constants (those of the original harness). Per tick, per skill:
 * `raw = (success − failWeight·fail) / (success + fail)`, `target = clamp((raw + 1) / 2, 0, 1)`,
 * `score = previousWeight·score + (1 − previousWeight)·target`. Then, in order: at least
 * `retireSamples` samples and a score under `retireBelow` retires; at least `quarantineSamples` and
 * under `quarantineBelow` quarantines (canary `quarantineCanaryRatio`); under `watchBelow` watches;
 * otherwise active.
 * @public
 */
export const GOVERNANCE_THRESHOLDS = {
  initialScore: 0.5,
  failWeight: 0.7,
  previousWeight: 0.8,
  retireSamples: 30,
  retireBelow: 0.3,
  quarantineSamples: 10,
  quarantineBelow: 0.45,
  watchBelow: 0.6,
  quarantineCanaryRatio: 0.1,
} as const;

/** The canary ratio that goes with each status. @public */
export const CANARY_RATIO_BY_STATUS: Readonly<Record<SkillGovernanceStatus, number>> = {
  active: 1,
  watch: 1,
  quarantine: GOVERNANCE_THRESHOLDS.quarantineCanaryRatio,
  retired: 0,
};

/** The record of a skill governance has not seen yet. @public */
export function initialGovernanceState(skillId: string): SkillGovernanceState {
  return {
    skillId,
    qualityScore: GOVERNANCE_THRESHOLDS.initialScore,
    samples: 0,
    status: 'active',
    canaryRatio: CANARY_RATIO_BY_STATUS.active,
    usageCount: 0,
  };
}

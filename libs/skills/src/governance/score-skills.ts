import {
  CANARY_RATIO_BY_STATUS,
  GOVERNANCE_THRESHOLDS,
  initialGovernanceState,
  type SkillGovernanceState,
  type SkillGovernanceStatus,
  type SkillStatusTransition,
  type SkillUseOutcome,
} from './governance.types.js';

/** @public */
export interface SkillScoring {
  /** Every state: the previous ones, with the scored skills updated. */
  readonly states: Map<string, SkillGovernanceState>;
  /** Status changes, sorted by skill id. */
  readonly transitions: SkillStatusTransition[];
  /** How many skills had outcomes in this tick. */
  readonly scored: number;
}

/**
 * One governance tick's scoring, pure. Outcomes are counted once per (task, skill) pair (a task
 * that used a skill twice is one sample; when a pair repeats, its last outcome counts). A retired
 * skill stays retired whatever its new score: only a person revives it (see `GovernanceStore.reset`).
 * @public
 */
export function scoreSkills(
  previous: ReadonlyMap<string, SkillGovernanceState>,
  outcomes: readonly SkillUseOutcome[],
  now: Date,
): SkillScoring {
  const pairs = new Map<string, SkillUseOutcome>();
  for (const outcome of outcomes) pairs.set(JSON.stringify([outcome.taskId, outcome.skillId]), outcome);
  const counts = new Map<string, { success: number; fail: number }>();
  for (const { skillId, outcome } of pairs.values()) {
    const count = counts.get(skillId) ?? { success: 0, fail: 0 };
    count[outcome] += 1;
    counts.set(skillId, count);
  }

  const scoredAt = now.toISOString();
  const states = new Map(previous);
  const transitions: SkillStatusTransition[] = [];
  for (const [skillId, { success, fail }] of [...counts].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
    const old = previous.get(skillId) ?? initialGovernanceState(skillId);
    const raw = (success - GOVERNANCE_THRESHOLDS.failWeight * fail) / (success + fail);
    const target = clamp((raw + 1) / 2);
    const qualityScore = clamp(
      GOVERNANCE_THRESHOLDS.previousWeight * finiteOr(old.qualityScore, GOVERNANCE_THRESHOLDS.initialScore) +
        (1 - GOVERNANCE_THRESHOLDS.previousWeight) * target,
    );
    const samples = old.samples + success + fail;
    const status = old.status === 'retired' ? 'retired' : statusFor(qualityScore, samples);
    states.set(skillId, {
      ...old,
      qualityScore,
      samples,
      status,
      canaryRatio: CANARY_RATIO_BY_STATUS[status],
      lastScoredAt: scoredAt,
    });
    if (status !== old.status) transitions.push({ skillId, from: old.status, to: status });
  }
  return { states, transitions, scored: counts.size };
}

/** The status a score and sample count earn (before the "retired stays retired" rule). @public */
export function statusFor(qualityScore: number, samples: number): SkillGovernanceStatus {
  const t = GOVERNANCE_THRESHOLDS;
  if (samples >= t.retireSamples && qualityScore < t.retireBelow) return 'retired';
  if (samples >= t.quarantineSamples && qualityScore < t.quarantineBelow) return 'quarantine';
  if (qualityScore < t.watchBelow) return 'watch';
  return 'active';
}

function clamp(value: number): number {
  return Math.min(1, Math.max(0, value));
}

function finiteOr(value: number, fallback: number): number {
  return Number.isFinite(value) ? value : fallback;
}

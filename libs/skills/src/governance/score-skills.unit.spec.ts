import { describe, expect, it } from 'vitest';
import {
  GOVERNANCE_THRESHOLDS,
  initialGovernanceState,
  type SkillGovernanceState,
  type SkillUseOutcome,
} from './governance.types.js';
import { recordSkillUse } from './record-use.js';
import { scoreSkills, statusFor } from './score-skills.js';

const ID = 'data:flaky';
const at = (day: number): Date => new Date(Date.UTC(2026, 10, day));

let taskCounter = 0;
function outcomes(count: number, outcome: 'success' | 'fail', skillId = ID): SkillUseOutcome[] {
  return Array.from({ length: count }, () => ({ skillId, taskId: `t${String(taskCounter++)}`, outcome }));
}

describe('scoreSkills', () => {
  it('applies the formula: raw, target, 0.8·old + 0.2·target, samples', () => {
    // 3 successes, 1 failure: raw = (3 − 0.7)/4 = 0.575, target = 0.7875, score = 0.4 + 0.1575.
    const { states, scored } = scoreSkills(new Map(), [...outcomes(3, 'success'), ...outcomes(1, 'fail')], at(1));
    expect(scored).toBe(1);
    const state = states.get(ID);
    expect(state?.qualityScore).toBeCloseTo(0.5575, 10);
    expect(state).toMatchObject({ samples: 4, status: 'watch', canaryRatio: 1, lastScoredAt: at(1).toISOString() });
  });

  it('moves a failing skill active → watch → quarantine → retired, and retired stays retired', () => {
    let states = new Map<string, SkillGovernanceState>([[ID, initialGovernanceState(ID)]]);
    const seen: string[] = [];
    const tick = (batch: SkillUseOutcome[], day: number): void => {
      const result = scoreSkills(states, batch, at(day));
      states = result.states;
      seen.push(...result.transitions.map((t) => `${t.from}→${t.to}`));
    };
    tick(outcomes(1, 'fail'), 1); // 0.43, 1 sample: watch
    expect(states.get(ID)).toMatchObject({ status: 'watch', canaryRatio: 1 });
    tick(outcomes(9, 'fail'), 2); // 0.374, 10 samples: quarantine
    expect(states.get(ID)).toMatchObject({
      status: 'quarantine',
      canaryRatio: GOVERNANCE_THRESHOLDS.quarantineCanaryRatio,
    });
    tick(outcomes(20, 'fail'), 3); // 0.329, 30 samples: still above 0.30
    expect(states.get(ID)?.status).toBe('quarantine');
    tick(outcomes(1, 'fail'), 4); // 0.293: retired
    expect(states.get(ID)).toMatchObject({ status: 'retired', canaryRatio: 0, samples: 31 });
    expect(seen).toEqual(['active→watch', 'watch→quarantine', 'quarantine→retired']);

    for (let day = 5; day < 25; day++) tick(outcomes(10, 'success'), day);
    expect(states.get(ID)?.qualityScore).toBeGreaterThan(0.9);
    expect(states.get(ID)).toMatchObject({ status: 'retired', canaryRatio: 0 });
    expect(seen).toHaveLength(3);
  });

  it('recovers a watched skill to active, reporting the transition', () => {
    const previous = new Map([
      [ID, { ...initialGovernanceState(ID), qualityScore: 0.55, samples: 5, status: 'watch' as const }],
    ]);
    const { states, transitions } = scoreSkills(previous, outcomes(5, 'success'), at(1));
    expect(states.get(ID)?.qualityScore).toBeCloseTo(0.64, 10);
    expect(transitions).toEqual([{ skillId: ID, from: 'watch', to: 'active' }]);
  });

  it('counts a (task, skill) pair once, and leaves skills without outcomes untouched', () => {
    const other = { ...initialGovernanceState('builtin:other'), usageCount: 7 };
    const duplicate: SkillUseOutcome = { skillId: ID, taskId: 'same', outcome: 'success' };
    const { states, scored, transitions } = scoreSkills(
      new Map([[other.skillId, other]]),
      [duplicate, duplicate],
      at(1),
    );
    expect(scored).toBe(1);
    expect(states.get(ID)?.samples).toBe(1);
    expect(states.get(ID)?.qualityScore).toBeCloseTo(0.6, 10);
    expect(states.get(other.skillId)).toBe(other);
    expect(transitions).toEqual([]);
  });

  it('reports transitions sorted by skill id', () => {
    const { transitions } = scoreSkills(
      new Map(),
      [...outcomes(1, 'fail', 'z:skill'), ...outcomes(1, 'fail', 'a:skill')],
      at(1),
    );
    expect(transitions.map((t) => t.skillId)).toEqual(['a:skill', 'z:skill']);
  });

  it('does not change the previous map', () => {
    const previous = new Map([[ID, initialGovernanceState(ID)]]);
    scoreSkills(previous, outcomes(3, 'fail'), at(1));
    expect(previous.get(ID)).toEqual(initialGovernanceState(ID));
  });
});

describe('statusFor', () => {
  it.each([
    [0.29, 30, 'retired'],
    [0.29, 29, 'quarantine'],
    [0.44, 10, 'quarantine'],
    [0.44, 9, 'watch'],
    [0.59, 100, 'watch'],
    [0.6, 100, 'active'],
  ] as const)('score %d with %d samples → %s', (score, samples, status) => {
    expect(statusFor(score, samples)).toBe(status);
  });
});

describe('recordSkillUse', () => {
  it('counts each skill once per call and stamps lastUsedAt, creating records as needed', () => {
    const before = new Map([[ID, { ...initialGovernanceState(ID), usageCount: 2 }]]);
    const after = recordSkillUse(before, [ID, 'builtin:new', ID], at(3));
    expect(after.get(ID)).toMatchObject({ usageCount: 3, lastUsedAt: at(3).toISOString() });
    expect(after.get('builtin:new')).toMatchObject({ usageCount: 1, status: 'active', qualityScore: 0.5 });
    expect(before.get(ID)?.usageCount).toBe(2);
  });
});

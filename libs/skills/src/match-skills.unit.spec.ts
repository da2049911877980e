import { describe, expect, it } from 'vitest';
import { canaryBucket } from './canary.js';
import { initialGovernanceState, type SkillGovernanceState } from './governance/governance.types.js';
import { isSkillAllowed, matchSkills } from './match-skills.js';
import { testSkill } from '../test/test-skills.js';

const review = testSkill('review', '# Review\n<!-- trigger-patterns: Code Review, pull request -->');
const build = testSkill('build-fix', '# Build\n<!-- trigger-patterns: build fail -->');
const silent = testSkill('silent', '# No triggers here, review or not');

const noGovernance = { governance: () => undefined, canaryKey: 'task-1' };

function stateOf(status: SkillGovernanceState['status'], canaryRatio: number): SkillGovernanceState {
  return { ...initialGovernanceState(review.id), status, canaryRatio };
}

describe('matchSkills', () => {
  it('matches a trigger pattern as a case-insensitive substring, keeping the given order', () => {
    expect(matchSkills([build, review, silent], 'Please do a CODE REVIEW of PR 12', noGovernance)).toEqual([review]);
    expect(matchSkills([build, review], 'the build failed; see the Pull Request', noGovernance)).toEqual([
      build,
      review,
    ]);
    expect(matchSkills([build, review], 'rename a variable', noGovernance)).toEqual([]);
  });

  it('never auto-matches a skill without trigger patterns', () => {
    expect(silent.triggerPatterns).toEqual([]);
    expect(matchSkills([silent], 'review No triggers here', noGovernance)).toEqual([]);
  });

  it('lets active and watched skills in, never retired ones', () => {
    const text = 'code review';
    expect(matchSkills([review], text, { governance: () => stateOf('active', 1), canaryKey: 'k' })).toEqual([review]);
    expect(matchSkills([review], text, { governance: () => stateOf('watch', 1), canaryKey: 'k' })).toEqual([review]);
    expect(matchSkills([review], text, { governance: () => stateOf('retired', 0), canaryKey: 'k' })).toEqual([]);
    // Retired means never, whatever ratio a hand-edited record claims.
    expect(isSkillAllowed(review.id, stateOf('retired', 1), 'k')).toBe(false);
  });

  it('lets a quarantined skill into its canary share only, the same answer for the same key', () => {
    const quarantined = stateOf('quarantine', 0.1);
    const keys = Array.from({ length: 2000 }, (_, i) => `task-${String(i)}`);
    const admitted = keys.filter((key) => isSkillAllowed(review.id, quarantined, key));
    expect(admitted.length / keys.length).toBeGreaterThanOrEqual(0.06);
    expect(admitted.length / keys.length).toBeLessThanOrEqual(0.14);
    for (const key of keys.slice(0, 200))
      expect(isSkillAllowed(review.id, quarantined, key)).toBe(isSkillAllowed(review.id, quarantined, key));
    // matchSkills applies exactly this gate.
    const inside = admitted[0] ?? '';
    const outside = keys.find((key) => !admitted.includes(key)) ?? '';
    expect(matchSkills([review], 'code review', { governance: () => quarantined, canaryKey: inside })).toEqual([
      review,
    ]);
    expect(matchSkills([review], 'code review', { governance: () => quarantined, canaryKey: outside })).toEqual([]);
  });

  it('asks governance by skill id', () => {
    const asked: string[] = [];
    matchSkills([review, build], 'code review, build fail', {
      governance: (id) => {
        asked.push(id);
        return undefined;
      },
      canaryKey: 'k',
    });
    expect(asked).toEqual(['builtin:review', 'builtin:build-fix']);
  });
});

describe('canaryBucket', () => {
  it('is deterministic, in [0, 1), and depends on both the id and the key', () => {
    const bucket = canaryBucket('data:x', 'task-1');
    expect(canaryBucket('data:x', 'task-1')).toBe(bucket);
    expect(bucket).toBeGreaterThanOrEqual(0);
    expect(bucket).toBeLessThan(1);
    expect(canaryBucket('data:y', 'task-1')).not.toBe(bucket);
    expect(canaryBucket('data:x', 'task-2')).not.toBe(bucket);
  });

  it('is the first 4 bytes of sha256("<id>\\n<key>") over 2^32', () => {
    // sha256("a\nb") = 7e18f737…
    expect(canaryBucket('a', 'b')).toBe(0x7e18f737 / 2 ** 32);
  });
});

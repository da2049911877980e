import { describe, expect, it } from 'vitest';
import { decodeGovernance, encodeGovernance } from './governance-codec.js';
import { InMemoryGovernanceStore } from './governance-store.js';
import { initialGovernanceState, type SkillGovernanceState } from './governance.types.js';

const state = (id: string, extra: Partial<SkillGovernanceState> = {}): SkillGovernanceState => ({
  ...initialGovernanceState(id),
  ...extra,
});

describe('InMemoryGovernanceStore', () => {
  it('records uses, and resets a record so the skill starts afresh', async () => {
    const store = new InMemoryGovernanceStore([state('data:x', { status: 'retired', canaryRatio: 0, samples: 40 })]);
    await store.recordUse(['data:x', 'builtin:y'], new Date('2026-11-01T00:00:00Z'));
    expect((await store.load()).get('data:x')).toMatchObject({ usageCount: 1, status: 'retired' });
    await store.reset(['data:x']);
    const states = await store.load();
    expect(states.has('data:x')).toBe(false);
    expect(states.get('builtin:y')?.usageCount).toBe(1);
  });

  it('runs updates one after another, so concurrent uses are all counted', async () => {
    const store = new InMemoryGovernanceStore();
    await Promise.all(Array.from({ length: 20 }, () => store.recordUse(['data:x'], new Date(0))));
    expect((await store.load()).get('data:x')?.usageCount).toBe(20);
  });

  it('keeps working after an update that failed', async () => {
    const store = new InMemoryGovernanceStore();
    await expect(
      store.update(() => {
        throw new Error('boom');
      }),
    ).rejects.toThrow('boom');
    await store.recordUse(['data:x'], new Date(0));
    expect((await store.load()).get('data:x')?.usageCount).toBe(1);
  });

  it('hands out copies: changing a loaded map does not change the store', async () => {
    const store = new InMemoryGovernanceStore([state('data:x')]);
    (await store.load()).delete('data:x');
    expect((await store.load()).has('data:x')).toBe(true);
  });
});

describe('the governance file format', () => {
  it('round-trips states, sorted by id', () => {
    const states = new Map([
      ['z:b', state('z:b', { lastScoredAt: '2026-11-01T00:00:00.000Z', qualityScore: 0.25, samples: 31 })],
      ['a:a', state('a:a', { lastUsedAt: '2026-11-02T00:00:00.000Z', usageCount: 3 })],
    ]);
    const text = encodeGovernance(states);
    expect(text.indexOf('"a:a"')).toBeLessThan(text.indexOf('"z:b"'));
    const decoded = decodeGovernance(text);
    expect(decoded.ok && [...decoded.value]).toEqual([...states].reverse());
  });

  it.each([
    ['not JSON', '{', /not valid JSON/],
    ['another version', '{"version":2,"skills":{}}', /format version 2/],
    ['no skills object', '{"version":1,"skills":[]}', /"skills" is not an object/],
    [
      'a mismatched id',
      '{"version":1,"skills":{"a:x":{"skillId":"a:y","qualityScore":0.5,"samples":0,"status":"active","canaryRatio":1,"usageCount":0}}}',
      /"skillId" is "a:y"/,
    ],
    [
      'a score out of range',
      '{"version":1,"skills":{"a:x":{"skillId":"a:x","qualityScore":1.5,"samples":0,"status":"active","canaryRatio":1,"usageCount":0}}}',
      /qualityScore/,
    ],
    [
      'an unknown status',
      '{"version":1,"skills":{"a:x":{"skillId":"a:x","qualityScore":0.5,"samples":0,"status":"banned","canaryRatio":1,"usageCount":0}}}',
      /"status" is not one of/,
    ],
    [
      'fractional samples',
      '{"version":1,"skills":{"a:x":{"skillId":"a:x","qualityScore":0.5,"samples":1.5,"status":"active","canaryRatio":1,"usageCount":0}}}',
      /"samples"/,
    ],
    [
      'a bad instant',
      '{"version":1,"skills":{"a:x":{"skillId":"a:x","qualityScore":0.5,"samples":1,"status":"active","canaryRatio":1,"usageCount":0,"lastUsedAt":"soon"}}}',
      /"lastUsedAt"/,
    ],
  ])('refuses %s', (_what, text, message) => {
    const decoded = decodeGovernance(text);
    expect(decoded.ok).toBe(false);
    if (!decoded.ok) expect(decoded.error).toMatch(message);
  });
});

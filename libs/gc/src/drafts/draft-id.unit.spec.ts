import { describe, expect, it } from 'vitest';
import { draftBranch, draftShortId, isDraftId, isDraftShortId, newDraftId } from './draft-id.js';

describe('draft ids', () => {
  it('are 12 lowercase hex characters, different each time', () => {
    const ids = new Set(Array.from({ length: 50 }, () => newDraftId()));
    expect(ids.size).toBe(50);
    for (const id of ids) expect(isDraftId(id)).toBe(true);
  });

  it('refuses anything else, path-like text first of all', () => {
    for (const bad of [
      '../x',
      '0123456789AB',
      '0123456789a',
      '0123456789abc',
      '0123456789ab.json',
      '',
      'a/23456789ab',
    ]) {
      expect(isDraftId(bad)).toBe(false);
    }
    expect(isDraftShortId('01234567')).toBe(true);
    expect(isDraftShortId('0123456')).toBe(false);
    expect(isDraftShortId('0123456789ab')).toBe(false);
  });

  it('name a short id and a branch from the first 8 characters', () => {
    expect(draftShortId('0123456789ab')).toBe('01234567');
    expect(draftBranch('0123456789ab')).toBe('harness/gc-01234567');
  });
});

import { describe, expect, it } from 'vitest';
import { classifyTask } from './task-classifier.js';

describe('classifyTask', () => {
  it('finds a short, narrow task simple', () => {
    expect(classifyTask({ title: 'Fix typo in README', text: 'The word "teh" in README.md should be "the".' })).toEqual(
      { complexity: 'simple', reasons: [] },
    );
  });

  it('marks complex work by label, title, size and files mentioned', () => {
    expect(classifyTask({ title: 'Bug', text: 'x', labels: ['bug', 'Security'] }).reasons).toEqual(['label Security']);
    expect(classifyTask({ title: 'Refactor the queue', text: 'x' }).complexity).toBe('complex');
    expect(classifyTask({ title: 'Do it', text: 'y'.repeat(4001) }).reasons).toEqual([
      '4001 characters of description',
    ]);
    const files = 'Touch src/a.ts, src/b.ts, lib/c.py, main.go and docs/api.md.';
    expect(classifyTask({ title: 'Update', text: files }).reasons).toEqual(['5 files mentioned']);
  });

  it('reads only the first 20,000 characters of a text for file mentions', () => {
    const files = 'src/a.ts src/b.ts src/c.ts src/d.ts src/e.ts';
    expect(classifyTask({ title: 't', text: `${' '.repeat(19_000)}${files}` }).reasons).toEqual([
      '19044 characters of description',
      '5 files mentioned',
    ]);
    expect(classifyTask({ title: 't', text: `${' '.repeat(20_000)}${files}` }).reasons).toEqual([
      '20044 characters of description',
    ]);
  });
});

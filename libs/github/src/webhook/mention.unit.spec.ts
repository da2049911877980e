import { describe, expect, it } from 'vitest';
import { parseMention } from './mention.js';

describe('parseMention', () => {
  it('reads the command after the first @harness, skipping ": , - ." and ignoring case', () => {
    expect(parseMention('@harness please fix the parser')).toEqual({
      command: 'mention',
      args: 'please fix the parser',
    });
    expect(parseMention('Hi!\n@Harness: review')).toEqual({ command: 'review', args: '' });
    expect(parseMention('@HARNESS, fix ci now')).toEqual({ command: 'fix_ci', args: 'now' });
    expect(parseMention('@harness - fix-ci')).toEqual({ command: 'fix_ci', args: '' });
    expect(parseMention('@harness. fix_ci')).toEqual({ command: 'fix_ci', args: '' });
    expect(parseMention('(@harness review this)')).toEqual({ command: 'review', args: 'this)' });
    expect(parseMention('@harness')).toEqual({ command: 'mention', args: '' });
  });

  it('reads approve and reject, with what follows as the reason', () => {
    expect(parseMention('@harness approve')).toEqual({ command: 'approve', args: '' });
    expect(parseMention('LGTM\n@Harness reject: too risky')).toEqual({ command: 'reject', args: 'too risky' });
    expect(parseMention('@harness approved it')).toEqual({ command: 'mention', args: 'approved it' });
    expect(parseMention('> @harness approve')).toBeUndefined();
  });

  it('is a plain mention when the words only start like a command', () => {
    expect(parseMention('@harness reviewed it')).toEqual({ command: 'mention', args: 'reviewed it' });
    expect(parseMention('@harness fix cinema')).toEqual({ command: 'mention', args: 'fix cinema' });
  });

  it('finds no mention in longer names, addresses, paths, quotes and code', () => {
    for (const body of [
      '',
      'no mention here',
      '@harness-bot review',
      '@harnessing the power',
      'mail me at ops@harness.example',
      'see https://github.com/@harness/x and a/@harness',
      '> @harness review\n> quoted from above',
      'use `@harness review` to ask',
      '```\n@harness fix ci\n```',
      '~~~md\n@harness\n~~~',
    ]) {
      expect(parseMention(body), body).toBeUndefined();
    }
    expect(parseMention('```\n@harness fix ci\n```\n@harness review')).toEqual({ command: 'review', args: '' });
  });
});

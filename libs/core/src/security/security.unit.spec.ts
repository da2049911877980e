import { describe, expect, it } from 'vitest';
import { commandEnv, gitEnv } from './child-env.js';
import { isSafeBranchName } from './ref-name.js';
import { REDACTED_SECRET, SecretRedactor, secretValues } from './secret-redactor.js';

describe('isSafeBranchName', () => {
  it('accepts ordinary branch names', () => {
    for (const name of ['main', 'release/1.2', 'feature/x_y-z', 'harness/0123abcd-fix-it', 'v1.0'])
      expect(isSafeBranchName(name), name).toBe(true);
  });

  it('refuses option-like names and what git check-ref-format refuses', () => {
    const bad = [
      '--upload-pack=touch /tmp/pwned',
      '-b',
      '',
      'a..b',
      'a b',
      'a~1',
      'a^',
      'a:b',
      'a?',
      'a*',
      'a[b',
      'a\\b',
      '/a',
      'a/',
      'a.',
      '.a',
      'a/.b',
      'a.lock',
      'a/b.lock/c',
      '@',
      'a@{1}',
      'a//b',
      'a\u0000b',
      'a\nb',
      'x'.repeat(256),
    ];
    for (const name of bad) expect(isSafeBranchName(name), JSON.stringify(name)).toBe(false);
  });
});

describe('child environments', () => {
  const base = {
    PATH: '/bin',
    HOME: '/home/u',
    LC_ALL: 'C',
    GITHUB_TOKEN: 'ghp_canary',
    HARNESS_API_TOKEN: 'h',
    ANTHROPIC_API_KEY: 'sk',
    SSH_AUTH_SOCK: '/s',
    RANDOM_THING: 'x',
  };

  it('gives validation commands the allow-list and the configured env only', () => {
    expect(commandEnv(base, { NODE_ENV: 'test' })).toEqual({
      PATH: '/bin',
      HOME: '/home/u',
      LC_ALL: 'C',
      NODE_ENV: 'test',
    });
  });

  it('gives git what it needs to reach remotes, and no secret', () => {
    expect(gitEnv(base)).toEqual({ PATH: '/bin', HOME: '/home/u', LC_ALL: 'C', SSH_AUTH_SOCK: '/s' });
  });
});

describe('SecretRedactor', () => {
  it('finds secrets by configuration and by variable name, ignoring short values', () => {
    expect(
      secretValues(
        { GITHUB_TOKEN: 'ghp_0123456789', MY_PASSWORD: 'hunter2hunter2', SHORT_TOKEN: 'abc', PATH: '/usr/bin:/bin' },
        ['sk-ant-0123456789', undefined],
      ).sort(),
    ).toEqual(['ghp_0123456789', 'hunter2hunter2', 'sk-ant-0123456789']);
  });

  it('redacts every occurrence in text and nested values, longest secret first', () => {
    const redactor = new SecretRedactor(['ghp_0123456789', 'ghp_0123456789_long']);
    expect(redactor.text('a ghp_0123456789_long b ghp_0123456789')).toBe(`a ${REDACTED_SECRET} b ${REDACTED_SECRET}`);
    expect(redactor.value({ out: ['GITHUB_TOKEN=ghp_0123456789'], n: 1, ok: true, none: null })).toEqual({
      out: [`GITHUB_TOKEN=${REDACTED_SECRET}`],
      n: 1,
      ok: true,
      none: null,
    });
  });
});

import { describe, expect, it } from 'vitest';
import { resolveConfig } from './resolve-config.js';

const base = { homeDir: '/home/ann', cwd: '/work' } as const;

function apiTokenProblems(fileToken: string | undefined, envToken?: string): string[] {
  const result = resolveConfig({
    ...base,
    env: envToken === undefined ? {} : { HARNESS_API_TOKEN: envToken },
    file: {
      path: '/etc/harness/h.toml',
      text: fileToken === undefined ? '' : `[server]\napi_token = ${JSON.stringify(fileToken)}\n`,
    },
  });
  return result.ok ? [] : result.error.problems.filter((p) => p.path === 'server.api_token').map((p) => p.message);
}

describe('server.api_token strength', () => {
  it('refuses a short, whitespace-only or whitespace-holding token from the file', () => {
    expect(apiTokenProblems('s3cret')).toEqual([
      'must be at least 16 characters (e.g. the output of "openssl rand -hex 32")',
    ]);
    expect(apiTokenProblems('                    ')).toEqual(['must not contain whitespace']);
    expect(apiTokenProblems('correct horse battery staple')).toEqual(['must not contain whitespace']);
    expect(apiTokenProblems('0123456789abcdef\n')).toEqual(['must not contain whitespace']);
  });

  it('checks the value in use: HARNESS_API_TOKEN, which wins over the file, is named when it is the weak one', () => {
    expect(apiTokenProblems(undefined, 'short')).toEqual([
      'must be at least 16 characters (e.g. the output of "openssl rand -hex 32") (the value of HARNESS_API_TOKEN)',
    ]);
    expect(apiTokenProblems('short', '0123456789abcdef0123')).toEqual([]);
    expect(apiTokenProblems('0123456789abcdef0123', ' ')).toEqual([
      'must not contain whitespace (the value of HARNESS_API_TOKEN)',
    ]);
  });

  it('accepts 16 characters and more, and never quotes the token', () => {
    expect(apiTokenProblems('0123456789abcdef')).toEqual([]);
    expect(apiTokenProblems(undefined)).toEqual([]);
    const result = resolveConfig({ ...base, env: { HARNESS_API_TOKEN: 'hunter2' }, file: undefined });
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.error.message).not.toContain('hunter2');
  });
});

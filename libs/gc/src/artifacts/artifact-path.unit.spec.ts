import { describe, expect, it } from 'vitest';
import { artifactKindOf, normalizeArtifactPath } from './artifact-path.js';

describe('normalizeArtifactPath', () => {
  it.each([
    ['.harness/guards/no-console.sh', '.harness/guards/no-console.sh'],
    ['./src//a.ts', 'src/a.ts'],
    ['src/./lib/', 'src/lib'],
    ['a..b/c.d', 'a..b/c.d'],
    ['.gitignore', '.gitignore'],
    ['docs/.github/x.md', 'docs/.github/x.md'],
  ])('keeps %j as %j', (input, expected) => {
    expect(normalizeArtifactPath(input)).toEqual({ ok: true, value: expected });
  });

  it.each([
    ['', 'is empty'],
    ['../x', 'leaves its directory'],
    ['a/../../b', 'leaves its directory'],
    ['a/..', 'leaves its directory'],
    ['/etc/passwd', 'is absolute'],
    ['C:\\x', 'absolute Windows path'],
    ['c:x', 'absolute Windows path'],
    ['\\\\server\\share', 'absolute Windows path'],
    ['src\\a.ts', 'backslash'],
    ['.git/hooks/pre-commit', 'inside .git'],
    ['.GIT/config', 'inside .git'],
    ['.git./config', 'inside .git'],
    ['sub/.git/config', 'inside .git'],
    ['a\u0000b', 'control character'],
    ['a\nb', 'control character'],
    ['a\u0085b', 'control character'],
    ['x'.repeat(256), 'longer than 255'],
    ['./', 'names no file'],
    ['.//.', 'names no file'],
  ])('refuses %j (%s)', (input, why) => {
    const result = normalizeArtifactPath(input);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.error).toContain(why);
  });

  it('accepts a path of exactly 255 characters', () => {
    expect(normalizeArtifactPath('x'.repeat(255)).ok).toBe(true);
  });
});

describe('artifactKindOf', () => {
  it.each([
    ['.harness/guards/no-console.sh', 'guard'],
    ['.harness/guards/sub/x.sh', 'file'],
    ['.harness/guards/readme.md', 'file'],
    ['.harness/rules/ts.md', 'rule'],
    ['.harness/rules/team/ts.md', 'rule'],
    ['.harness/rules/ts.toml', 'file'],
    ['.harness/skills/hot-files.md', 'skill'],
    ['.harness/skills/a/b.md', 'file'],
    ['src/index.ts', 'file'],
  ] as const)('%s is a %s', (path, kind) => {
    expect(artifactKindOf(path)).toBe(kind);
  });
});

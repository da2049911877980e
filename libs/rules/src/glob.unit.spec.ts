import { describe, expect, it } from 'vitest';
import { globProblem, matchesGlob, normalizeRelativePath } from './glob.js';

describe('matchesGlob', () => {
  const cases: [pattern: string, file: string, expected: boolean][] = [
    ['*.ts', 'a.ts', true],
    ['*.ts', 'src/a.ts', false],
    ['**/*.ts', 'a.ts', true],
    ['**/*.ts', 'src/deep/a.ts', true],
    ['**/*.ts', 'src/a.tsx', false],
    ['src/**', 'src/a/b/c.rs', true],
    ['src/**', 'lib/a.rs', false],
    ['src/**/*.test.ts', 'src/x.test.ts', true],
    ['src/**/*.test.ts', 'src/a/b/x.test.ts', true],
    ['src/**/*.test.ts', 'srcx/x.test.ts', false],
    ['**', 'anything/at/all', true],
    ['a?c.go', 'abc.go', true],
    ['a?c.go', 'a/c.go', false],
    ['**/*.{ts,tsx}', 'ui/App.tsx', true],
    ['**/*.{ts,tsx}', 'ui/App.jsx', false],
    ['{src,lib}/**/*.py', 'lib/pkg/m.py', true],
    ['{src,lib}/**/*.py', 'tests/m.py', false],
    ['{**/*.go,cmd/*}', 'a/b.go', true],
    ['{a,{b,c}}.md', 'c.md', true],
    ['file[0-9].txt', 'file7.txt', true],
    ['file[!0-9].txt', 'file7.txt', false],
    ['file[!0-9].txt', 'fileA.txt', true],
    ['./src/*.rs', 'src/main.rs', true],
    ['/src/*.rs', 'src/main.rs', true],
    ['src/a+b.(x).ts', 'src/a+b.(x).ts', true],
    ['src/a.ts', 'src/aXts', false],
    ['**/*.ts', '.github/x.ts', true],
    ['**/*.ts', 'src/A.TS', false],
    ['a**b', 'aXXb', true],
    ['a**b', 'a/b', false],
  ];
  it.each(cases)('%s against %s → %s', (pattern, file, expected) => {
    expect(matchesGlob(file, pattern)).toBe(expected);
  });

  it('normalizes the file path before matching and refuses paths out of the root', () => {
    expect(matchesGlob('./src//a.ts', 'src/*.ts')).toBe(true);
    expect(matchesGlob('../src/a.ts', '**')).toBe(false);
    expect(matchesGlob('/etc/passwd', '**')).toBe(false);
  });
});

describe('globProblem', () => {
  it('accepts ordinary globs', () => {
    for (const glob of ['**/*.rs', 'src/{a,b}/**', 'x[abc].md', '*']) expect(globProblem(glob), glob).toBeUndefined();
  });

  it('names what is wrong with a bad glob', () => {
    expect(globProblem('')).toMatch(/empty/);
    expect(globProblem('src/{a,b')).toMatch(/unclosed "\{"/);
    expect(globProblem('src/a}')).toMatch(/"\}" without "\{"/);
    expect(globProblem('file[abc')).toMatch(/unclosed "\["/);
    expect(globProblem('a[b/c]d')).toMatch(/"\/" inside/);
    expect(globProblem('file[z-a]')).toMatch(/invalid "\[\.\.\.\]"/);
    expect(globProblem('../outside/*')).toMatch(/"\.\."/);
    expect(globProblem('src\\a.ts')).toMatch(/"\\"/);
    expect(globProblem('x'.repeat(2000))).toMatch(/longer than/);
  });

  it('an invalid glob matches nothing', () => {
    expect(matchesGlob('src/a', 'src/{a')).toBe(false);
  });
});

describe('normalizeRelativePath', () => {
  it('cleans relative paths and refuses the rest', () => {
    expect(normalizeRelativePath('./a/./b//c.ts')).toBe('a/b/c.ts');
    expect(normalizeRelativePath('a/../b.ts')).toBe('b.ts');
    expect(normalizeRelativePath('dir/')).toBe('dir');
    for (const bad of ['', '.', '..', '../a', 'a/../../b', '/abs', 'a\0b']) {
      expect(normalizeRelativePath(bad), JSON.stringify(bad)).toBeUndefined();
    }
  });
});

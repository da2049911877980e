import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { HARNESS_VERSION } from '@agent-harness/core';
import { describe, expect, it } from 'vitest';

const root = join(import.meta.dirname, '..', '..');
const projectDirs = ['libs', 'apps'].flatMap((group) =>
  readdirSync(join(root, group)).map((name) => join(group, name)),
);

interface PackageJson {
  name: string;
  version: string;
  exports?: Record<string, unknown>;
  files?: string[];
  nx?: { tags?: string[] };
}
const read = (dir: string): PackageJson =>
  JSON.parse(readFileSync(join(root, dir, 'package.json'), 'utf8')) as PackageJson;

describe('workspace packages', () => {
  it('all carry the one Harness version', () => {
    for (const dir of ['.', ...projectDirs]) expect(`${dir}@${read(dir).version}`).toBe(`${dir}@${HARNESS_VERSION}`);
  });

  it.each(projectDirs.filter((d) => d.startsWith('libs/')))(
    '%s is a publishable package with a curated entry point',
    (dir) => {
      const pkg = read(dir);
      expect(pkg.name).toBe(`@agent-harness/${dir.split('/')[1] ?? ''}`);
      // One entry point, and a few narrow ones for the CLI's start-up: core's `./version` (all that
      // `harness --version` loads) and `./errors` (the client commands need no configuration code),
      // runtime's `./config` (commands read the configuration without the composition root), app's
      // `./routes` (the CLI's REST client finds each operation's route without loading them). Test
      // fakes (in-memory stores, store contracts) are `./testing`, never in the main entry point.
      const narrow: Record<string, string[]> = {
        'libs/core': ['./version', './errors'],
        'libs/runtime': ['./config'],
        'libs/app': ['./routes'],
        'libs/gc': ['./testing'],
        'libs/observe': ['./testing'],
        'libs/plans': ['./testing'],
        'libs/review': ['./testing'],
      };
      expect(Object.keys(pkg.exports ?? {})).toEqual(['.', ...(narrow[dir] ?? []), './package.json']);
      expect(pkg.exports?.['.']).toEqual({
        '@agent-harness/source': './src/index.ts',
        types: './dist/index.d.ts',
        default: './dist/index.js',
      });
      if (pkg.exports?.['./testing'] !== undefined) {
        expect(pkg.exports['./testing']).toEqual({
          '@agent-harness/source': './src/testing/index.ts',
          types: './dist/testing/index.d.ts',
          default: './dist/testing/index.js',
        });
        const main = readFileSync(join(root, dir, 'src', 'index.ts'), 'utf8');
        expect(main).not.toMatch(/InMemory\w+|\w+Contract\b/);
      }
      expect(pkg.files).toContain('dist');
      expect(pkg.nx?.tags).toHaveLength(1);
      expect(existsSync(join(root, dir, 'src', 'index.ts'))).toBe(true);
      expect(readFileSync(join(root, dir, 'README.md'), 'utf8')).toMatch(/^# @agent-harness\/\S+\n\n.{40,}/);
    },
  );
});

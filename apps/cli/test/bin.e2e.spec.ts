import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createTempDir, type TempDir } from '@agent-harness/testing';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';

// The committed `harness` entry npm links at install time, before anything is built.
const appRoot = join(import.meta.dirname, '..');
const repoRoot = join(appRoot, '..', '..');
const binPath = join(appRoot, 'bin', 'harness.js');

describe('apps/cli/bin/harness.js', () => {
  let dir: TempDir;
  beforeEach(async () => {
    dir = await createTempDir('harness-bin-');
  });
  afterEach(async () => {
    await dir.cleanup();
  });

  it('is the package bin, shipped, and committed with its execute bit', () => {
    const pkg = JSON.parse(readFileSync(join(appRoot, 'package.json'), 'utf8')) as {
      bin: Record<string, string>;
      files: string[];
    };
    expect(pkg.bin).toEqual({ harness: './bin/harness.js' });
    expect(pkg.files).toContain('bin');
    const staged = spawnSync('git', ['ls-files', '--stage', 'apps/cli/bin/harness.js'], {
      cwd: repoRoot,
      encoding: 'utf8',
    });
    expect(staged.stdout).toMatch(/^100755 /);
    expect(readFileSync(binPath, 'utf8')).toMatch(/^#!\/usr\/bin\/env node\n/);
  });

  it('runs the built CLI', () => {
    const result = spawnSync(binPath, ['--version'], { encoding: 'utf8' });
    expect(result).toMatchObject({ status: 0, stdout: '0.1.0\n' });
  });

  it('says to build first when dist is missing, instead of a module-not-found trace', () => {
    mkdirSync(join(dir.path, 'bin'));
    copyFileSync(binPath, join(dir.path, 'bin', 'harness.js'));
    const result = spawnSync(process.execPath, [join(dir.path, 'bin', 'harness.js'), '--version'], {
      encoding: 'utf8',
    });
    expect(result.status).toBe(1);
    expect(result.stderr).toBe(
      `harness: the CLI is not built yet (${join(dir.path, 'dist', 'main.js')} is missing); run \`npm run build\` first\n`,
    );
  });
});

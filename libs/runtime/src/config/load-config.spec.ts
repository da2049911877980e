import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createTempDir, createTempGitRepo, type TempDir, type TempGitRepo } from '@agent-harness/testing';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { loadConfig } from './load-config.js';

describe('loadConfig (real files and git repositories)', () => {
  let dir: TempDir;
  let repo: TempGitRepo;

  beforeEach(async () => {
    dir = await createTempDir();
    repo = await createTempGitRepo();
  });
  afterEach(async () => {
    await dir.cleanup();
    await repo.cleanup();
  });

  const load = (configPath: string | undefined, cli = {}) =>
    loadConfig({ configPath, cli, env: {}, cwd: dir.path, homeDir: dir.path });

  it('accepts a git repository and stores its real path', () => {
    const link = join(dir.path, 'link');
    symlinkSync(repo.path, link);
    writeFileSync(join(dir.path, 'h.toml'), `[[projects]]\nname = "app"\nroot = "link"\n`);
    const result = load('h.toml');
    expect(result.ok && result.value.projects).toEqual([
      expect.objectContaining({ name: 'app', root: repo.path, default: true }),
    ]);
  });

  it('names a missing file', () => {
    const result = load('nope.toml');
    expect(result.ok).toBe(false);
    if (!result.ok)
      expect(result.error.problems).toEqual([
        { path: '--config', message: `cannot read ${join(dir.path, 'nope.toml')}: no such file` },
      ]);
  });

  it('says which project roots are missing, files or not git repositories', () => {
    mkdirSync(join(dir.path, 'plain'));
    writeFileSync(join(dir.path, 'file.txt'), 'x');
    const result = load(undefined, { projects: ['a=plain', 'b=file.txt', 'c=missing', `d=${repo.path}`] });
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.error.problems.map((p) => p.path)).toEqual([
      '--project a=plain',
      '--project b=file.txt',
      '--project c=missing',
    ]);
    expect(result.error.problems[0]?.message).toContain(`${join(dir.path, 'plain')} is not a git repository`);
    expect(result.error.problems[1]?.message).toBe(`${join(dir.path, 'file.txt')} is not a directory`);
    expect(result.error.problems[2]?.message).toBe(`${join(dir.path, 'missing')} does not exist`);
  });

  it('accepts a linked worktree (whose .git is a file) as a project root', () => {
    const worktree = join(dir.path, 'wt');
    repo.git('worktree', 'add', '--quiet', '-b', 'side', worktree);
    const result = load(undefined, { projectRoot: worktree });
    expect(result.ok && result.value.projects.map((p) => p.root)).toEqual([worktree]);
  });
});

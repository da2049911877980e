import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createTempDir, createTempGitRepo, type TempDir, type TempGitRepo } from '@agent-harness/testing';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { inspectProjectDirectory } from './load-config.js';

describe('inspectProjectDirectory (real git)', () => {
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

  it('accepts the top directory of a repository, as git itself reports it', () => {
    expect(inspectProjectDirectory(repo.path)).toEqual({ kind: 'git-repository', realPath: repo.path });
  });

  it('refuses relative paths: they would mean whatever directory the server runs in', () => {
    // The test runs inside the Harness repository, so "." is a git repository's top directory.
    for (const path of ['.', './', '..', 'apps', '~'])
      expect(inspectProjectDirectory(path)).toEqual({ kind: 'missing' });
  });

  it("refuses a directory that only looks like a repository, and a repository's subdirectory", () => {
    const fake = join(dir.path, 'fake');
    mkdirSync(join(fake, '.git'), { recursive: true });
    expect(inspectProjectDirectory(fake)).toEqual({ kind: 'not-a-git-repository' });
    const sub = join(repo.path, 'sub');
    mkdirSync(sub);
    writeFileSync(join(sub, 'file'), 'x');
    expect(inspectProjectDirectory(sub)).toEqual({ kind: 'not-a-git-repository' });
  });

  it("runs git without the caller's GIT_DIR, which would point it at another repository", () => {
    const plain = join(dir.path, 'plain');
    mkdirSync(plain);
    expect(
      inspectProjectDirectory(plain, {
        PATH: process.env['PATH'],
        GIT_DIR: join(repo.path, '.git'),
        GIT_WORK_TREE: plain,
      }),
    ).toEqual({ kind: 'not-a-git-repository' });
  });
});

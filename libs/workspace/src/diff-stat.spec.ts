import { renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createTempDir, createTempGitRepo, type TempDir, type TempGitRepo } from '@agent-harness/testing';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { GitWorktreeManager, parseNumstat } from './git-worktree-manager.js';

describe('parseNumstat', () => {
  it('reads counts, binary files and paths with tabs or newlines', () => {
    expect(parseNumstat('3\t1\tsrc/a.ts\0-\t-\tlogo.png\x002\t0\tweird\tname\nx.txt\0')).toEqual({
      files: [
        { path: 'src/a.ts', insertions: 3, deletions: 1 },
        { path: 'logo.png', insertions: null, deletions: null },
        { path: 'weird\tname\nx.txt', insertions: 2, deletions: 0 },
      ],
      insertions: 5,
      deletions: 1,
    });
  });

  it('counts a rename once, under its new path, and stops where the records end', () => {
    expect(parseNumstat('0\t0\t\0old\tname.txt\0new name.txt\x001\t2\tb.ts\0 b.ts | 3 ++-\n')).toEqual({
      files: [
        { path: 'new name.txt', insertions: 0, deletions: 0 },
        { path: 'b.ts', insertions: 1, deletions: 2 },
      ],
      insertions: 1,
      deletions: 2,
    });
  });

  it('answers an empty stat for no output and skips records it cannot read', () => {
    expect(parseNumstat('')).toEqual({ files: [], insertions: 0, deletions: 0 });
    expect(parseNumstat('x\ty\tz\0')).toEqual({ files: [], insertions: 0, deletions: 0 });
  });
});

describe('GitWorktreeManager.diffStat (real git)', () => {
  let repo: TempGitRepo;
  let data: TempDir;
  let manager: GitWorktreeManager;

  beforeEach(async () => {
    repo = await createTempGitRepo({ withOrigin: true, files: { 'README.md': 'one\ntwo\nthree\n' } });
    data = await createTempDir('harness-diffstat-');
    manager = new GitWorktreeManager({
      worktreesDir: join(data.path, 'worktrees'),
      env: { PATH: process.env['PATH'], HOME: data.path, ...repo.gitEnv },
    });
  });
  afterEach(async () => {
    await repo.cleanup();
    await data.cleanup();
  });

  it('counts the lines each committed file changed against the base, binary files as null', async () => {
    const tree = await manager.create(repo.path, '0123abcd-task', 'Stat');
    writeFileSync(join(tree.path, 'README.md'), 'one\n2\nthree\nfour\n');
    writeFileSync(join(tree.path, 'new file.txt'), 'a\nb\n');
    writeFileSync(join(tree.path, 'blob.bin'), Buffer.from([0, 1, 2, 0, 255]));
    await manager.commitAll(repo.path, tree.path, 'change');
    const stat = await manager.diffStat(tree.path, tree.base);
    expect([...stat.files].sort((a, b) => (a.path < b.path ? -1 : 1))).toEqual([
      { path: 'README.md', insertions: 2, deletions: 1 },
      { path: 'blob.bin', insertions: null, deletions: null },
      { path: 'new file.txt', insertions: 2, deletions: 0 },
    ]);
    expect(stat).toMatchObject({ insertions: 4, deletions: 1 });
  });

  it('reads the stat and the patch from one git process as the two reads give them', async () => {
    const tree = await manager.create(repo.path, '89abcdef-task', 'Both');
    writeFileSync(join(tree.path, 'README.md'), 'one\n2\nthree\n');
    writeFileSync(join(tree.path, 'tab\tname.txt'), 'x\n');
    writeFileSync(join(tree.path, 'blob.bin'), Buffer.from([0, 1, 2, 0, 255]));
    await manager.commitAll(repo.path, tree.path, 'change');
    renameSync(join(tree.path, 'tab\tname.txt'), join(tree.path, 'moved.txt'));
    await manager.commitAll(repo.path, tree.path, 'rename');
    const both = await manager.diffWithStat(tree.path, tree.base, 100_000);
    expect(both.stat).toEqual(await manager.diffStat(tree.path, tree.base));
    expect(both.stat.files.map((f) => f.path).sort()).toEqual(['README.md', 'blob.bin', 'moved.txt']);
    expect(both.patch).toBe(await manager.diff(tree.path, tree.base, 100_000));
    expect(both.patch).toContain('diff --git a/README.md b/README.md');
    const cut = await manager.diffWithStat(tree.path, tree.base, 40);
    expect(cut.patch).toMatch(/… diff cut at 40 characters$/);
    expect(cut.stat).toEqual(both.stat);
  });

  it('is empty before any commit and refuses a base that is not a branch name', async () => {
    const tree = await manager.create(repo.path, '4567abcd-task', 'Nothing');
    expect(await manager.diffStat(tree.path, tree.base)).toEqual({ files: [], insertions: 0, deletions: 0 });
    await expect(manager.diffStat(tree.path, '--output=/tmp/x')).rejects.toThrow(/not a valid git branch name/);
    await expect(manager.diffWithStat(tree.path, '--output=/tmp/x', 100)).rejects.toThrow(
      /not a valid git branch name/,
    );
  });
});

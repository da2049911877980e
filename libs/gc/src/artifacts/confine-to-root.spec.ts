import { mkdir, realpath, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createTempDir, type TempDir } from '@agent-harness/testing';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { confineToRoot } from './confine-to-root.js';

describe('confineToRoot (real file system)', () => {
  let dir: TempDir;
  let root: string;
  let outside: string;

  beforeEach(async () => {
    dir = await createTempDir('gc-confine-');
    const base = await realpath(dir.path);
    root = join(base, 'project');
    outside = join(base, 'outside');
    await mkdir(join(root, '.harness', 'guards'), { recursive: true });
    await mkdir(join(root, 'src'), { recursive: true });
    await mkdir(outside);
    await writeFile(join(outside, 'secret.txt'), 'secret');
    await writeFile(join(root, 'src', 'a.ts'), 'export {};');
    await writeFile(join(root, 'README.md'), '# app');
    // A directory inside the project that points outside it, one that points inside, and a link file.
    await symlink(outside, join(root, 'escape'));
    await symlink(join(root, 'src'), join(root, 'source'));
    await symlink(join(outside, 'secret.txt'), join(root, 'link.txt'));
    await symlink(join(base, 'nowhere'), join(root, 'dangling'));
  });
  afterEach(async () => {
    await dir.cleanup();
  });

  it('answers the absolute path of a new or existing file inside the project', async () => {
    expect(await confineToRoot(root, '.harness/guards/new.sh')).toEqual({
      ok: true,
      value: join(root, '.harness', 'guards', 'new.sh'),
    });
    expect(await confineToRoot(root, './src//a.ts')).toEqual({ ok: true, value: join(root, 'src', 'a.ts') });
    expect(await confineToRoot(root, 'deep/new/dir/file.md')).toEqual({
      ok: true,
      value: join(root, 'deep', 'new', 'dir', 'file.md'),
    });
  });

  it('follows a symlinked directory that stays inside the project', async () => {
    expect(await confineToRoot(root, 'source/b.ts')).toEqual({ ok: true, value: join(root, 'src', 'b.ts') });
  });

  it('accepts a root that is itself reached through a symlink', async () => {
    const alias = join(dir.path, 'alias');
    await symlink(root, alias);
    expect(await confineToRoot(alias, 'src/a.ts')).toEqual({ ok: true, value: join(root, 'src', 'a.ts') });
  });

  it.each([
    ['escape/new.txt', 'leaves the project root through a symbolic link'],
    ['escape/secret.txt', 'leaves the project root through a symbolic link'],
    ['escape/sub/new.txt', 'leaves the project root through a symbolic link'],
    ['link.txt', 'is a symbolic link'],
    ['escape', 'is a symbolic link'],
    ['dangling/x.txt', 'broken symbolic link'],
    ['README.md/x.txt', 'README.md is not a directory'],
    ['../outside/secret.txt', 'leaves its directory'],
    ['/etc/passwd', 'is absolute'],
    ['.git/config', 'inside .git'],
  ])('refuses %s', async (relative, why) => {
    const result = await confineToRoot(root, relative);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.error).toContain(why);
  });

  it('refuses when the project root does not exist', async () => {
    const result = await confineToRoot(join(dir.path, 'missing'), 'a.txt');
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.error).toContain('cannot be resolved');
  });
});

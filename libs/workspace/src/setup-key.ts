import { createHash } from 'node:crypto';
import { lstatSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * Files at the top of a worktree that say which dependencies its setup installs: lockfiles and the
 * manifests they go with, for the package managers Harness knows.
 */
export const DEPENDENCY_FILES = [
  'package.json',
  'package-lock.json',
  'npm-shrinkwrap.json',
  'yarn.lock',
  '.yarnrc.yml',
  'pnpm-lock.yaml',
  'pnpm-workspace.yaml',
  'bun.lock',
  'bun.lockb',
  'Cargo.toml',
  'Cargo.lock',
  'pyproject.toml',
  'poetry.lock',
  'uv.lock',
  'Pipfile.lock',
  'requirements.txt',
  'go.mod',
  'go.sum',
  'Gemfile.lock',
  'composer.lock',
] as const;

/**
 * What a worktree's dependency folders were made from: the setup commands and the contents of its
 * dependency files (a symbolic link counts by its target's name, never followed). Two worktrees
 * with the same key need the same setup, so a reused one whose key is unchanged skips it.
 * @public
 */
export function setupKey(worktreePath: string, commands: readonly string[]): string {
  const hash = createHash('sha256');
  hash.update(JSON.stringify(commands));
  for (const name of DEPENDENCY_FILES) {
    const file = join(worktreePath, name);
    const stat = lstatSync(file, { throwIfNoEntry: false });
    if (stat === undefined) continue;
    hash.update(`\0${name}\0`);
    hash.update(stat.isFile() ? readFileSync(file) : `(${stat.isSymbolicLink() ? 'link' : 'other'})`);
  }
  return hash.digest('hex');
}

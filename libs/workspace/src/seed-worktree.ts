import { randomUUID } from 'node:crypto';
import { closeSync, constants, lstatSync, mkdirSync, openSync, rmSync, writeSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AppError, confinedRelativePath } from '@agent-harness/core';

/** A file to write into a worktree (see `TaskSeed` in @agent-harness/queue). @public */
export interface SeedFileInput {
  readonly path: string;
  readonly content: string;
  readonly executable?: boolean | undefined;
}

/** A relative path inside a worktree, as POSIX segments (see `confinedRelativePath`); the text comes from an agent's draft. */
function worktreePathSegments(path: string): string[] {
  const checked = confinedRelativePath(path);
  if (!checked.ok) throw new AppError('INVALID_ARGUMENT', `seed path ${JSON.stringify(path)} ${checked.error}`);
  return checked.value.split('/');
}

/**
 * Writes `files` into the worktree: every directory on the way must be a real directory (a
 * symlink committed in the repository cannot redirect the write outside), and an existing
 * symlink is never followed (`O_NOFOLLOW`). Executables get mode 0755.
 * @public
 */
export function writeSeedFiles(worktree: string, files: readonly SeedFileInput[]): void {
  for (const file of files) {
    const segments = worktreePathSegments(file.path);
    let dir = worktree;
    for (const segment of segments.slice(0, -1)) {
      dir = join(dir, segment);
      const stat = lstatOrUndefined(dir);
      if (stat === undefined) mkdirSync(dir);
      else if (!stat.isDirectory() || stat.isSymbolicLink())
        throw new AppError('INVALID_ARGUMENT', `seed path ${JSON.stringify(file.path)} goes through a non-directory`);
    }
    const target = join(dir, segments[segments.length - 1] ?? '');
    const mode = file.executable === true ? 0o755 : 0o644;
    let fd: number;
    try {
      fd = openSync(target, constants.O_WRONLY | constants.O_CREAT | constants.O_TRUNC | constants.O_NOFOLLOW, mode);
    } catch (error) {
      throw new AppError('INVALID_ARGUMENT', `seed path ${JSON.stringify(file.path)} cannot be written (a symlink?)`, {
        cause: error,
      });
    }
    try {
      writeSync(fd, file.content);
    } finally {
      closeSync(fd);
    }
  }
}

/** The files a unified diff names (`--- a/x`, `+++ b/x`), each checked like a seed path. */
export function patchPaths(patch: string): string[] {
  const paths = new Set<string>();
  for (const line of patch.split('\n')) {
    const match = /^(?:---|\+\+\+) (?:[ab]\/)?([^\t\r]+)/.exec(line);
    const path = match?.[1]?.trim();
    if (path === undefined || path === '/dev/null') continue;
    worktreePathSegments(path);
    paths.add(path);
  }
  if (paths.size === 0) throw new AppError('INVALID_ARGUMENT', 'a seed patch names no file');
  return [...paths];
}

/** Writes a patch to a private temporary file for `git apply`, and removes it after `use`. */
export async function withPatchFile<T>(patch: string, use: (file: string) => Promise<T>): Promise<T> {
  const file = join(tmpdir(), `harness-seed-${randomUUID()}.patch`);
  writeFileSync(file, patch.endsWith('\n') ? patch : `${patch}\n`, { mode: 0o600, flag: 'wx' });
  try {
    return await use(file);
  } finally {
    rmSync(file, { force: true });
  }
}

function lstatOrUndefined(path: string): ReturnType<typeof lstatSync> | undefined {
  try {
    return lstatSync(path);
  } catch {
    return undefined;
  }
}

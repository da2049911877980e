import { lstatSync, readdirSync } from 'node:fs';
import { join } from 'node:path';

/** At most this many are named in the refusal. */
const NAMED = 3;

/** Every `.git` below `dir` (not following symbolic links), as paths relative to `base`. */
function gitEntriesBelow(base: string, relativeDir: string, found: string[]): void {
  let entries;
  try {
    entries = readdirSync(join(base, relativeDir), { withFileTypes: true });
  } catch {
    return;
  }
  for (const entry of entries) {
    const path = relativeDir === '' ? entry.name : `${relativeDir}/${entry.name}`;
    if (entry.name === '.git') found.push(path);
    else if (entry.isDirectory()) gitEntriesBelow(base, path, found);
    if (found.length >= NAMED) return;
  }
}

/**
 * The git repositories the agent (or a command) made inside a worktree, where `git add --all` would
 * pick them up: in the untracked, not ignored paths git lists (`git ls-files -o --directory`), and
 * at the worktree's submodule paths. Harness's own git must never work in one: a nested repository
 * has its own config (filters, fsmonitor), which git would run, outside any sandbox, when it looks
 * at the submodule's state. Paths relative to the worktree; empty when there is none.
 */
export function nestedRepositories(
  worktree: string,
  untracked: readonly string[],
  submodules: readonly string[],
): string[] {
  const found: string[] = [];
  for (const path of untracked) {
    const clean = path.endsWith('/') ? path.slice(0, -1) : path;
    if (clean.split('/').includes('.git')) found.push(clean);
    else if (path.endsWith('/')) gitEntriesBelow(worktree, clean, found);
    if (found.length >= NAMED) return found;
  }
  for (const path of submodules)
    if (lstatSync(join(worktree, path, '.git'), { throwIfNoEntry: false }) !== undefined) found.push(`${path}/.git`);
  return found.slice(0, NAMED);
}

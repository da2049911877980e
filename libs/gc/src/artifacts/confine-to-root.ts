import type { Stats } from 'node:fs';
import { lstat, realpath } from 'node:fs/promises';
import { basename, dirname, isAbsolute, join, relative as relativePath, sep } from 'node:path';
import { err, ok, type Result } from '@agent-harness/core';
import { normalizeArtifactPath } from './artifact-path.js';

function errorCode(error: unknown): string | undefined {
  return error instanceof Error && 'code' in error && typeof error.code === 'string' ? error.code : undefined;
}

function isInside(path: string, root: string): boolean {
  const rel = relativePath(root, path);
  return rel === '' || (!isAbsolute(rel) && rel !== '..' && !rel.startsWith(`..${sep}`));
}

interface Ancestor {
  readonly existing: string;
  readonly stats: Stats;
  /** The names below `existing` that do not exist yet. */
  readonly missing: readonly string[];
}

/** The deepest of `path` (inside `root`) and its ancestors that exists, by `lstat` (links not followed). */
async function nearestExisting(path: string, root: string): Promise<Ancestor> {
  const missing: string[] = [];
  let current = path;
  for (;;) {
    try {
      return { existing: current, stats: await lstat(current), missing };
    } catch (error) {
      const code = errorCode(error);
      // ENOTDIR: an ancestor is a file; the loop reaches it and the caller says so.
      if ((code !== 'ENOENT' && code !== 'ENOTDIR') || current === root) throw error;
    }
    missing.unshift(basename(current));
    current = dirname(current);
  }
}

/**
 * Where `relative` (an artifact path) lands inside `root`, checked against the real file system:
 * the path must pass `normalizeArtifactPath`; its nearest existing ancestor, with every symlink
 * resolved, must be `root` (resolved) or inside it, so a symlinked directory pointing outside is
 * refused; and the target itself must not be a symlink. Answers the absolute path (under the
 * resolved root) or why not. A check, not a lock: whoever writes should do so right after.
 * @public
 */
export async function confineToRoot(root: string, relative: string): Promise<Result<string, string>> {
  const normalized = normalizeArtifactPath(relative);
  if (!normalized.ok) return normalized;
  let realRoot: string;
  try {
    realRoot = await realpath(root);
  } catch (error) {
    return err(`cannot be placed: the project root ${root} cannot be resolved (${errorCode(error) ?? String(error)})`);
  }
  const target = join(realRoot, normalized.value);
  let found: Ancestor;
  try {
    found = await nearestExisting(target, realRoot);
  } catch (error) {
    return err(`cannot be checked (${errorCode(error) ?? String(error)})`);
  }
  if (found.missing.length === 0 && found.stats.isSymbolicLink()) return err('is a symbolic link');
  let realAncestor: string;
  let ancestorIsDirectory: boolean;
  try {
    realAncestor = await realpath(found.existing);
    ancestorIsDirectory = (await lstat(realAncestor)).isDirectory();
  } catch (error) {
    // A dangling symlink among the ancestors: it points somewhere that does not exist (yet).
    return err(`passes through a broken symbolic link (${errorCode(error) ?? String(error)})`);
  }
  if (!isInside(realAncestor, realRoot)) return err('leaves the project root through a symbolic link');
  if (found.missing.length > 0 && !ancestorIsDirectory)
    return err(`cannot be created: ${relativePath(realRoot, realAncestor)} is not a directory`);
  return ok(join(realAncestor, ...found.missing));
}

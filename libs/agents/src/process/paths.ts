import { lstatSync, realpathSync } from 'node:fs';
import { dirname, isAbsolute, relative, resolve, sep } from 'node:path';
import { AppError } from '@agent-harness/core';

function isWithin(root: string, path: string): boolean {
  const rel = relative(root, path);
  return rel === '' || (rel !== '..' && !rel.startsWith(`..${sep}`) && !isAbsolute(rel));
}

/**
 * The absolute path of `path` (relative to `root`, or absolute), which must stay inside `root`
 * also after following symlinks of the part that exists. Throws `INVALID_ARGUMENT` otherwise.
 * @public
 */
export function resolvePathInside(root: string, path: string): string {
  const realRoot = realpathSync(root);
  const target = resolve(realRoot, path);
  if (!isWithin(realRoot, target)) throw new AppError('INVALID_ARGUMENT', `refused: ${path} is outside ${realRoot}`);
  // The deepest part that exists, a symbolic link counting as existing even when it points nowhere:
  // writing through a dangling link would create its target, wherever that is.
  let existing = target;
  while (lstatSync(existing, { throwIfNoEntry: false }) === undefined) existing = dirname(existing);
  let real: string;
  try {
    real = realpathSync(existing);
  } catch {
    throw new AppError('INVALID_ARGUMENT', `refused: ${path} goes through a symbolic link that points nowhere`);
  }
  if (!isWithin(realRoot, real)) throw new AppError('INVALID_ARGUMENT', `refused: ${path} leads outside ${realRoot}`);
  return target;
}

import { randomUUID } from 'node:crypto';
import { link, lstat, mkdir, open, rename, rm } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { errorCode } from './read-skill-directory.js';

/** What `writeFileAtomic` did. */
export type AtomicWriteOutcome = 'created' | 'replaced' | 'exists';

/**
 * Writes `text` to `path` so that a reader sees the old file or the new one, never half of it: a
 * temporary file in the same directory (opened `wx`, mode 0600, hidden so listings skip it) is
 * synced, then renamed over `path`. With `replace: false` it is hard-linked instead, which fails
 * when `path` exists: no check-then-write race. The directory is created with mode 0700.
 */
export async function writeFileAtomic(
  path: string,
  text: string,
  options: { readonly replace: boolean },
): Promise<AtomicWriteOutcome> {
  const dir = dirname(path);
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const temporary = join(dir, `.${basename(path)}.${randomUUID()}.tmp`);
  try {
    const handle = await open(temporary, 'wx', 0o600);
    try {
      await handle.writeFile(text, 'utf8');
      await handle.sync();
    } finally {
      await handle.close();
    }
    if (options.replace) {
      const existed = await exists(path);
      await rename(temporary, path);
      return existed ? 'replaced' : 'created';
    }
    try {
      await link(temporary, path);
      return 'created';
    } catch (error) {
      if (errorCode(error) === 'EEXIST') return 'exists';
      // A file system without hard links: check, then rename (a narrow race, but still atomic content).
      if (errorCode(error) !== 'EPERM' && errorCode(error) !== 'ENOTSUP') throw error;
      if (await exists(path)) return 'exists';
      await rename(temporary, path);
      return 'created';
    }
  } finally {
    await rm(temporary, { force: true });
  }
}

async function exists(path: string): Promise<boolean> {
  try {
    await lstat(path);
    return true;
  } catch (error) {
    if (errorCode(error) === 'ENOENT') return false;
    throw error;
  }
}

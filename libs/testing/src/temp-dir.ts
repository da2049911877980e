import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** A directory that exists until `cleanup()`. @public */
export interface TempDir {
  readonly path: string;
  cleanup(): Promise<void>;
}

/** Creates a fresh, empty temporary directory. @public */
export async function createTempDir(prefix = 'harness-test-'): Promise<TempDir> {
  const path = await mkdtemp(join(tmpdir(), prefix));
  return { path, cleanup: () => rm(path, { recursive: true, force: true }) };
}

/** A temporary `[server] data_dir`: the database and worktrees of one test live here. @public */
export function createTempDataDir(): Promise<TempDir> {
  return createTempDir('harness-data-');
}

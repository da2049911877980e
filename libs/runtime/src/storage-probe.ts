import { open, rm } from 'node:fs/promises';
import { join } from 'node:path';

/**
 * Room a probe asks for: a disk with less free than this is still "full" (a task's worktree and its
 * events need far more, and a write that just fits would close the gate again at once).
 */
const PROBE_BYTES = 1024 * 1024;

/**
 * Writes (and syncs, then removes) a small file in `dir`: rejects with `ENOSPC` while the disk has
 * less than a mebibyte free, `EROFS` while it is mounted read-only.
 */
export async function probeDirectoryWrite(dir: string): Promise<void> {
  const file = join(dir, '.write-probe');
  try {
    const handle = await open(file, 'w', 0o600);
    try {
      const { bytesWritten } = await handle.write(Buffer.alloc(PROBE_BYTES));
      // A disk that fills up part way answers a short write, not an error.
      if (bytesWritten < PROBE_BYTES)
        throw Object.assign(new Error(`ENOSPC: no space left on device, write ${file}`), { code: 'ENOSPC' });
      await handle.sync();
    } finally {
      await handle.close();
    }
  } finally {
    await rm(file, { force: true });
  }
}

import { lstatSync, readdirSync, statfsSync } from 'node:fs';
import { join } from 'node:path';

/** Files looked at, at most, to size what a data directory holds (a huge tree is not walked to its end). */
const MAX_FILES_SIZED = 20_000;

/** A byte count for people: `0 B`, `512 KiB`, `7.9 MiB`, `1.2 GiB`. */
function formatBytes(bytes: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  const shown = unit === 0 || value >= 100 ? String(Math.round(value)) : value.toFixed(1);
  return `${shown} ${units[unit] ?? 'B'}`;
}

/** `<dir>: 0 B free of 8.0 MiB`, or undefined when the file system cannot say. @public */
export function freeSpace(dir: string): string | undefined {
  try {
    const stats = statfsSync(dir);
    return `${dir}: ${formatBytes(stats.bavail * stats.bsize)} free of ${formatBytes(stats.blocks * stats.bsize)}`;
  } catch {
    return undefined;
  }
}

/** Bytes under `path` (symbolic links not followed), counting down the shared file budget. */
function sizeOf(path: string, budget: { files: number }): number {
  if (budget.files-- <= 0) return 0;
  try {
    const stats = lstatSync(path);
    if (!stats.isDirectory()) return stats.size;
    return readdirSync(path).reduce((total, name) => total + sizeOf(join(path, name), budget), 0);
  } catch {
    return 0;
  }
}

/**
 * The largest entries of `dir`, biggest first, for a message saying what to free:
 * `worktrees 5.1 MiB, harness.db 216 KiB`; undefined when it holds nothing readable.
 * @public
 */
export function largestEntries(dir: string, count = 3): string | undefined {
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return undefined;
  }
  const budget = { files: MAX_FILES_SIZED };
  const sized = names
    .map((name) => ({ name, bytes: sizeOf(join(dir, name), budget) }))
    .filter((entry) => entry.bytes > 0)
    .sort((a, b) => b.bytes - a.bytes)
    .slice(0, count);
  return sized.length === 0 ? undefined : sized.map((e) => `${e.name} ${formatBytes(e.bytes)}`).join(', ');
}

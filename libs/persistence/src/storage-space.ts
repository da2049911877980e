import { statfsSync } from 'node:fs';

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

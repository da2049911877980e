import { createHash } from 'node:crypto';

/**
 * Where `key` (a task id, say) falls for skill `id`, in [0, 1): the first 4 bytes of
 * sha256(`${id}\n${key}`) over 2^32. Deterministic, so a task gets the same answer every time it
 * is asked, and spread evenly, so a ratio r admits about r of all keys.
 * @public
 */
export function canaryBucket(id: string, key: string): number {
  return createHash('sha256').update(`${id}\n${key}`, 'utf8').digest().readUInt32BE(0) / 2 ** 32;
}

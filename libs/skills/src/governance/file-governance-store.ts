import { lstat } from 'node:fs/promises';
import { AppError } from '@agent-harness/core';
import { writeFileAtomic } from '../atomic-write.js';
import { describe, errorCode, readBounded } from '../read-skill-directory.js';
import { decodeGovernance, encodeGovernance } from './governance-codec.js';
import { GovernanceStore } from './governance-store.js';
import type { SkillGovernanceState } from './governance.types.js';

/** The largest governance file read (thousands of skills fit in far less). */
const MAX_GOVERNANCE_FILE_BYTES = 16 * 1024 * 1024;

/**
 * Governance state as one JSON file (e.g. `<data_dir>/skills/governance.json`; the `.json` name
 * keeps it out of skill discovery). Saved atomically (temporary file, fsync, rename; directory
 * 0700, file 0600). A missing file is an empty history; an unreadable or corrupt one throws
 * `INTERNAL` naming the file: history is never reset silently.
 * @public
 */
export class FileGovernanceStore extends GovernanceStore {
  constructor(readonly file: string) {
    super();
  }

  async load(): Promise<Map<string, SkillGovernanceState>> {
    const read = await readBounded(this.file, MAX_GOVERNANCE_FILE_BYTES);
    if (!read.ok) {
      if (await isMissing(this.file)) return new Map();
      throw new AppError('INTERNAL', `cannot read skill governance file ${this.file}: ${read.message}`, {
        details: { file: this.file },
      });
    }
    const decoded = decodeGovernance(read.value);
    if (!decoded.ok)
      throw new AppError(
        'INTERNAL',
        `skill governance file ${this.file} is corrupt: ${decoded.error}; fix or remove it (its history is not reset automatically)`,
        { details: { file: this.file } },
      );
    return decoded.value;
  }

  async save(states: ReadonlyMap<string, SkillGovernanceState>): Promise<void> {
    try {
      await writeFileAtomic(this.file, encodeGovernance(states), { replace: true });
    } catch (error) {
      throw new AppError('INTERNAL', `could not save skill governance file ${this.file}: ${describe(error)}`, {
        cause: error,
        details: { file: this.file },
      });
    }
  }
}

async function isMissing(path: string): Promise<boolean> {
  try {
    await lstat(path);
    return false;
  } catch (error) {
    return errorCode(error) === 'ENOENT';
  }
}

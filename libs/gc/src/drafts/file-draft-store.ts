import { randomUUID } from 'node:crypto';
import { lstat, mkdir, open, readdir, readFile, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { AppError } from '@agent-harness/core';
import type { Draft } from '../gc.types.js';
import { isDraftId } from './draft-id.js';
import { checkDraft } from './draft-shape.js';

/** A draft file larger than this is refused as corrupt rather than read into memory. @public */
export const MAX_DRAFT_FILE_BYTES = 16 * 1024 * 1024;

const DRAFT_FILE = /^([0-9a-f]{12})\.json$/;

/**
 * Drafts as one pretty JSON file each, `<dir>/<id>.json` (`<data_dir>/drafts`), readable and editable
 * by a person. A write goes to a temporary file in the same directory (created exclusively, mode
 * 0600), is synced, then renamed over the old file: a crash leaves the old draft or the new one,
 * never half a file. What is read back is checked field by field.
 * @public
 */
export class FileDraftStore {
  constructor(readonly dir: string) {}

  /**
   * Writes (or replaces) the draft's file and answers the draft as it will read back. INVALID_ARGUMENT
   * for a draft that would not read back.
   */
  async write(draft: Draft): Promise<Draft> {
    const checked = checkDraft(draft);
    if (!checked.ok) {
      throw new AppError('INVALID_ARGUMENT', `draft ${draft.id} cannot be stored: ${checked.error}`, {
        details: { id: draft.id },
      });
    }
    const path = this.pathOf(draft.id);
    // Hidden names are skipped by ids(), so a temporary file is never taken for a draft.
    const temporary = join(this.dir, `.${draft.id}.${randomUUID()}.tmp`);
    try {
      await mkdir(this.dir, { recursive: true, mode: 0o700 });
      const handle = await open(temporary, 'wx', 0o600);
      try {
        await handle.writeFile(`${JSON.stringify(checked.value, null, 2)}\n`, 'utf8');
        await handle.sync();
      } finally {
        await handle.close();
      }
      await rename(temporary, path);
    } catch (error) {
      await rm(temporary, { force: true });
      throw new AppError('INTERNAL', `could not write draft ${draft.id} to ${path}: ${messageOf(error)}`, {
        cause: error,
      });
    }
    await this.syncDirectory();
    return checked.value;
  }

  /**
   * The draft, or undefined when it has no file. INVALID_ARGUMENT for a malformed id (checked first:
   * it becomes a file name); INTERNAL naming the file when the file is not a draft.
   */
  async read(id: string): Promise<Draft | undefined> {
    const path = this.pathOf(id);
    let text: string;
    try {
      const stats = await lstat(path);
      if (!stats.isFile()) throw corrupt(path, 'it is not a regular file');
      if (stats.size > MAX_DRAFT_FILE_BYTES)
        throw corrupt(path, `it is larger than ${String(MAX_DRAFT_FILE_BYTES)} bytes`);
      text = await readFile(path, 'utf8');
    } catch (error) {
      if (isMissing(error)) return undefined;
      if (error instanceof AppError) throw error;
      throw new AppError('INTERNAL', `could not read draft file ${path}: ${messageOf(error)}`, { cause: error });
    }
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch (error) {
      throw corrupt(path, `it is not JSON (${messageOf(error)})`);
    }
    const checked = checkDraft(parsed);
    if (!checked.ok) throw corrupt(path, checked.error);
    if (checked.value.id !== id) throw corrupt(path, `it holds draft ${checked.value.id}`);
    return checked.value;
  }

  /** The ids of the drafts in the directory, sorted; none when it does not exist yet. */
  async ids(): Promise<string[]> {
    let names: string[];
    try {
      names = await readdir(this.dir);
    } catch (error) {
      if (isMissing(error)) return [];
      throw new AppError('INTERNAL', `could not list the drafts in ${this.dir}: ${messageOf(error)}`, { cause: error });
    }
    return names
      .map((name) => DRAFT_FILE.exec(name)?.[1])
      .filter((id) => id !== undefined)
      .sort();
  }

  /** The file of a draft id. INVALID_ARGUMENT unless the id is 12 lowercase hex characters. */
  pathOf(id: string): string {
    if (!isDraftId(id)) {
      throw new AppError(
        'INVALID_ARGUMENT',
        `${JSON.stringify(id.slice(0, 100))} is not a draft id (12 hex characters)`,
        {
          details: { id: id.slice(0, 100) },
        },
      );
    }
    return join(this.dir, `${id}.json`);
  }

  /** Makes the rename itself durable. Best effort: not every platform can sync a directory. */
  private async syncDirectory(): Promise<void> {
    try {
      const handle = await open(this.dir, 'r');
      try {
        await handle.sync();
      } finally {
        await handle.close();
      }
    } catch {
      // The file's content is synced already; only the rename's durability is at stake.
    }
  }
}

function corrupt(path: string, why: string): AppError {
  return new AppError('INTERNAL', `draft file ${path} is corrupt: ${why}`, { details: { path } });
}

function isMissing(error: unknown): boolean {
  return error instanceof Error && 'code' in error && error.code === 'ENOENT';
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

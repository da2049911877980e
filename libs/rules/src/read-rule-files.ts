import { constants, type Dirent } from 'node:fs';
import { open, readdir, realpath, stat } from 'node:fs/promises';
import { join, sep } from 'node:path';
import { parseRuleFile } from './parse-rule-file.js';
import type { LoadedRuleFile } from './rule-catalogue.js';
import type { RuleProblem, RuleProblemCode, RuleSourceKind } from './rule.types.js';

/** Bounds on what discovery reads: rule directories may come from an untrusted repository. @public */
export interface RuleFileLimits {
  /** Largest rule file read, in bytes (default 256 KiB). */
  readonly maxFileBytes: number;
  /** Most `*.md` files read from one directory tree (default 500). */
  readonly maxFiles: number;
  /** How deep subdirectories are searched (default 4; 0 reads only the directory itself). */
  readonly maxDepth: number;
}

/** @public */
export const DEFAULT_RULE_FILE_LIMITS: RuleFileLimits = { maxFileBytes: 256 * 1024, maxFiles: 500, maxDepth: 4 };

/** Whether `path` is `root` or inside it (both already resolved). */
export function isInside(path: string, root: string): boolean {
  return path === root || path.startsWith(root.endsWith(sep) ? root : root + sep);
}

function errorCode(error: unknown): string | undefined {
  return error instanceof Error && 'code' in error && typeof error.code === 'string' ? error.code : undefined;
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/**
 * Reads and parses every `*.md` file under `dir` (sorted, hidden names skipped). A missing
 * directory is simply empty. Symlinks are followed only when they stay inside the directory;
 * `confinedTo` additionally requires the directory itself to resolve inside that root (a project's
 * `.harness/rules` must not lead elsewhere). Problems are reported, never thrown.
 * @public
 */
export async function readRuleDirectory(
  dir: string,
  kind: RuleSourceKind,
  limits: RuleFileLimits = DEFAULT_RULE_FILE_LIMITS,
  confinedTo?: string,
): Promise<LoadedRuleFile[]> {
  const loaded: LoadedRuleFile[] = [];
  const problem = (code: RuleProblemCode, message: string, path = dir): void => {
    const entry: RuleProblem = { code, message, source: { kind, path } };
    loaded.push({ source: { kind, path }, rules: [], problems: [entry] });
  };
  let root: string;
  try {
    root = await realpath(dir);
    if (!(await stat(root)).isDirectory()) {
      problem('unreadable', `${dir} is not a directory`);
      return loaded;
    }
  } catch (error) {
    if (errorCode(error) !== 'ENOENT') problem('unreadable', `cannot read rule directory ${dir}: ${describe(error)}`);
    return loaded;
  }
  if (confinedTo !== undefined && !isInside(root, await realpath(confinedTo))) {
    problem('unsafe_path', `rule directory ${dir} resolves to ${root}, outside ${confinedTo}; not read`);
    return loaded;
  }

  let filesSeen = 0;
  let isFull = false;
  const read = new Set<string>();
  const walk = async (current: string, shown: string, depth: number): Promise<void> => {
    let entries: Dirent[];
    try {
      entries = await readdir(current, { withFileTypes: true });
    } catch (error) {
      problem('unreadable', `cannot list ${shown}: ${describe(error)}`, shown);
      return;
    }
    entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    for (const entry of entries) {
      if (isFull) return;
      if (entry.name.startsWith('.')) continue;
      const path = join(current, entry.name);
      const shownPath = join(shown, entry.name);
      if (entry.isDirectory()) {
        if (depth < limits.maxDepth) await walk(path, shownPath, depth + 1);
        else problem('too_large', `${shownPath} is nested deeper than ${String(limits.maxDepth)} levels; not read`);
        continue;
      }
      if (!entry.name.endsWith('.md')) continue;
      if (!entry.isFile() && !entry.isSymbolicLink()) {
        problem('unreadable', `${shownPath} is not a regular file; not read`, shownPath);
        continue;
      }
      let target = path;
      if (entry.isSymbolicLink()) {
        try {
          target = await realpath(path);
        } catch (error) {
          problem('unreadable', `cannot follow symlink ${shownPath}: ${describe(error)}`, shownPath);
          continue;
        }
        if (!isInside(target, root)) {
          problem('unsafe_path', `symlink ${shownPath} leads out of ${dir} (to ${target}); not read`, shownPath);
          continue;
        }
      }
      // A symlink and its target in the same tree are one file, read once.
      if (read.has(target)) continue;
      read.add(target);
      filesSeen += 1;
      if (filesSeen > limits.maxFiles) {
        problem('too_large', `${dir} holds more than ${String(limits.maxFiles)} rule files; the rest were not read`);
        isFull = true;
        return;
      }
      const text = await readBounded(target, limits.maxFileBytes);
      const source = { kind, path: shownPath };
      if (text.ok) loaded.push({ source, ...parseRuleFile(text.value, source) });
      else loaded.push({ source, rules: [], problems: [{ code: text.code, message: text.message, source }] });
    }
  };
  await walk(root, dir, 0);
  return loaded;
}

type BoundedRead = { ok: true; value: string } | { ok: false; code: RuleProblemCode; message: string };

/**
 * Reads a regular file of at most `maxBytes`. Opened without following symlinks and without
 * blocking (a FIFO planted in a repository must not hang the scan), then checked with fstat.
 */
async function readBounded(path: string, maxBytes: number): Promise<BoundedRead> {
  let handle;
  try {
    handle = await open(path, constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK);
  } catch (error) {
    return { ok: false, code: 'unreadable', message: `cannot open ${path}: ${describe(error)}` };
  }
  try {
    const info = await handle.stat();
    if (!info.isFile()) return { ok: false, code: 'unreadable', message: `${path} is not a regular file` };
    const tooLarge = `${path} is larger than ${String(maxBytes)} bytes; not read`;
    if (info.size > maxBytes) return { ok: false, code: 'too_large', message: tooLarge };
    const buffer = Buffer.alloc(maxBytes + 1);
    let length = 0;
    for (;;) {
      const { bytesRead } = await handle.read(buffer, length, buffer.length - length, null);
      if (bytesRead === 0) break;
      length += bytesRead;
      if (length > maxBytes) return { ok: false, code: 'too_large', message: tooLarge };
    }
    return { ok: true, value: new TextDecoder('utf-8').decode(buffer.subarray(0, length)) };
  } catch (error) {
    return { ok: false, code: 'unreadable', message: `cannot read ${path}: ${describe(error)}` };
  } finally {
    await handle.close();
  }
}

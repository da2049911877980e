import { constants, type Dirent } from 'node:fs';
import { open, readdir, realpath, stat } from 'node:fs/promises';
import { join, sep } from 'node:path';
import { MAX_SKILL_BYTES, parseSkill } from './parse-skill.js';
import type { Skill, SkillProblem, SkillTier } from './skill.types.js';

/** The most `*.md` files read from one skill directory; a repository may hold anything. @public */
export const MAX_SKILL_FILES_PER_DIR = 500;

/** What one directory (or all of discovery) yielded. @public */
export interface SkillListing {
  readonly skills: Skill[];
  readonly problems: SkillProblem[];
}

/** @public */
export interface ReadSkillDirectoryOptions {
  /** The directory itself must resolve inside this root (a project's `.harness/skills` must not lead elsewhere). */
  readonly confinedTo?: string | undefined;
  /** Default `MAX_SKILL_FILES_PER_DIR`. */
  readonly maxFiles?: number | undefined;
}

/**
 * Reads every `*.md` file directly in `dir` (no recursion, hidden names skipped, sorted by name) as
 * skills of `tier`. A missing directory is empty. Symlinks are followed only to files inside the
 * directory; FIFOs and other special files are never opened. Bad files become problems, never
 * exceptions.
 * @public
 */
export async function readSkillDirectory(
  dir: string,
  tier: SkillTier,
  options: ReadSkillDirectoryOptions = {},
): Promise<SkillListing> {
  const skills: Skill[] = [];
  const problems: SkillProblem[] = [];
  const problem = (message: string, path = dir): void => {
    problems.push({ path, tier, message });
  };

  let root: string;
  try {
    root = await realpath(dir);
    if (!(await stat(root)).isDirectory()) {
      problem(`${dir} is not a directory`);
      return { skills, problems };
    }
    if (options.confinedTo !== undefined && !isInside(root, await realpath(options.confinedTo))) {
      problem(`skill directory ${dir} resolves to ${root}, outside ${options.confinedTo}; not read`);
      return { skills, problems };
    }
  } catch (error) {
    if (errorCode(error) !== 'ENOENT') problem(`cannot read skill directory ${dir}: ${describe(error)}`);
    return { skills, problems };
  }

  let entries: Dirent[];
  try {
    entries = await readdir(root, { withFileTypes: true });
  } catch (error) {
    problem(`cannot list ${dir}: ${describe(error)}`);
    return { skills, problems };
  }
  const candidates = entries
    .filter((entry) => !entry.name.startsWith('.') && entry.name.endsWith('.md'))
    .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  const maxFiles = options.maxFiles ?? MAX_SKILL_FILES_PER_DIR;
  if (candidates.length > maxFiles)
    problem(`${dir} holds ${String(candidates.length)} skill files; only the first ${String(maxFiles)} were read`);

  for (const entry of candidates.slice(0, maxFiles)) {
    const path = join(dir, entry.name);
    const name = entry.name.slice(0, -'.md'.length);
    let target = join(root, entry.name);
    if (entry.isSymbolicLink()) {
      try {
        target = await realpath(target);
      } catch (error) {
        problem(`cannot follow symlink ${path}: ${describe(error)}`, path);
        continue;
      }
      if (!isInside(target, root)) {
        problem(`symlink ${path} leads out of ${dir} (to ${target}); not read`, path);
        continue;
      }
    } else if (!entry.isFile()) {
      problem(`${path} is not a regular file; not read`, path);
      continue;
    }
    const text = await readBounded(target, MAX_SKILL_BYTES);
    if (!text.ok) {
      problem(text.message, path);
      continue;
    }
    const parsed = parseSkill(name, text.value, tier, path);
    if (parsed.ok) skills.push(parsed.value);
    else problem(parsed.error, path);
  }
  return { skills, problems };
}

/** Whether `path` is `root` or inside it (both already resolved). */
function isInside(path: string, root: string): boolean {
  return path === root || path.startsWith(root.endsWith(sep) ? root : root + sep);
}

export function errorCode(error: unknown): string | undefined {
  return error instanceof Error && 'code' in error && typeof error.code === 'string' ? error.code : undefined;
}

export function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

type BoundedRead = { ok: true; value: string } | { ok: false; message: string };

/**
 * Reads a regular file of at most `maxBytes` as UTF-8. Opened without following symlinks and
 * without blocking (a FIFO planted in a repository must not hang discovery), then checked with fstat.
 */
export async function readBounded(path: string, maxBytes: number): Promise<BoundedRead> {
  let handle;
  try {
    handle = await open(path, constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK);
  } catch (error) {
    return { ok: false, message: `cannot open ${path}: ${describe(error)}` };
  }
  try {
    const info = await handle.stat();
    if (!info.isFile()) return { ok: false, message: `${path} is not a regular file; not read` };
    const tooLarge = `${path} is larger than ${String(maxBytes)} bytes; not read`;
    if (info.size > maxBytes) return { ok: false, message: tooLarge };
    const buffer = Buffer.alloc(maxBytes + 1);
    let length = 0;
    for (;;) {
      const { bytesRead } = await handle.read(buffer, length, buffer.length - length, null);
      if (bytesRead === 0) break;
      length += bytesRead;
      if (length > maxBytes) return { ok: false, message: tooLarge };
    }
    try {
      return { ok: true, value: new TextDecoder('utf-8', { fatal: true }).decode(buffer.subarray(0, length)) };
    } catch {
      return { ok: false, message: `${path} is not valid UTF-8; not read` };
    }
  } catch (error) {
    return { ok: false, message: `cannot read ${path}: ${describe(error)}` };
  } finally {
    await handle.close();
  }
}

import { err, ok, type Result } from '@agent-harness/core';
import type { ArtifactKind } from '../gc.types.js';

/** The longest artifact path accepted, in characters (a common file-system name limit). @public */
export const MAX_ARTIFACT_PATH_LENGTH = 255;

// C0 controls (NUL, newline, tab…), DEL and the C1 controls: never part of a path an agent means.
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/;
const DRIVE = /^[A-Za-z]:/;

/** `.git`, also as Windows and macOS would read it (`.GIT`, `.git.`, `.git `). */
function isGitDir(segment: string): boolean {
  return segment.replace(/[. ]+$/, '').toLowerCase() === '.git';
}

/**
 * An artifact path as a relative POSIX path inside the project, decided on the text alone (no
 * file system): refuses empty paths, control characters, absolute paths (`/x`, `C:\x`, `C:x`,
 * `\\host\x`), backslashes, any `..` segment, any `.git` segment (any case) and paths longer than
 * `MAX_ARTIFACT_PATH_LENGTH`; collapses `./` and `//`. The error says why.
 * @public
 */
export function normalizeArtifactPath(path: string): Result<string, string> {
  if (path === '') return err('is empty');
  if (path.length > MAX_ARTIFACT_PATH_LENGTH)
    return err(`is longer than ${String(MAX_ARTIFACT_PATH_LENGTH)} characters`);
  if (CONTROL.test(path)) return err('contains a control character');
  if (path.startsWith('/')) return err('is absolute');
  if (DRIVE.test(path) || path.startsWith('\\')) return err('is an absolute Windows path');
  if (path.includes('\\')) return err('contains a backslash (use "/")');
  const segments = path.split('/').filter((segment) => segment !== '' && segment !== '.');
  if (segments.includes('..')) return err('leaves its directory ("..")');
  if (segments.some(isGitDir)) return err('is inside .git');
  if (segments.length === 0) return err('names no file');
  return ok(segments.join('/'));
}

const GUARD_DIR = '.harness/guards/';
const RULE_DIR = '.harness/rules/';
const SKILL_DIR = '.harness/skills/';

/**
 * What a file at `path` (normalized) is: a guard script directly in `.harness/guards/` (`*.sh`),
 * a rule file under `.harness/rules/` (`*.md`), a skill directly in `.harness/skills/` (`*.md`),
 * else a plain file. Where Harness looks for each decides it: a guard elsewhere is never run.
 * @public
 */
export function artifactKindOf(path: string): Exclude<ArtifactKind, 'patch'> {
  const directlyIn = (dir: string): boolean => path.startsWith(dir) && !path.slice(dir.length).includes('/');
  if (directlyIn(GUARD_DIR) && path.endsWith('.sh')) return 'guard';
  if (path.startsWith(RULE_DIR) && path.endsWith('.md')) return 'rule';
  if (directlyIn(SKILL_DIR) && path.endsWith('.md')) return 'skill';
  return 'file';
}

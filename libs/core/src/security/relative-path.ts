import { err, ok, type Result } from '../result.js';

/** The longest relative path accepted, in characters (a common file-system name limit). @public */
export const MAX_RELATIVE_PATH_LENGTH = 255;

// C0 controls (NUL, newline, tab…), DEL and the C1 controls: never part of a path an agent means.
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/;
const DRIVE = /^[A-Za-z]:/;

/** `.git`, also as Windows and macOS would read it (`.GIT`, `.git.`, `.git `). */
function isGitDir(segment: string): boolean {
  return segment.replace(/[. ]+$/, '').toLowerCase() === '.git';
}

/**
 * A path from outside (an agent's draft) as a relative POSIX path that stays inside its root,
 * decided on the text alone (no file system): refuses empty paths, control characters, absolute
 * paths (`/x`, `C:\x`, `C:x`, `\\host\x`), backslashes, any `..` segment, any `.git` segment (any
 * case) and paths longer than `MAX_RELATIVE_PATH_LENGTH`; collapses `./` and `//`. The error says
 * why. Symlinks are the file system's to check, where the path is used.
 * @public
 */
export function confinedRelativePath(path: string): Result<string, string> {
  if (path === '') return err('is empty');
  if (path.length > MAX_RELATIVE_PATH_LENGTH)
    return err(`is longer than ${String(MAX_RELATIVE_PATH_LENGTH)} characters`);
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

import { MAX_RELATIVE_PATH_LENGTH, confinedRelativePath, type Result } from '@agent-harness/core';
import type { ArtifactKind } from '../gc.types.js';

/** The longest artifact path accepted, in characters (a common file-system name limit). @public */
export const MAX_ARTIFACT_PATH_LENGTH = MAX_RELATIVE_PATH_LENGTH;

/**
 * An artifact path as a relative POSIX path inside the project, decided on the text alone (see
 * `confinedRelativePath`: no absolute path, `..`, `.git` segment or control character). The error
 * says why.
 * @public
 */
export function normalizeArtifactPath(path: string): Result<string, string> {
  return confinedRelativePath(path);
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

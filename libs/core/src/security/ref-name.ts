/**
 * Whether `name` is a branch name git accepts (the rules of `git check-ref-format --branch`) and
 * that can never be read as an option: no leading `-`. Branch names reach git from config files,
 * API requests and GitHub (a pull request's head), so every one is checked before git sees it.
 * @public
 */
export function isSafeBranchName(name: string): boolean {
  if (name === '' || name.length > 255 || name === '@' || name.startsWith('-')) return false;
  // ASCII control characters, space, and ~ ^ : ? * [ \ are never allowed in a ref.
  // eslint-disable-next-line no-control-regex
  if (/[\x00-\x20\x7f~^:?*[\\]/.test(name)) return false;
  if (name.includes('..') || name.includes('@{') || name.includes('//')) return false;
  if (name.startsWith('/') || name.endsWith('/') || name.endsWith('.')) return false;
  return name.split('/').every((part) => !part.startsWith('.') && !part.endsWith('.lock'));
}

/** Why a branch name is refused, for error messages; undefined when it is fine. @public */
export function branchNameProblem(name: string): string | undefined {
  if (isSafeBranchName(name)) return undefined;
  return 'must be a valid git branch name (no leading "-", no spaces, "..", "~^:?*[\\", control characters or ".lock")';
}

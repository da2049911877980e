/** Under the home directory: credentials no agent or project command may read. @public */
export const HOME_SECRETS: readonly string[] = [
  '.ssh',
  '.aws',
  '.azure',
  '.config/gcloud',
  '.config/gh',
  '.config/hub',
  '.config/git/credentials',
  '.git-credentials',
  '.netrc',
  '.docker',
  '.gnupg',
  '.kube',
  '.pypirc',
  '.cargo/credentials',
  '.cargo/credentials.toml',
  '.local/share/keyrings',
];

/**
 * Under the home directory: what Harness's own processes read as they start (git's settings, the
 * shells' start-up files, npm's). An agent able to write them could run code outside its sandbox.
 */
const HOME_STARTUP = [
  '.gitconfig',
  '.config/git',
  '.bashrc',
  '.bash_profile',
  '.profile',
  '.zshrc',
  '.zprofile',
  '.npmrc',
];

/**
 * Why `entry` (a path under the home directory) cannot be an agent's writable state, or undefined:
 * not the home itself, not outside it, neither a credential nor a start-up file, nor a folder
 * holding one (`.config`).
 * @public
 */
export function homeStateProblem(entry: string): string | undefined {
  const parts = entry.split('/').filter((part) => part !== '' && part !== '.');
  if (entry.startsWith('/') || parts.includes('..') || parts.length === 0)
    return `"${entry}" must be a path under the home directory (".myagent")`;
  const normal = parts.join('/');
  const clash = [...HOME_SECRETS, ...HOME_STARTUP].find(
    (protectedPath) =>
      normal === protectedPath || normal.startsWith(`${protectedPath}/`) || protectedPath.startsWith(`${normal}/`),
  );
  return clash === undefined
    ? undefined
    : `"${entry}" would let the agent write ${clash} (credentials or start-up files stay out of its reach)`;
}

/**
 * Environments of the processes Harness starts that run code it does not control: validation
 * commands (`npm test` runs whatever the agent put in package.json) and git (hooks, filters and
 * helpers configured in a repository). They get an allow-list, never Harness's own environment,
 * so GITHUB_TOKEN, HARNESS_API_TOKEN, ANTHROPIC_API_KEY and any other secret of the server stay in it.
 */

type Env = Readonly<Record<string, string | undefined>>;

/** What any program needs to find tools, a home and a locale, plus the usual toolchain homes. */
const BASE_NAMES = [
  'PATH',
  'HOME',
  'USER',
  'LOGNAME',
  'SHELL',
  'LANG',
  'LANGUAGE',
  'TZ',
  'TERM',
  'TMPDIR',
  'NO_COLOR',
  'CARGO_HOME',
  'RUSTUP_HOME',
  'GOPATH',
  'GOROOT',
  'GOCACHE',
  'GOMODCACHE',
  'JAVA_HOME',
  'NVM_DIR',
  'PYENV_ROOT',
  'VIRTUAL_ENV',
];
const BASE_PREFIXES = ['LC_'];

/** What git needs besides: where its config lives, and how to reach remotes (ssh agent, proxies). */
const GIT_NAMES = [
  'GIT_CONFIG_GLOBAL',
  'GIT_CONFIG_NOSYSTEM',
  'XDG_CONFIG_HOME',
  'SSH_AUTH_SOCK',
  'GIT_SSH',
  'GIT_SSH_COMMAND',
  'GIT_AUTHOR_NAME',
  'GIT_AUTHOR_EMAIL',
  'GIT_COMMITTER_NAME',
  'GIT_COMMITTER_EMAIL',
  'HTTP_PROXY',
  'HTTPS_PROXY',
  'NO_PROXY',
  'http_proxy',
  'https_proxy',
  'no_proxy',
];

function pick(base: Env, names: readonly string[]): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [key, value] of Object.entries(base)) {
    if (value !== undefined && (names.includes(key) || BASE_PREFIXES.some((p) => key.startsWith(p)))) env[key] = value;
  }
  return env;
}

/**
 * The environment of a validation command or hook: the allow-list from `base`, then the project's
 * configured `[validation] env` (which may name anything the checks need).
 * @public
 */
export function commandEnv(base: Env, configured: Readonly<Record<string, string>> = {}): Record<string, string> {
  return { ...pick(base, BASE_NAMES), ...configured };
}

/** The environment Harness runs git with: the allow-list plus git's own variables. @public */
export function gitEnv(base: Env): Record<string, string> {
  return pick(base, [...BASE_NAMES, ...GIT_NAMES]);
}

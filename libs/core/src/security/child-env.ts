/**
 * Environments of the processes Harness starts that run code it does not control: agents (and
 * everything they start), validation commands (`npm test` runs whatever the agent put in
 * package.json) and git (hooks, filters and helpers configured in a repository). They get an
 * allow-list, never Harness's own environment, so GITHUB_TOKEN, HARNESS_DATABASE_URL, cloud keys
 * and any other secret of the server stay in it.
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

/** Where git's config lives and who commits: no secret, and what makes git behave the same everywhere. */
const GIT_CONFIG_NAMES = [
  'GIT_CONFIG_GLOBAL',
  'GIT_CONFIG_NOSYSTEM',
  'XDG_CONFIG_HOME',
  'GIT_AUTHOR_NAME',
  'GIT_AUTHOR_EMAIL',
  'GIT_COMMITTER_NAME',
  'GIT_COMMITTER_EMAIL',
];

/** How to reach the network behind a corporate proxy (a proxy URL may hold its own password). */
const PROXY_NAMES = ['HTTP_PROXY', 'HTTPS_PROXY', 'NO_PROXY', 'http_proxy', 'https_proxy', 'no_proxy'];

/**
 * Where the trusted certificates are: behind a TLS-inspecting proxy, an install (`npm ci`, `pip`)
 * or an agent fails on "self-signed certificate in certificate chain" without them. Paths, no secret.
 */
const TRUST_NAMES = [
  'NODE_EXTRA_CA_CERTS',
  'NODE_USE_SYSTEM_CA',
  'SSL_CERT_FILE',
  'SSL_CERT_DIR',
  'REQUESTS_CA_BUNDLE',
  'CURL_CA_BUNDLE',
  'PIP_CERT',
  'GIT_SSL_CAINFO',
];

/** What git needs besides: how to reach remotes (ssh agent, ssh command, proxies). */
const GIT_NAMES = [...GIT_CONFIG_NAMES, 'SSH_AUTH_SOCK', 'GIT_SSH', 'GIT_SSH_COMMAND', ...PROXY_NAMES];

/**
 * What an agent needs besides to reach its model service (proxies, the certificates of a TLS-inspecting
 * proxy) and to run git in its worktree. Not the ssh agent nor ssh commands: agents never push.
 */
const AGENT_NAMES = [
  ...GIT_CONFIG_NAMES,
  ...PROXY_NAMES,
  'ALL_PROXY',
  'all_proxy',
  ...TRUST_NAMES,
  'XDG_CACHE_HOME',
  'XDG_DATA_HOME',
];

function pick(
  base: Env,
  names: readonly string[],
  prefixes: readonly string[] = [],
  except: readonly string[] = [],
): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [key, value] of Object.entries(base)) {
    if (value === undefined || except.includes(key)) continue;
    if (names.includes(key) || [...BASE_PREFIXES, ...prefixes].some((p) => key.startsWith(p))) env[key] = value;
  }
  return env;
}

/**
 * The environment of a validation, setup or hook command: the allow-list from `base` (with where
 * the trusted certificates are), then the project's configured `[validation] env` (which may name
 * anything the checks need).
 * @public
 */
export function commandEnv(base: Env, configured: Readonly<Record<string, string>> = {}): Record<string, string> {
  return { ...pick(base, [...BASE_NAMES, ...TRUST_NAMES]), ...configured };
}

/** The environment Harness runs git with: the allow-list plus git's own variables. @public */
export function gitEnv(base: Env): Record<string, string> {
  return pick(base, [...BASE_NAMES, ...GIT_NAMES]);
}

/**
 * What one agent may take from the server's environment besides the base: its own provider's
 * credentials and settings, by name or by prefix (a prefix is the agent's own namespace, such as
 * `ANTHROPIC_`), minus `except`. Each agent declares its own beside its runner.
 * @public
 */
export interface AgentEnvAllowance {
  readonly names: readonly string[];
  readonly prefixes?: readonly string[] | undefined;
  /** Names the prefixes would let through that must not reach the agent (e.g. nested-session markers). */
  readonly except?: readonly string[] | undefined;
}

/**
 * The environment of an agent process, which everything it starts inherits: from `base` only the
 * allow-list (PATH, HOME, user, shell, locale, TERM, TMPDIR, TZ, toolchain homes, git's config and
 * identity, proxies, TLS certificates) and what `allowance` names, then the `overlays` in order
 * (the configured `[agents.<name>.env]`, then the request's), which are always kept. Nothing else
 * of the server's reaches an agent: not HARNESS_*, database URLs, cloud or GitHub credentials,
 * nor another provider's keys.
 * @public
 */
export function agentEnv(
  base: Env,
  allowance: AgentEnvAllowance,
  ...overlays: (Readonly<Record<string, string>> | undefined)[]
): Record<string, string> {
  const env = pick(base, [...BASE_NAMES, ...AGENT_NAMES, ...allowance.names], allowance.prefixes, allowance.except);
  for (const overlay of overlays) Object.assign(env, overlay);
  return env;
}

import { createPrivateKey } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { ConfigError, type ConfigProblem, type HarnessConfig } from '@agent-harness/core';

// How this server authenticates to GitHub: `[github.app]` (a GitHub App's installation tokens),
// which wins, or GITHUB_TOKEN. Only node:fs and node:crypto: the configuration loader reads the
// App's key with these, and every CLI command loads it (the credentials are in ../github-auth.ts).

const KEY_PATH = 'github.app.private_key_path';

/**
 * The PEM text of `[github.app] private_key_path`, or what is wrong with it (naming the file,
 * never quoting it): missing, unreadable, not a PEM private key, not an RSA key.
 */
function readKey(path: string): { key: string } | { problem: ConfigProblem } {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const reason =
      code === 'ENOENT'
        ? 'no such file'
        : code === 'EACCES'
          ? 'permission denied'
          : code === 'EISDIR'
            ? 'it is a directory'
            : (code ?? 'unreadable');
    return { problem: { path: KEY_PATH, message: `cannot read ${path}: ${reason}` } };
  }
  const notPem = {
    path: KEY_PATH,
    message: `${path} is not a PEM private key: use the .pem file GitHub made for the App (its first line is a BEGIN RSA PRIVATE KEY line)`,
  };
  if (!/-----BEGIN (?:RSA )?PRIVATE KEY-----/.test(text)) return { problem: notPem };
  try {
    const type = createPrivateKey(text).asymmetricKeyType;
    if (type !== 'rsa')
      return {
        problem: { path: KEY_PATH, message: `${path} holds an ${String(type)} key; a GitHub App's key is RSA` },
      };
  } catch {
    return { problem: notPem };
  }
  return { key: text };
}

/** What is wrong with `[github.app]`'s key file, if anything (`loadConfig` reports it with the rest). */
export function githubAppKeyProblem(config: HarnessConfig): ConfigProblem | undefined {
  const app = config.github.app;
  if (app === undefined) return undefined;
  const read = readKey(app.private_key_path);
  return 'problem' in read ? read.problem : undefined;
}

/**
 * The App's private key (PEM text) when `[github.app]` is set; a `ConfigError` naming
 * `github.app.private_key_path` when the file cannot serve. Read before anything else starts.
 * @public
 */
export function readGitHubAppKey(config: HarnessConfig): string | undefined {
  const app = config.github.app;
  if (app === undefined) return undefined;
  const read = readKey(app.private_key_path);
  if ('problem' in read) throw new ConfigError([read.problem]);
  return read.key;
}

/**
 * What the redactor hides of the App's key: the whole PEM, and each line of its body, so a key
 * printed in part (or re-wrapped) is hidden too.
 */
export function privateKeySecrets(pem: string | undefined): string[] {
  if (pem === undefined) return [];
  const body = pem
    .split(/\r?\n/)
    .map((line) => line.trim())
    .filter((line) => line !== '' && !line.startsWith('-----'));
  return [pem, pem.trim(), ...body];
}

/**
 * One line on how GitHub is reached, for the start-up block and `doctor` (no secret in it): the
 * App, and that it wins over a GITHUB_TOKEN also set; the token; or nothing.
 * @public
 */
export function describeGitHubAuth(config: HarnessConfig): string {
  const app = config.github.app;
  if (app === undefined)
    return config.github.token === undefined
      ? 'no GITHUB_TOKEN nor [github.app]: issue and pull request tasks need one'
      : 'personal token (GITHUB_TOKEN)';
  const installation =
    app.installation_id === undefined ? 'installation per repository' : `installation ${String(app.installation_id)}`;
  const both = config.github.token === undefined ? '' : '; GITHUB_TOKEN is set too and unused: the App wins';
  return `GitHub App ${String(app.app_id)} (${installation}, key ${app.private_key_path})${both}`;
}

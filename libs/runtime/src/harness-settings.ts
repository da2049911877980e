import { randomUUID } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { agentDescriptorsOf } from '@agent-harness/agents';
import { secretValues, type HarnessConfig } from '@agent-harness/core';
import type { GitHubCredentials } from '@agent-harness/github';
import type { GitCredentials } from '@agent-harness/workspace';

// What the composition root derives from the configuration beside the parts it builds.

/**
 * Every secret the configuration holds: never stored, streamed or prompted. Of the `env` tables,
 * the values whose names say they are secrets (an `ANTHROPIC_BASE_URL` or `HOME` is not); of the
 * server's environment `env`, the variables an agent is given by name (its `credentials`).
 */
export function configuredSecrets(
  config: HarnessConfig,
  env: Readonly<Record<string, string | undefined>>,
): (string | undefined)[] {
  return [
    config.github.token,
    config.server.api_token,
    config.database.url,
    config.server.github_webhook_secret,
    ...secretValues(config.validation.env, []),
    // A Slack webhook's URL is its credential.
    ...config.notify.flatMap((endpoint) => [endpoint.url, endpoint.secret]),
    ...agentDescriptorsOf(config).flatMap((descriptor) => descriptor.secrets(config, env)),
  ];
}

/**
 * Pushes over HTTPS to GitHub (or the Enterprise host of api_url) use the configured token, or
 * with `[github.app]` a fresh installation token of the remote's repository, asked at each push.
 */
export function gitCredentials(config: HarnessConfig, credentials?: GitHubCredentials): GitCredentials | undefined {
  const token =
    credentials?.kind === 'app'
      ? (repo: { owner: string; repo: string }) => credentials.tokenFor(repo)
      : config.github.token;
  if (token === undefined) return undefined;
  let apiHost: string;
  try {
    apiHost = new URL(config.github.api_url).hostname;
  } catch {
    return undefined;
  }
  return { token, hosts: apiHost === 'api.github.com' ? ['github.com'] : [apiHost] };
}

/**
 * This server's id, kept in `data_dir/server-id` so a restarted server knows its own leases (and
 * takes them back at once) while another server's live leases are left alone.
 */
export function serverIdOf(dataDir: string): string {
  const file = join(dataDir, 'server-id');
  if (existsSync(file)) {
    const id = readFileSync(file, 'utf8').trim();
    if (/^[\w.-]{1,64}$/.test(id)) return id;
  }
  const id = randomUUID();
  // With PostgreSQL nothing else may have made data_dir yet (it still holds worktrees and this id).
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  writeFileSync(file, `${id}\n`, { mode: 0o600 });
  return id;
}

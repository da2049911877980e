import type { HarnessConfig } from '@agent-harness/core';
import { createGitHubCredentials, type GitHubCredentials } from '@agent-harness/github';

/**
 * The credentials of the configuration: the App (with its key, read by `readGitHubAppKey`) when
 * `[github.app]` is set, GITHUB_TOKEN otherwise, none without either.
 * @public
 */
export function githubCredentialsOf(
  config: HarnessConfig,
  privateKey: string | undefined,
): GitHubCredentials | undefined {
  const app = config.github.app;
  return createGitHubCredentials({
    apiUrl: config.github.api_url,
    token: config.github.token,
    app:
      app === undefined || privateKey === undefined
        ? undefined
        : { appId: app.app_id, privateKey, installationId: app.installation_id },
  });
}

/**
 * Harness's own secrets: no agent needs them. In particular the agent never gets GitHub
 * credentials; Harness pushes and opens PRs itself.
 */
const HARNESS_SECRETS = [
  'GITHUB_TOKEN',
  'GH_TOKEN',
  'GH_ENTERPRISE_TOKEN',
  'HARNESS_API_TOKEN',
  'HARNESS_GITHUB_WEBHOOK_SECRET',
];

/** Credentials of the Anthropic API, as Claude Code and the SDK read them. */
export const ANTHROPIC_CREDENTIALS = ['ANTHROPIC_API_KEY', 'ANTHROPIC_AUTH_TOKEN', 'CLAUDE_CODE_OAUTH_TOKEN'] as const;

/** Credentials of the OpenAI API, as Codex reads them (and Azure OpenAI's). */
export const OPENAI_CREDENTIALS = ['OPENAI_API_KEY', 'CODEX_API_KEY', 'AZURE_OPENAI_API_KEY'] as const;

/**
 * Builds an agent's environment: the base environment without Harness's secrets and without the
 * variables `strip` names (another provider's credentials, nested-session markers), then the
 * configured `env`, then the request's `env`. What a user configures explicitly is always kept.
 */
export function buildChildEnv(
  base: Readonly<Record<string, string | undefined>>,
  strip: readonly string[],
  ...overlays: (Readonly<Record<string, string>> | undefined)[]
): Record<string, string> {
  const removed = new Set([...HARNESS_SECRETS, ...strip]);
  const env: Record<string, string> = {};
  for (const [key, value] of Object.entries(base)) {
    if (value !== undefined && !removed.has(key)) env[key] = value;
  }
  for (const overlay of overlays) Object.assign(env, overlay);
  return env;
}

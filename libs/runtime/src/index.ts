// Public API of @agent-harness/runtime.
export { loadConfig, inspectProjectDirectory } from './config/load-config.js';
export type { LoadConfigInput } from './config/load-config.js';
export { createHarness } from './harness.js';
export { describeGitHubAuth, readGitHubAppKey } from './config/github-app-key.js';
export { githubCredentialsOf } from './github-auth.js';
export type { CreateHarnessOptions, Harness, HarnessLogger } from './harness-types.js';
export { spendLimitsOf } from './spend-limits.js';

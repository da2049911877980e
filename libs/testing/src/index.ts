// Public API of @agent-harness/testing.
export { createTempDir, createTempDataDir } from './temp-dir.js';
export type { TempDir } from './temp-dir.js';
export { createTempGitRepo, isolatedGitEnv } from './git-repo.js';
export type { CreateTempGitRepoOptions, TempGitRepo } from './git-repo.js';
export { runHarness, startHarnessServer, killStartedHarnessProcesses } from './harness-process.js';
export type { HarnessProcess, HarnessRunOptions, HarnessServerProcess, ProcessExit } from './harness-process.js';

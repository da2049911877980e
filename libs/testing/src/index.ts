// Public API of @agent-harness/testing.
export { createTempDir, createTempDataDir } from './temp-dir.js';
export type { TempDir } from './temp-dir.js';
export { createTempGitRepo, isolatedGitEnv } from './git-repo.js';
export { createTempPostgresDatabase, POSTGRES_START_COMMAND, TEST_POSTGRES_URL } from './postgres.js';
export type { CreateTempPostgresDatabaseOptions, TempPostgresDatabase } from './postgres.js';
export type { CreateTempGitRepoOptions, TempGitRepo } from './git-repo.js';
export { runHarness, spawnHarness, startHarnessServer, killStartedHarnessProcesses } from './harness-process.js';
export type { HarnessProcess, HarnessRunOptions, HarnessServerProcess, ProcessExit } from './harness-process.js';
export {
  FAKE_AGENT_BIN_DIR,
  fakeAgentEnv,
  fakeAgentToml,
  readFakeAgentLog,
  sandboxAllowWriteToml,
} from './fake-agent-clis.js';
export type { FakeAgentInvocation, FakeAgentScenario } from './fake-agent-clis.js';
export type { FakeModelServer, RecordedModelRequest, TransportFault } from './fake-model-server.js';
export {
  startFakeAnthropicServer,
  commandRunningModel,
  fileWritingModel,
  isAnsweringTools,
  offeredTools,
  workingDirectoryOf,
} from './fake-anthropic-server.js';
export type { FakeAnthropicReply, FakeAnthropicScript } from './fake-anthropic-server.js';
export {
  startFakeOpenAiServer,
  commandRunningCodexModel,
  fileWritingCodexModel,
  hasToolOutput,
} from './fake-openai-server.js';
export type { FakeOpenAiReply, FakeOpenAiScript } from './fake-openai-server.js';
export {
  REAL_AGENT_CLI_VERSIONS,
  findRealAcpAgents,
  findRealAgentClis,
  realAgentClisDir,
  realOpenCodeConfig,
  realOpenCodeEnv,
  realClaudeEnv,
  realCodexArgs,
  realCodexEnv,
} from './real-agent-clis.js';
export type { RealAcpAgents, RealAgentClis } from './real-agent-clis.js';
export { fileWritingGeminiModel, isAnsweringFunctions, startFakeGeminiServer } from './fake-gemini-server.js';
export type { FakeGeminiReply, FakeGeminiScript } from './fake-gemini-server.js';
export { hostPid, isProcessRunning, processesInDirectory, processesWithMarker } from './processes.js';
export { FAKE_GITHUB_ROUTES, fakeGitHubRouteOf, startFakeGitHub } from './fake-github-server.js';
export type {
  FakeCheckRun,
  FakeCommitStatus,
  FakeGitHub,
  FakeGitHubFailure,
  FakeGitHubRoute,
  FakeIssue,
  FakePermission,
  FakePullRequest,
  FakeReview,
  FakeReviewComment,
  FakeReviewInput,
  FakeWorkflowRun,
  RecordedGitHubRequest,
} from './fake-github-server.js';
export type { FakeGitHubAppOptions, FakeInstallationToken } from './fake-github-app.js';
export { InMemoryTaskRepository } from './in-memory-task-repository.js';
export { InMemoryProjectCatalog } from './in-memory-project-catalog.js';
export { InMemoryUsageLedger } from './in-memory-usage-ledger.js';
export { ScriptedAgentRunner } from './scripted-agent-runner.js';
export type {
  AgentScript,
  ScriptedAgentCall,
  ScriptedAgentRequest,
  ScriptedAgentResult,
} from './scripted-agent-runner.js';
export { taskFixture, taskRepositoryContract } from './task-repository-contract.js';
export type { ContractCheck } from './task-repository-contract.js';
export { projectCatalogContract } from './project-catalog-contract.js';
export { usageLedgerContract } from './usage-ledger-contract.js';

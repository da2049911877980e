// Public API of @agent-harness/agents.
export { approvalLimits } from './approval-policy.js';
export type { ApprovalLimits } from './approval-policy.js';
export { AgentRunner } from './agent-runner.js';
export type { AgentPhase, AgentRequest, AgentResult, AgentRun } from './agent-runner.js';
export {
  ClaudeCodeAgentRunner,
  CLAUDE_ENV,
  CLAUDE_NESTED_SESSION_VARS,
  claudeArgs,
  claudeModel,
} from './claude/claude-code-agent-runner.js';
export type { ClaudeCodeAgentRunnerDeps } from './claude/claude-code-agent-runner.js';
export { ClaudeStreamParser } from './claude/claude-stream-parser.js';
export { CODEX_ENV, CodexAgentRunner, codexArgs } from './codex/codex-agent-runner.js';
export type { CodexAgentRunnerDeps } from './codex/codex-agent-runner.js';
export { CodexEventParser } from './codex/codex-event-parser.js';
export { AnthropicApiAgentRunner } from './anthropic-api/anthropic-api-agent-runner.js';
export type { AnthropicApiAgentRunnerDeps } from './anthropic-api/anthropic-api-agent-runner.js';
export { AgentRegistry } from './registry/agent-registry.js';
export { noAgentHint, settingOf } from './registry/agent-descriptor.js';
export type { AgentDescriptor, AgentFactoryDeps, AgentRequirement } from './registry/agent-descriptor.js';
export { AGENT_DESCRIPTORS, agentDescriptorsOf } from './registry/agent-descriptors.js';
export { AcpAgentRunner, acpEndpoints } from './acp/acp-agent-runner.js';
export type { AcpAgentConfig, AcpAgentRunnerDeps } from './acp/acp-agent-runner.js';
export { AcpConversation } from './acp/acp-conversation.js';
export type { AcpTurn } from './acp/acp-conversation.js';
export { customAgentDescriptors, GEMINI_DESCRIPTOR, OPENCODE_DESCRIPTOR } from './acp/acp-descriptors.js';
export { CLAUDE_DESCRIPTOR } from './claude/claude-descriptor.js';
export { CODEX_DESCRIPTOR } from './codex/codex-descriptor.js';
export { ANTHROPIC_API_DESCRIPTOR } from './anthropic-api/anthropic-api-descriptor.js';
export type { AgentAvailability, SelectAgentInput } from './registry/agent-registry.js';
export { runCliAgent } from './process/cli-agent-process.js';
export type {
  CliAgentSpec,
  Conversation,
  ConversationIo,
  StreamOutcome,
  StreamParser,
} from './process/cli-agent-process.js';
export { killProcessGroup, isProcessGroupAlive } from './process/process-group.js';
export { resolvePathInside } from './process/paths.js';
export { TASK_MARKER_ENV, killProcessesInDirectory, killTaskProcesses, taskMarkerOf } from './process/orphans.js';
export type { KillTaskProcessesOptions, ProcessMarker } from './process/orphans.js';
export { ShellCommandRunner } from './process/shell-command-runner.js';
export type { ShellCommandOutcome } from './process/shell-command-runner.js';
export { ConfiguredSandbox } from './sandbox/configured-sandbox.js';
export type { ConfiguredSandboxOptions } from './sandbox/configured-sandbox.js';

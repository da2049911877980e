import type { HarnessConfig } from '@agent-harness/core';
import { customAgentDescriptors, GEMINI_DESCRIPTOR, OPENCODE_DESCRIPTOR } from '../acp/acp-descriptors.js';
import { ANTHROPIC_API_DESCRIPTOR } from '../anthropic-api/anthropic-api-descriptor.js';
import { CLAUDE_DESCRIPTOR } from '../claude/claude-descriptor.js';
import { CODEX_DESCRIPTOR } from '../codex/codex-descriptor.js';
import type { AgentDescriptor } from './agent-descriptor.js';

/** Every agent Harness can run, in preference order ("auto" tries them in this order). @public */
export const AGENT_DESCRIPTORS: readonly AgentDescriptor[] = [
  CLAUDE_DESCRIPTOR,
  CODEX_DESCRIPTOR,
  ANTHROPIC_API_DESCRIPTOR,
  OPENCODE_DESCRIPTOR,
  GEMINI_DESCRIPTOR,
];

/** The built-in agents, then those defined in `[agents.custom.<name>]`. @public */
export function agentDescriptorsOf(config: HarnessConfig): AgentDescriptor[] {
  return [...AGENT_DESCRIPTORS, ...customAgentDescriptors(config)];
}

import { ANTHROPIC_API_DESCRIPTOR } from '../anthropic-api/anthropic-api-descriptor.js';
import { CLAUDE_DESCRIPTOR } from '../claude/claude-descriptor.js';
import { CODEX_DESCRIPTOR } from '../codex/codex-descriptor.js';
import type { AgentDescriptor } from './agent-descriptor.js';

/** Every agent Harness can run, in preference order ("auto" tries them in this order). @public */
export const AGENT_DESCRIPTORS: readonly AgentDescriptor[] = [
  CLAUDE_DESCRIPTOR,
  CODEX_DESCRIPTOR,
  ANTHROPIC_API_DESCRIPTOR,
];

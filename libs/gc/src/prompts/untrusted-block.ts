// The helper lives in core, so every lib that prompts agents (gc, review) shares one escaping.
export { untrustedBlock } from '@agent-harness/core';

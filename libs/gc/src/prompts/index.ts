// The prompts GC gives agents: drafting a remediation, adopting a draft.
export { adoptPrompt } from './adopt-prompt.js';
export { draftPrompt } from './draft-prompt.js';
export { untrustedBlock } from './untrusted-block.js';

// @agent-harness/gc/testing: an in-memory draft index and the contract every index passes.
export { InMemoryDraftIndex } from '../drafts/testing/in-memory-draft-index.js';
export { contractDraftId, contractDraftInstant, draftIndexContract } from '../drafts/testing/draft-index-contract.js';
export type { DraftIndexContractCheck } from '../drafts/testing/draft-index-contract.js';

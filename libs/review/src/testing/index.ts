// @agent-harness/review/testing: an in-memory review store and the contract every store passes.
export { InMemoryReviewStore } from '../periodic/testing/in-memory-review-store.js';
export { contractReviewInstant, reviewStoreContract } from '../periodic/testing/review-store-contract.js';
export type { ReviewStoreContractCheck } from '../periodic/testing/review-store-contract.js';

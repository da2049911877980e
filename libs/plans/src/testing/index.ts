// @agent-harness/plans/testing: an in-memory plan store and the contract every store passes.
export { InMemoryPlanStore } from './in-memory-plan-store.js';
export { contractPlan, contractPlanId, contractPlanInstant, planStoreContract } from './plan-store-contract.js';
export type { PlanStoreContractCheck } from './plan-store-contract.js';

import { describe, it } from 'vitest';
import { InMemoryPlanStore } from './in-memory-plan-store.js';
import { planStoreContract } from './plan-store-contract.js';

describe('InMemoryPlanStore meets the PlanStore contract', () => {
  for (const check of planStoreContract) it(check.name, () => check.run(new InMemoryPlanStore()));
});

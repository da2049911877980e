import { describe, it } from 'vitest';
import { InMemoryReviewStore } from './in-memory-review-store.js';
import { reviewStoreContract } from './review-store-contract.js';

// The same checks the SQL store passes (libs/persistence): the in-memory store cannot drift from it.
describe('InMemoryReviewStore meets the ReviewStore contract', () => {
  for (const check of reviewStoreContract) it(check.name, () => check.run(new InMemoryReviewStore()));
});

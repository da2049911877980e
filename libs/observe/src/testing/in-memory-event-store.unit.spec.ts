import { describe, it } from 'vitest';
import { eventStoreContract } from './event-store-contract.js';
import { InMemoryEventStore } from './in-memory-event-store.js';

// The same checks the SQL adapter passes (libs/persistence): the fake cannot drift from it.
describe('InMemoryEventStore meets the EventStore contract', () => {
  for (const check of eventStoreContract) it(check.name, () => check.run(new InMemoryEventStore()));
});

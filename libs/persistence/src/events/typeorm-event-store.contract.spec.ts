import { eventStoreContract } from '@agent-harness/observe/testing';
import { describe, it } from 'vitest';
import { DATABASE_KINDS, useTestDatabase } from '../../test/test-database.js';
import { TypeOrmEventStore } from './typeorm-event-store.js';

// The checks InMemoryEventStore (in @agent-harness/observe) also passes: the fake cannot drift.
describe.each(DATABASE_KINDS)('TypeOrmEventStore meets the EventStore contract (real %s)', (kind) => {
  const db = useTestDatabase(kind);

  for (const check of eventStoreContract)
    it(check.name, () => check.run(new TypeOrmEventStore(db.database.dataSource)));
});

import { join } from 'node:path';
import { eventStoreContract } from '@agent-harness/observe';
import { createTempDataDir, type TempDir } from '@agent-harness/testing';
import { afterEach, beforeEach, describe, it } from 'vitest';
import { openDatabase, type Database } from '../database.js';
import { TypeOrmEventStore } from './typeorm-event-store.js';

// The checks InMemoryEventStore (in @agent-harness/observe) also passes: the fake cannot drift.
describe('TypeOrmEventStore meets the EventStore contract (real SQLite)', () => {
  let dir: TempDir;
  let db: Database;
  beforeEach(async () => {
    dir = await createTempDataDir();
    db = await openDatabase({ file: join(dir.path, 'harness.db') });
  });
  afterEach(async () => {
    await db.close();
    await dir.cleanup();
  });

  for (const check of eventStoreContract) it(check.name, () => check.run(new TypeOrmEventStore(db.dataSource)));
});

import { InMemoryUsageLedger, usageLedgerContract } from '@agent-harness/testing';
import { describe, it } from 'vitest';
import { DATABASE_KINDS, useTestDatabase } from '../../test/test-database.js';
import { TypeOrmUsageLedger } from './typeorm-usage-ledger.js';

// The same contract on both real engines and on the in-memory fake the unit tier uses.
describe.each(DATABASE_KINDS)('TypeOrmUsageLedger (real %s) meets the UsageLedger contract', (kind) => {
  const db = useTestDatabase(kind);
  for (const check of usageLedgerContract)
    it(check.name, async () => {
      await check.run(new TypeOrmUsageLedger(db.database.dataSource));
    });
});

describe('InMemoryUsageLedger meets the UsageLedger contract', () => {
  for (const check of usageLedgerContract)
    it(check.name, async () => {
      await check.run(new InMemoryUsageLedger());
    });
});

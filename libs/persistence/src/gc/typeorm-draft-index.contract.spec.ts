import { draftIndexContract } from '@agent-harness/gc/testing';
import { describe, it } from 'vitest';
import { DATABASE_KINDS, useTestDatabase } from '../../test/test-database.js';
import { TypeOrmDraftIndex } from './typeorm-draft-index.js';

// The same contract as the in-memory index, on both real engines.
describe.each(DATABASE_KINDS)('TypeOrmDraftIndex (real %s) meets the DraftIndex contract', (kind) => {
  const db = useTestDatabase(kind);

  for (const check of draftIndexContract)
    it(check.name, async () => {
      await check.run(new TypeOrmDraftIndex(db.database.dataSource));
    });
});

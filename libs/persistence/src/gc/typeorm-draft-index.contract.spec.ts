import { join } from 'node:path';
import { draftIndexContract } from '@agent-harness/gc';
import { createTempDir, type TempDir } from '@agent-harness/testing';
import { afterEach, beforeEach, describe, it } from 'vitest';
import { openDatabase, type Database } from '../database.js';
import { TypeOrmDraftIndex } from './typeorm-draft-index.js';

// The same contract as the in-memory index, on real SQLite.
describe('TypeOrmDraftIndex (real SQLite) meets the DraftIndex contract', () => {
  let dir: TempDir;
  let database: Database;

  beforeEach(async () => {
    dir = await createTempDir('harness-drafts-db-');
    database = await openDatabase({ file: join(dir.path, 'harness.db') });
  });
  afterEach(async () => {
    await database.close();
    await dir.cleanup();
  });

  for (const check of draftIndexContract)
    it(check.name, async () => {
      await check.run(new TypeOrmDraftIndex(database.dataSource));
    });
});

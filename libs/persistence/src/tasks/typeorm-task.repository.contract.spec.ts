import { join } from 'node:path';
import {
  createTempDataDir,
  projectCatalogContract,
  taskRepositoryContract,
  type TempDir,
} from '@agent-harness/testing';
import { afterEach, beforeEach, describe, it } from 'vitest';
import { openDatabase, type Database } from '../database.js';
import { TypeOrmProjectCatalog } from '../projects/typeorm-project-catalog.js';
import { TypeOrmTaskRepository } from './typeorm-task.repository.js';

// The checks the in-memory fakes of @agent-harness/testing also pass: the fakes cannot drift.
describe('SQL adapters meet their port contracts (real SQLite)', () => {
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

  describe('TypeOrmTaskRepository', () => {
    for (const check of taskRepositoryContract)
      it(check.name, () => check.run(new TypeOrmTaskRepository(db.dataSource)));
  });

  describe('TypeOrmProjectCatalog', () => {
    for (const check of projectCatalogContract)
      it(check.name, () => check.run(new TypeOrmProjectCatalog(db.dataSource)));
  });
});

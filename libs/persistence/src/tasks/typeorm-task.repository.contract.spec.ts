import { projectCatalogContract, taskRepositoryContract } from '@agent-harness/testing';
import { describe, it } from 'vitest';
import { DATABASE_KINDS, useTestDatabase } from '../../test/test-database.js';
import { TypeOrmProjectCatalog } from '../projects/typeorm-project-catalog.js';
import { TypeOrmTaskRepository } from './typeorm-task.repository.js';

// The checks the in-memory fakes of @agent-harness/testing also pass: the fakes cannot drift.
describe.each(DATABASE_KINDS)('SQL adapters meet their port contracts (real %s)', (kind) => {
  const db = useTestDatabase(kind);

  describe('TypeOrmTaskRepository', () => {
    for (const check of taskRepositoryContract)
      it(check.name, () => check.run(new TypeOrmTaskRepository(db.database.dataSource)));
  });

  describe('TypeOrmProjectCatalog', () => {
    for (const check of projectCatalogContract)
      it(check.name, () => check.run(new TypeOrmProjectCatalog(db.database.dataSource)));
  });
});

import { join } from 'node:path';
import { createTempDataDir, taskFixture, type TempDir } from '@agent-harness/testing';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openDatabase, type Database } from '../database.js';
import { TypeOrmTaskRepository } from './typeorm-task.repository.js';

describe('TypeOrmTaskRepository.findIdsByPrefix (real SQLite)', () => {
  let dir: TempDir;
  let db: Database;
  let repo: TypeOrmTaskRepository;
  beforeEach(async () => {
    dir = await createTempDataDir();
    db = await openDatabase({ file: join(dir.path, 'harness.db') });
    repo = new TypeOrmTaskRepository(db.dataSource);
    for (const id of [
      '0f1c2d3e-0000-4000-8000-000000000001',
      '0f1c2d3e-0000-4000-8000-000000000002',
      '0f1c9999-0000-4000-8000-000000000003',
      'a_b%c-literal',
    ]) {
      await repo.create(taskFixture(id, { prompt: 'x', createdAt: '2026-11-23T10:00:00.000Z' }), {
        kind: 'status',
        data: { to: 'queued' },
      });
    }
  });
  afterEach(async () => {
    await db.close();
    await dir.cleanup();
  });

  it('finds the ids that start with a prefix, in order, up to the limit', async () => {
    expect(await repo.findIdsByPrefix('0f1c2d3e', 10)).toEqual([
      '0f1c2d3e-0000-4000-8000-000000000001',
      '0f1c2d3e-0000-4000-8000-000000000002',
    ]);
    expect(await repo.findIdsByPrefix('0f1c', 2)).toHaveLength(2);
    expect(await repo.findIdsByPrefix('0f1c9', 10)).toEqual(['0f1c9999-0000-4000-8000-000000000003']);
    expect(await repo.findIdsByPrefix('0f1c2d3e-0000-4000-8000-000000000002', 10)).toEqual([
      '0f1c2d3e-0000-4000-8000-000000000002',
    ]);
    expect(await repo.findIdsByPrefix('ffff', 10)).toEqual([]);
  });

  it('refuses prefixes that are not id characters, so LIKE wildcards never reach SQL', async () => {
    for (const prefix of ['%', '_', 'a_b', '0f1c%', "0'", 'ABC', '']) {
      await expect(repo.findIdsByPrefix(prefix, 10)).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
    }
  });
});

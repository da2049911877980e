import { taskFixture } from '@agent-harness/testing';
import { beforeEach, describe, expect, it } from 'vitest';
import { DATABASE_KINDS, useTestDatabase } from '../../test/test-database.js';
import { TypeOrmTaskRepository } from './typeorm-task.repository.js';

describe.each(DATABASE_KINDS)('TypeOrmTaskRepository.findIdsByPrefix (real %s)', (kind) => {
  const db = useTestDatabase(kind);
  let repo: TypeOrmTaskRepository;
  beforeEach(async () => {
    repo = new TypeOrmTaskRepository(db.database.dataSource);
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

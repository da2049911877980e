import { describe, expect, it } from 'vitest';
import { InMemoryProjectCatalog } from './in-memory-project-catalog.js';
import { InMemoryTaskRepository } from './in-memory-task-repository.js';
import { projectCatalogContract } from './project-catalog-contract.js';
import { taskRepositoryContract } from './task-repository-contract.js';

// The same checks run against the SQL adapters in @agent-harness/persistence (real SQLite).
describe('InMemoryTaskRepository meets the TaskRepository contract', () => {
  for (const check of taskRepositoryContract) it(check.name, () => check.run(new InMemoryTaskRepository()));
});

describe('InMemoryProjectCatalog meets the ProjectCatalog contract', () => {
  for (const check of projectCatalogContract) it(check.name, () => check.run(new InMemoryProjectCatalog()));
});

describe('InMemoryTaskRepository test helpers', () => {
  const task = {
    id: 't1',
    project: 'app',
    kind: 'prompt',
    status: 'queued',
    attempt: 1,
    inputTokens: 0,
    outputTokens: 0,
    validationRetries: 0,
    reviewRounds: 0,
    createdAt: '2026-11-23T10:00:00.000Z',
    updatedAt: '2026-11-23T10:00:00.000Z',
    version: 1,
  } as const;

  it('whenTask resolves on the write that makes the condition true, not before', async () => {
    const repo = new InMemoryTaskRepository();
    await repo.create(task, { kind: 'status', data: {} });
    let seen: string | undefined;
    const done = repo.whenTask('t1', (t) => t.status === 'done').then((t) => (seen = t.status));
    await repo.update('t1', 1, { status: 'preparing' });
    await Promise.resolve();
    expect(seen).toBeUndefined();
    await repo.update('t1', 2, { status: 'done' });
    await done;
    expect(seen).toBe('done');
    expect(await repo.whenTask('t1', (t) => t.version === 3)).toMatchObject({ status: 'done' });
  });

  it('hands out copies: changing a returned task changes nothing stored', async () => {
    const repo = new InMemoryTaskRepository();
    await repo.create({ ...task }, { kind: 'status', data: {} });
    const read = await repo.get('t1');
    Object.assign(read ?? {}, { status: 'done' });
    expect((await repo.get('t1'))?.status).toBe('queued');
    expect(repo.all().map((t) => t.id)).toEqual(['t1']);
  });
});

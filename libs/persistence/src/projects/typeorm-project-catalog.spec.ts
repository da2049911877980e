import type { Project } from '@agent-harness/queue';
import { beforeEach, describe, expect, it } from 'vitest';
import { DATABASE_KINDS, useTestDatabase } from '../../test/test-database.js';
import { TypeOrmProjectCatalog } from './typeorm-project-catalog.js';

const project = (name: string): Project => ({
  name,
  root: `/repos/${name}`,
  isDefault: false,
  origin: 'api',
  active: true,
});

describe.each(DATABASE_KINDS)('TypeOrmProjectCatalog list cache (real %s)', (kind) => {
  const db = useTestDatabase(kind);
  let clock: number;
  let catalog: TypeOrmProjectCatalog;
  /** Another process writing the same table (its changes are not ours to see at once). */
  let other: TypeOrmProjectCatalog;
  beforeEach(() => {
    clock = 0;
    const { dataSource } = db.database;
    catalog = new TypeOrmProjectCatalog(dataSource, undefined, { listTtlMs: 1000, monotonicMs: () => clock });
    other = new TypeOrmProjectCatalog(dataSource, undefined, { listTtlMs: 0 });
  });

  const names = async (): Promise<string[]> => (await catalog.list()).map((p) => p.name);

  it('shows its own changes at once', async () => {
    expect(await names()).toEqual([]);
    await catalog.add(project('a'));
    expect(await names()).toEqual(['a']);
    await catalog.syncFromConfig([{ ...project('c'), origin: 'config' }]);
    expect((await names()).sort()).toEqual(['a', 'c']);
    await catalog.remove('a');
    expect(await names()).toEqual(['c']);
  });

  it("shows another writer's changes once the TTL has passed, and hands out copies", async () => {
    expect(await names()).toEqual([]);
    await other.add(project('b'));
    clock = 999;
    expect(await names()).toEqual([]);
    clock = 1000;
    expect(await names()).toEqual(['b']);
    const listed = await catalog.list();
    listed.length = 0;
    expect(await names()).toEqual(['b']);
  });

  it('does not keep a read that overlapped its own change', async () => {
    const reading = catalog.list();
    await catalog.add(project('a'));
    await reading;
    expect(await names()).toEqual(['a']);
  });
});

describe.each(DATABASE_KINDS)('TypeOrmProjectCatalog in a fleet (real %s)', (kind) => {
  const db = useTestDatabase(kind);

  it('reads its own checkout of a config project, whatever root another server wrote last', async () => {
    const { dataSource } = db.database;
    const serverA = new TypeOrmProjectCatalog(dataSource, undefined, {
      listTtlMs: 0,
      localRoots: new Map([['app', '/srv/a/app']]),
    });
    const serverB = new TypeOrmProjectCatalog(dataSource, undefined, {
      listTtlMs: 0,
      localRoots: new Map([['app', '/srv/b/app']]),
    });
    await serverA.syncFromConfig([{ ...project('app'), root: '/srv/a/app', origin: 'config' }]);
    await serverB.syncFromConfig([{ ...project('app'), root: '/srv/b/app', origin: 'config' }]);
    await serverB.add(project('registered'));
    expect((await serverA.get('app'))?.root).toBe('/srv/a/app');
    expect((await serverA.list()).map((p) => [p.name, p.root])).toEqual([
      ['app', '/srv/a/app'],
      ['registered', '/repos/registered'],
    ]);
    expect((await serverB.get('app'))?.root).toBe('/srv/b/app');
  });
});

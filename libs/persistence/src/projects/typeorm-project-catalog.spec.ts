import { join } from 'node:path';
import type { Project } from '@agent-harness/queue';
import { createTempDataDir, type TempDir } from '@agent-harness/testing';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openDatabase, type Database } from '../database.js';
import { TypeOrmProjectCatalog } from './typeorm-project-catalog.js';

const project = (name: string): Project => ({
  name,
  root: `/repos/${name}`,
  isDefault: false,
  origin: 'api',
  active: true,
});

describe('TypeOrmProjectCatalog list cache (real SQLite)', () => {
  let dir: TempDir;
  let db: Database;
  let clock: number;
  let catalog: TypeOrmProjectCatalog;
  /** Another process writing the same table (its changes are not ours to see at once). */
  let other: TypeOrmProjectCatalog;
  beforeEach(async () => {
    dir = await createTempDataDir();
    db = await openDatabase({ file: join(dir.path, 'harness.db') });
    clock = 0;
    catalog = new TypeOrmProjectCatalog(db.dataSource, undefined, { listTtlMs: 1000, monotonicMs: () => clock });
    other = new TypeOrmProjectCatalog(db.dataSource, undefined, { listTtlMs: 0 });
  });
  afterEach(async () => {
    await db.close();
    await dir.cleanup();
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

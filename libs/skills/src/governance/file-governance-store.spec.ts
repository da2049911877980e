import { mkdir, readdir, readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createTempDir, type TempDir } from '@agent-harness/testing';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FileGovernanceStore } from './file-governance-store.js';
import { initialGovernanceState, type SkillGovernanceState } from './governance.types.js';

let temp: TempDir;
let file: string;

beforeEach(async () => {
  temp = await createTempDir('harness-governance-');
  file = join(temp.path, 'data', 'skills', 'governance.json');
});

afterEach(async () => {
  await temp.cleanup();
});

const states = new Map<string, SkillGovernanceState>([
  [
    'data:x',
    {
      ...initialGovernanceState('data:x'),
      qualityScore: 0.42,
      samples: 12,
      status: 'quarantine',
      canaryRatio: 0.1,
      usageCount: 30,
      lastUsedAt: '2026-11-19T10:00:00.000Z',
      lastScoredAt: '2026-11-20T00:00:00.000Z',
    },
  ],
  ['builtin:review', initialGovernanceState('builtin:review')],
]);

describe('FileGovernanceStore', () => {
  it('starts empty when there is no file yet', async () => {
    expect(await new FileGovernanceStore(file).load()).toEqual(new Map());
  });

  it('round-trips states across a restart (a new store on the same file)', async () => {
    await new FileGovernanceStore(file).save(states);
    expect(await new FileGovernanceStore(file).load()).toEqual(states);
    expect((await stat(file)).mode & 0o777).toBe(0o600);
    expect((await stat(join(temp.path, 'data', 'skills'))).mode & 0o777).toBe(0o700);
    expect(await readdir(join(temp.path, 'data', 'skills'))).toEqual(['governance.json']);
    expect(JSON.parse(await readFile(file, 'utf8'))).toMatchObject({ version: 1 });
  });

  it('records uses on disk', async () => {
    const store = new FileGovernanceStore(file);
    await store.save(states);
    await Promise.all([
      store.recordUse(['data:x'], new Date('2026-11-21T00:00:00Z')),
      store.recordUse(['data:x', 'user:new'], new Date('2026-11-21T01:00:00Z')),
    ]);
    const loaded = await new FileGovernanceStore(file).load();
    expect(loaded.get('data:x')).toMatchObject({ usageCount: 32, lastUsedAt: '2026-11-21T01:00:00.000Z' });
    expect(loaded.get('user:new')?.usageCount).toBe(1);
  });

  it('throws INTERNAL naming the file for a corrupt file, and leaves it as it was', async () => {
    await mkdir(join(temp.path, 'data', 'skills'), { recursive: true });
    await writeFile(file, '{"version":1,"skills":{"data:x":{"skillId":"data:x"');
    const store = new FileGovernanceStore(file);
    await expect(store.load()).rejects.toMatchObject({
      code: 'INTERNAL',
      message: expect.stringContaining(file) as unknown,
    });
    await expect(store.recordUse(['data:x'], new Date())).rejects.toMatchObject({ code: 'INTERNAL' });
    expect(await readFile(file, 'utf8')).toBe('{"version":1,"skills":{"data:x":{"skillId":"data:x"');
  });

  it('throws INTERNAL naming the file when it cannot be read', async () => {
    await mkdir(file, { recursive: true }); // a directory where the file should be
    await expect(new FileGovernanceStore(file).load()).rejects.toMatchObject({
      code: 'INTERNAL',
      message: expect.stringContaining(file) as unknown,
    });
  });

  it('throws INTERNAL naming the file when it cannot be written', async () => {
    const blocker = join(temp.path, 'blocker');
    await writeFile(blocker, 'a file where the directory should be');
    const blocked = join(blocker, 'governance.json');
    await expect(new FileGovernanceStore(blocked).save(states)).rejects.toMatchObject({
      code: 'INTERNAL',
      message: expect.stringContaining(blocked) as unknown,
    });
  });
});

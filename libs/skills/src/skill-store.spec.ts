import { readdir, readFile, stat, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { AppError } from '@agent-harness/core';
import { createTempDir, type TempDir } from '@agent-harness/testing';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { discoverSkills } from './discover-skills.js';
import { InMemoryGovernanceStore } from './governance/governance-store.js';
import { initialGovernanceState } from './governance/governance.types.js';
import { SkillStore } from './skill-store.js';

let temp: TempDir;
let dir: string;

beforeEach(async () => {
  temp = await createTempDir('harness-skill-store-');
  dir = join(temp.path, 'data', 'skills');
});

afterEach(async () => {
  await temp.cleanup();
});

const content = '---\nversion: 1.1.0\n---\n# Learned: run the linter first\n<!-- trigger-patterns: lint -->\nRun it.\n';
function expectAppError(error: unknown, code: string): void {
  expect(error).toBeInstanceOf(AppError);
  expect(error).toMatchObject({ code });
}

describe('SkillStore', () => {
  it('creates a skill that reads back the same, from the store and from discovery', async () => {
    const store = new SkillStore(dir);
    const created = await store.create('lint-first', content);
    expect(created).toMatchObject({
      id: 'data:lint-first',
      tier: 'data',
      version: '1.1.0',
      triggerPatterns: ['lint'],
      path: join(dir, 'lint-first.md'),
    });
    expect(await readFile(join(dir, 'lint-first.md'), 'utf8')).toBe(content);
    expect(await new SkillStore(dir).get('lint-first')).toEqual(created);
    const { skills } = await discoverSkills({ dataDir: join(temp.path, 'data'), homeDir: temp.path, builtin: false });
    expect(skills).toEqual([created]);
  });

  it('writes the directory 0700 and files 0600, leaving no temporary file', async () => {
    await new SkillStore(dir).create('a', '# A\n');
    expect((await stat(dir)).mode & 0o777).toBe(0o700);
    expect((await stat(join(dir, 'a.md'))).mode & 0o777).toBe(0o600);
    expect(await readdir(dir)).toEqual(['a.md']);
  });

  it('refuses to overwrite without replace (CONFLICT), and replaces with it', async () => {
    const store = new SkillStore(dir);
    await store.create('a', '# First\n');
    const conflict = await store.create('a', '# Second\n').catch((error: unknown) => error);
    expectAppError(conflict, 'CONFLICT');
    expect((await store.get('a'))?.description).toBe('First');

    await store.create('a', '# Second\n', { replace: true });
    expect((await store.get('a'))?.description).toBe('Second');
    expect(await readdir(dir)).toEqual(['a.md']);
  });

  it('deletes skills', async () => {
    const store = new SkillStore(dir);
    await store.create('a', '# A\n');
    expect(await store.delete('a')).toBe(true);
    expect(await store.delete('a')).toBe(false);
    expect(await store.get('a')).toBeUndefined();
  });

  it.each(['../x', 'a/b', '..', '.hidden', 'a\\b', '', '/etc/passwd'])(
    'refuses the name %j everywhere, naming it',
    async (name) => {
      const store = new SkillStore(dir);
      for (const call of [() => store.create(name, '# X\n'), () => store.delete(name), () => store.get(name)]) {
        const error = await call().catch((caught: unknown) => caught);
        expectAppError(error, 'INVALID_ARGUMENT');
        expect((error as Error).message).toContain(JSON.stringify(name));
      }
      expect(await readdir(temp.path)).toEqual([]);
    },
  );

  it('refuses content that would not read back, writing nothing', async () => {
    const store = new SkillStore(dir);
    for (const bad of ['', '---\nversion: 1.0.0\n', '# NUL\u0000', `# Big\n${'x'.repeat(70_000)}`]) {
      const error = await store.create('bad', bad).catch((caught: unknown) => caught);
      expectAppError(error, 'INVALID_ARGUMENT');
    }
    expect(await store.get('bad')).toBeUndefined();
  });

  it('reports a file that no longer parses as INTERNAL, and does not follow a planted symlink', async () => {
    const store = new SkillStore(dir);
    await store.create('a', '# A\n');
    await writeFile(join(dir, 'a.md'), '---\nnever closed');
    await expect(store.get('a')).rejects.toMatchObject({
      code: 'INTERNAL',
      message: expect.stringContaining('a.md') as unknown,
    });

    await writeFile(join(temp.path, 'outside.md'), '# Outside\n');
    await symlink(join(temp.path, 'outside.md'), join(dir, 'link.md'));
    await expect(store.get('link')).rejects.toMatchObject({ code: 'INTERNAL' });
  });

  it('forgets the governance record when a skill is deleted or created afresh, not when replaced', async () => {
    const retired = { ...initialGovernanceState('data:a'), status: 'retired' as const, canaryRatio: 0, samples: 40 };
    const governance = new InMemoryGovernanceStore([retired]);
    const store = new SkillStore(dir, { governance });

    await store.create('a', '# A\n');
    expect((await governance.load()).has('data:a')).toBe(false);

    await governance.save(new Map([['data:a', retired]]));
    await store.create('a', '# A again\n', { replace: true });
    expect((await governance.load()).get('data:a')?.status).toBe('retired');

    await store.delete('a');
    expect((await governance.load()).has('data:a')).toBe(false);
  });

  it('lists its skills and problems', async () => {
    const store = new SkillStore(dir);
    await store.create('b', '# B\n');
    await store.create('a', '# A\n');
    await writeFile(join(dir, 'c.md'), '');
    const { skills, problems } = await store.list();
    expect(skills.map((skill) => skill.name)).toEqual(['a', 'b']);
    expect(problems).toEqual([expect.objectContaining({ path: join(dir, 'c.md'), tier: 'data' })]);
  });
});

import { mkdir, readdir, readFile, stat, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { AppError } from '@agent-harness/core';
import { createTempDir, type TempDir } from '@agent-harness/testing';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FileDraftStore } from './file-draft-store.js';
import { draftFixture } from './testing/draft-fixture.js';

let temp: TempDir;
let dir: string;

beforeEach(async () => {
  temp = await createTempDir('harness-drafts-');
  dir = join(temp.path, 'data', 'drafts');
});

afterEach(async () => {
  await temp.cleanup();
});

const hasCode = (code: string) => (error: unknown) => error instanceof AppError && error.code === code;

describe('FileDraftStore', () => {
  it('writes pretty JSON that reads back as the same draft, private to its owner, with no temporary file left', async () => {
    const store = new FileDraftStore(dir);
    const draft = draftFixture();
    expect(await store.write(draft)).toEqual(draft);
    expect(await new FileDraftStore(dir).read(draft.id)).toEqual(draft);
    const text = await readFile(join(dir, `${draft.id}.json`), 'utf8');
    expect(text).toContain('\n  "status": "pending",\n');
    expect(JSON.parse(text)).toEqual(draft);
    expect((await stat(dir)).mode & 0o777).toBe(0o700);
    expect((await stat(join(dir, `${draft.id}.json`))).mode & 0o777).toBe(0o600);
    await store.write({ ...draft, status: 'rejected' });
    expect(await readdir(dir)).toEqual([`${draft.id}.json`]);
    expect((await store.read(draft.id))?.status).toBe('rejected');
  });

  it('answers undefined for a draft without a file, and no ids for a directory not made yet', async () => {
    const store = new FileDraftStore(dir);
    expect(await store.read('aaaaaaaaaaaa')).toBeUndefined();
    expect(await store.ids()).toEqual([]);
  });

  it('lists only draft files', async () => {
    const store = new FileDraftStore(dir);
    await store.write(draftFixture({ id: 'bbbbbbbbbbbb' }));
    await store.write(draftFixture({ id: 'aaaaaaaaaaaa' }));
    await writeFile(join(dir, 'notes.txt'), 'x');
    await writeFile(join(dir, '.cccccccccccc.1.tmp'), '{');
    await writeFile(join(dir, 'CCCCCCCCCCCC.json'), '{}');
    expect(await store.ids()).toEqual(['aaaaaaaaaaaa', 'bbbbbbbbbbbb']);
  });

  it('refuses an id that is not a draft id before it becomes a path', async () => {
    const store = new FileDraftStore(dir);
    await mkdir(dir, { recursive: true });
    await writeFile(join(temp.path, 'data', 'x.json'), JSON.stringify(draftFixture()));
    await expect(store.read('../x')).rejects.toSatisfy(hasCode('INVALID_ARGUMENT'));
    await expect(store.write(draftFixture({ id: '../x' }))).rejects.toSatisfy(hasCode('INVALID_ARGUMENT'));
    await expect(store.read('../x')).rejects.toThrow('"../x" is not a draft id');
  });

  it('refuses to write a draft that would not read back', async () => {
    const store = new FileDraftStore(dir);
    await expect(store.write({ ...draftFixture(), agent: '' })).rejects.toThrow(
      'draft 0123456789ab cannot be stored: agent is not a non-empty string',
    );
    expect(await store.ids()).toEqual([]);
  });

  it('reports a corrupt file as INTERNAL naming the file and what is wrong', async () => {
    const store = new FileDraftStore(dir);
    await mkdir(dir, { recursive: true });
    const file = join(dir, 'aaaaaaaaaaaa.json');
    await writeFile(file, '{ not json');
    await expect(store.read('aaaaaaaaaaaa')).rejects.toSatisfy(hasCode('INTERNAL'));
    await expect(store.read('aaaaaaaaaaaa')).rejects.toThrow(`draft file ${file} is corrupt: it is not JSON`);
    await writeFile(file, JSON.stringify({ ...draftFixture({ id: 'aaaaaaaaaaaa' }), artifacts: 'all of them' }));
    await expect(store.read('aaaaaaaaaaaa')).rejects.toThrow(`draft file ${file} is corrupt: artifacts is not a list`);
    await writeFile(file, JSON.stringify(draftFixture({ id: 'bbbbbbbbbbbb' })));
    await expect(store.read('aaaaaaaaaaaa')).rejects.toThrow('it holds draft bbbbbbbbbbbb');
  });

  it('does not follow a symlink out of the directory', async () => {
    const store = new FileDraftStore(dir);
    await mkdir(dir, { recursive: true });
    const outside = join(temp.path, 'outside.json');
    await writeFile(outside, JSON.stringify(draftFixture({ id: 'aaaaaaaaaaaa' })));
    await symlink(outside, join(dir, 'aaaaaaaaaaaa.json'));
    await expect(store.read('aaaaaaaaaaaa')).rejects.toThrow('it is not a regular file');
  });
});

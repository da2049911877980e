import { readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { AppError } from '@agent-harness/core';
import { createTempDir, type TempDir } from '@agent-harness/testing';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Drafts, type DraftsOptions } from './drafts.js';
import { FileDraftStore } from './file-draft-store.js';
import { newDraftFixture, signalFixture } from './testing/draft-fixture.js';
import { InMemoryDraftIndex } from './testing/in-memory-draft-index.js';

let temp: TempDir;
let dir: string;
let index: InMemoryDraftIndex;
let clock: Date;
let ids: string[];

beforeEach(async () => {
  temp = await createTempDir('harness-drafts-');
  dir = join(temp.path, 'drafts');
  index = new InMemoryDraftIndex();
  clock = new Date('2026-11-24T10:00:00.000Z');
  ids = ['aaaa1111aaaa', 'aaaa2222aaaa', 'bbbb1111bbbb', 'aaaa1111ffff'];
});

afterEach(async () => {
  await temp.cleanup();
});

const options = (overrides: Partial<DraftsOptions> = {}): DraftsOptions => ({
  dir,
  index,
  now: () => clock,
  newId: () => ids.shift() ?? 'ffffffffffff',
  ...overrides,
});
const later = (hours: number): void => {
  clock = new Date(clock.getTime() + hours * 3_600_000);
};
const hasCode = (code: string) => (error: unknown) => error instanceof AppError && error.code === code;
const fileOf = async (id: string): Promise<Record<string, unknown>> =>
  JSON.parse(await readFile(join(dir, `${id}.json`), 'utf8')) as Record<string, unknown>;

describe('Drafts', () => {
  it('creates a pending draft: its file, then its index entry', async () => {
    const drafts = new Drafts(options());
    const draft = await drafts.create({ ...newDraftFixture(), taskId: 'ignored' });
    expect(draft).toEqual({
      ...newDraftFixture(),
      id: 'aaaa1111aaaa',
      status: 'pending',
      generatedAt: clock.toISOString(),
    });
    expect(await fileOf(draft.id)).toEqual(draft);
    expect(await index.get(draft.id)).toMatchObject({
      id: draft.id,
      status: 'pending',
      signalType: 'repeated_warn',
      signalId: 'sig-repeated-warn-exit-1',
      artifactCount: 1,
      costUsd: 0.12,
    });
    expect(await drafts.get(draft.id)).toEqual(draft);
  });

  it('takes a fresh id when the generated one is taken, and refuses a malformed draft', async () => {
    const drafts = new Drafts(options());
    ids = ['aaaa1111aaaa', 'aaaa1111aaaa', 'bbbb1111bbbb'];
    await drafts.create(newDraftFixture());
    expect((await drafts.create(newDraftFixture())).id).toBe('bbbb1111bbbb');
    await expect(drafts.create({ ...newDraftFixture(), project: '' })).rejects.toSatisfy(hasCode('INVALID_ARGUMENT'));
    expect((await drafts.list({})).map((e) => e.id)).toEqual(['bbbb1111bbbb', 'aaaa1111aaaa']);
  });

  it('lists and counts through the index, newest first', async () => {
    const drafts = new Drafts(options());
    await drafts.create(newDraftFixture());
    later(1);
    await drafts.create(newDraftFixture({ project: 'lib', signal: signalFixture({ project: 'lib' }) }));
    later(1);
    await drafts.create(newDraftFixture());
    expect((await drafts.list({})).map((e) => e.id)).toEqual(['bbbb1111bbbb', 'aaaa2222aaaa', 'aaaa1111aaaa']);
    expect((await drafts.list({ project: 'app' })).map((e) => e.id)).toEqual(['bbbb1111bbbb', 'aaaa1111aaaa']);
    expect(await drafts.counts('app')).toEqual({ pending: 2, adopted: 0, rejected: 0, expired: 0 });
    expect((await drafts.pendingForSignal('app', 'sig-repeated-warn-exit-1'))?.id).toBe('bbbb1111bbbb');
  });

  it('finds a draft by its unique 8-character short id, in any case; an ambiguous one is a CONFLICT', async () => {
    const drafts = new Drafts(options());
    for (let i = 0; i < 4; i++) await drafts.create(newDraftFixture());
    expect((await drafts.get('bbbb1111')).id).toBe('bbbb1111bbbb');
    expect((await drafts.get(' BBBB1111 ')).id).toBe('bbbb1111bbbb');
    await expect(drafts.get('aaaa1111')).rejects.toSatisfy(hasCode('CONFLICT'));
    await expect(drafts.get('aaaa1111')).rejects.toThrow('aaaa1111aaaa, aaaa1111ffff');
    expect(await drafts.find('cccc1111')).toBeUndefined();
  });

  it('answers NOT_FOUND naming the id, and refuses a malformed or path-like id', async () => {
    const drafts = new Drafts(options());
    await expect(drafts.get('cccccccccccc')).rejects.toSatisfy(hasCode('NOT_FOUND'));
    await expect(drafts.get('cccccccccccc')).rejects.toThrow('cccccccccccc');
    expect(await drafts.find('cccccccccccc')).toBeUndefined();
    for (const bad of ['../x', '../../etc/passwd', 'aaaa1111aaaa/..', '', 'aaaa111']) {
      await expect(drafts.get(bad)).rejects.toSatisfy(hasCode('INVALID_ARGUMENT'));
      await expect(drafts.transition(bad, ['pending'], 'rejected')).rejects.toSatisfy(hasCode('INVALID_ARGUMENT'));
    }
  });

  it('changes a status in the index and the file, with its time, reason and task', async () => {
    const drafts = new Drafts(options());
    const { id } = await drafts.create(newDraftFixture());
    later(2);
    const adopted = await drafts.transition('aaaa1111', ['pending'], 'adopted', {
      reason: ' adoption task\n queued ',
      taskId: 'task-9',
    });
    const expected = {
      status: 'adopted',
      statusChangedAt: clock.toISOString(),
      statusReason: 'adoption task queued',
      taskId: 'task-9',
    };
    expect(adopted).toMatchObject(expected);
    expect(await fileOf(id)).toMatchObject(expected);
    expect(await index.get(id)).toMatchObject(expected);
    await expect(drafts.transition(id, ['pending'], 'rejected')).rejects.toThrow(
      `draft ${id} is adopted (task task-9), not pending`,
    );
    await expect(drafts.transition(id, [], 'rejected')).rejects.toSatisfy(hasCode('INVALID_ARGUMENT'));
    await expect(drafts.transition('cccccccccccc', ['pending'], 'rejected')).rejects.toSatisfy(hasCode('NOT_FOUND'));
  });

  it('lets exactly one of two concurrent adopts win; the other gets CONFLICT', async () => {
    const drafts = new Drafts(options());
    const { id } = await drafts.create(newDraftFixture());
    const outcomes = await Promise.allSettled([
      drafts.transition(id, ['pending'], 'adopted', { taskId: 'task-a' }),
      drafts.transition(id, ['pending'], 'adopted', { taskId: 'task-b' }),
    ]);
    const won = outcomes.filter((o) => o.status === 'fulfilled');
    const lost = outcomes.filter((o) => o.status === 'rejected');
    expect(won).toHaveLength(1);
    expect(lost).toHaveLength(1);
    expect(lost[0]?.reason).toSatisfy(hasCode('CONFLICT'));
    const winner = won[0]?.value.taskId;
    expect((lost[0]?.reason as Error).message).toBe(`draft ${id} is adopted (task ${String(winner)}), not pending`);
    expect((await fileOf(id))['taskId']).toBe(winner);
  });

  it('expires pending drafts past their TTL, keeping their files; younger and decided drafts stay', async () => {
    const drafts = new Drafts(options());
    const old = await drafts.create(newDraftFixture());
    const decided = await drafts.create(newDraftFixture());
    await drafts.transition(decided.id, ['pending'], 'rejected', { reason: 'not useful' });
    later(48);
    const young = await drafts.create(newDraftFixture());
    later(25);
    const expired = await drafts.expireStale(72);
    expect(expired.map((d) => d.id)).toEqual([old.id]);
    expect(expired[0]).toMatchObject({ status: 'expired', statusReason: 'expired after 72 h' });
    expect(await fileOf(old.id)).toMatchObject({ status: 'expired', statusReason: 'expired after 72 h' });
    expect((await drafts.get(young.id)).status).toBe('pending');
    expect((await drafts.get(decided.id)).status).toBe('rejected');
    expect(await drafts.expireStale(72)).toEqual([]);
    await expect(drafts.expireStale(0)).rejects.toSatisfy(hasCode('INVALID_ARGUMENT'));
  });

  it('expires the drafts it can when the file of one was removed by hand', async () => {
    const drafts = new Drafts(options());
    const gone = await drafts.create(newDraftFixture());
    const kept = await drafts.create(newDraftFixture());
    await rm(join(dir, `${gone.id}.json`));
    later(100);
    expect((await drafts.expireStale(72)).map((d) => d.id)).toEqual([kept.id]);
    await expect(drafts.get(gone.id)).rejects.toSatisfy(hasCode('NOT_FOUND'));
  });

  it('reconciles a crash after the index changed: the file is rewritten with the later status', async () => {
    const drafts = new Drafts(options());
    const { id } = await drafts.create(newDraftFixture());
    later(1);
    // The index changed, the process died before the file was rewritten.
    await index.transition(id, ['pending'], 'rejected', { statusChangedAt: clock.toISOString(), statusReason: 'no' });
    expect(await fileOf(id)).toMatchObject({ status: 'pending' });
    expect((await drafts.get(id)).status).toBe('rejected');
    const reopened = await Drafts.open(options());
    expect(await fileOf(id)).toMatchObject({
      status: 'rejected',
      statusReason: 'no',
      statusChangedAt: clock.toISOString(),
    });
    expect(await reopened.reconcile()).toEqual({ indexed: 0, repaired: 0, unreadable: [] });
  });

  it('reconciles the other way: a file changed later than its index entry rewrites the entry', async () => {
    const drafts = new Drafts(options());
    const created = await drafts.create(newDraftFixture());
    later(1);
    await new FileDraftStore(dir).write({
      ...created,
      status: 'adopted',
      statusChangedAt: clock.toISOString(),
      taskId: 't-1',
    });
    expect(await drafts.reconcile()).toEqual({ indexed: 0, repaired: 1, unreadable: [] });
    expect(await index.get(created.id)).toMatchObject({ status: 'adopted', taskId: 't-1' });
  });

  it('indexes draft files the index does not know (a crash before the entry, or a lost database)', async () => {
    const first = new Drafts(options());
    const a = await first.create(newDraftFixture());
    const b = await first.create(newDraftFixture());
    await first.transition(b.id, ['pending'], 'adopted', { taskId: 't-2' });
    index = new InMemoryDraftIndex();
    const drafts = new Drafts(options());
    expect(await drafts.reconcile()).toEqual({ indexed: 2, repaired: 0, unreadable: [] });
    // Same generatedAt: the larger id first.
    expect((await drafts.list({})).map((e) => [e.id, e.status, e.taskId])).toEqual([
      [b.id, 'adopted', 't-2'],
      [a.id, 'pending', undefined],
    ]);
  });

  it('reports a corrupt draft file and carries on; reading it is an INTERNAL error naming the file', async () => {
    const drafts = new Drafts(options());
    const good = await drafts.create(newDraftFixture());
    const file = join(dir, 'cccccccccccc.json');
    await writeFile(file, '{"id": "cccccccccccc", "status": "pending"}');
    const report = await drafts.reconcile();
    expect(report.unreadable).toEqual([`draft file ${file} is corrupt: project is not a non-empty string`]);
    expect(await drafts.get(good.id)).toEqual(good);
    await expect(drafts.get('cccccccc')).rejects.toSatisfy(hasCode('INTERNAL'));
    await expect(drafts.get('cccccccc')).rejects.toThrow(file);
  });
});

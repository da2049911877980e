import { deepStrictEqual, equal, rejects } from 'node:assert/strict';
import type { DraftStatus } from '../../gc.types.js';
import type { DraftIndex, DraftIndexEntry } from '../draft-index.js';

/** One expectation of the DraftIndex port, run against each implementation with a fresh, empty index. @public */
export interface DraftIndexContractCheck {
  readonly name: string;
  run(index: DraftIndex): Promise<void>;
}

/** 2026-11-24T10:<minute>:00.000Z (minutes past 59 roll over into the next hours). @public */
export const contractDraftInstant = (minute: number): string =>
  new Date(Date.UTC(2026, 10, 24, 10, 0, 0) + minute * 60_000).toISOString();

/** The contract's draft id number `n`: 12 hex digits. @public */
export const contractDraftId = (n: number): string => n.toString(16).padStart(12, '0');

const entry = (n: number, overrides: Partial<DraftIndexEntry> = {}): DraftIndexEntry => ({
  id: contractDraftId(n),
  project: 'app',
  status: 'pending',
  signalType: 'repeated_warn',
  signalId: `sig-${String(n)}`,
  signalKey: 'exit 1',
  priority: 3,
  artifactCount: 1,
  agent: 'claude',
  generatedAt: contractDraftInstant(n),
  ...overrides,
});

/** The entry without its unset fields: an adapter may answer `taskId: undefined` where another leaves it out. */
const defined = (value: DraftIndexEntry | undefined): Record<string, unknown> | undefined =>
  value === undefined
    ? undefined
    : Object.fromEntries(Object.entries(value).filter(([, field]) => field !== undefined));

const idsOf = (entries: readonly DraftIndexEntry[]): string[] => entries.map((e) => e.id);
const ids = (...numbers: number[]): string[] => numbers.map(contractDraftId);

const invalid = (error: unknown): boolean =>
  typeof error === 'object' && error !== null && 'code' in error && error.code === 'INVALID_ARGUMENT';

const noDrafts: Record<DraftStatus, number> = { pending: 0, adopted: 0, rejected: 0, expired: 0 };

/**
 * What every DraftIndex must do, checked against the SQL adapter (libs/persistence, real SQLite) and
 * the in-memory one alike, so tests on the in-memory index mean what they say.
 * @public
 */
export const draftIndexContract: readonly DraftIndexContractCheck[] = [
  {
    name: 'stores every field and reads an entry back as it was; an unknown id is undefined',
    async run(index) {
      const full = entry(1, {
        status: 'adopted',
        signalType: 'chronic_block',
        signalKey: 'pre-commit: "lint" failed\nagain',
        priority: 1,
        artifactCount: 3,
        costUsd: 0.42,
        statusChangedAt: contractDraftInstant(5),
        statusReason: 'adoption task queued',
        taskId: 'task-1',
      });
      const minimal = entry(2);
      await index.upsert(full);
      await index.upsert(minimal);
      deepStrictEqual(defined(await index.get(full.id)), defined(full));
      deepStrictEqual(defined(await index.get(minimal.id)), defined(minimal));
      equal(await index.get(contractDraftId(3)), undefined);
    },
  },
  {
    name: 'upsert replaces the entry with the same id',
    async run(index) {
      await index.upsert(entry(1, { costUsd: 1, statusReason: 'first' }));
      const replaced = entry(1, { status: 'rejected', artifactCount: 0, statusChangedAt: contractDraftInstant(9) });
      await index.upsert(replaced);
      deepStrictEqual(defined(await index.get(replaced.id)), defined(replaced));
      equal((await index.list({})).length, 1);
    },
  },
  {
    name: 'lists newest generatedAt first (ties: id descending), filtered by project and status',
    async run(index) {
      await index.upsert(entry(1));
      await index.upsert(entry(2, { project: 'lib' }));
      await index.upsert(entry(3, { status: 'adopted' }));
      await index.upsert(entry(4, { generatedAt: contractDraftInstant(3) }));
      deepStrictEqual(idsOf(await index.list({})), ids(4, 3, 2, 1));
      deepStrictEqual(idsOf(await index.list({ project: 'app' })), ids(4, 3, 1));
      deepStrictEqual(idsOf(await index.list({ status: 'pending' })), ids(4, 2, 1));
      deepStrictEqual(idsOf(await index.list({ project: 'app', status: 'adopted' })), ids(3));
      deepStrictEqual(idsOf(await index.list({ project: 'nowhere' })), []);
    },
  },
  {
    name: 'bounds listings: 100 by default, the limit when given; a limit that is not a whole number ≥ 1 is refused',
    async run(index) {
      for (let n = 1; n <= 105; n++) await index.upsert(entry(n));
      const all = await index.list({});
      equal(all.length, 100);
      equal(all[0]?.id, contractDraftId(105));
      deepStrictEqual(idsOf(await index.list({ limit: 2 })), ids(105, 104));
      equal((await index.list({ limit: 1000 })).length, 105);
      await rejects(index.list({ limit: 0 }), invalid);
      await rejects(index.list({ limit: 1.5 }), invalid);
      await rejects(index.list({ limit: -3 }), invalid);
    },
  },
  {
    name: 'transition changes the status only from one of the given statuses; reason and task id are set when given, kept otherwise',
    async run(index) {
      await index.upsert(entry(1, { statusReason: 'made' }));
      equal(
        await index.transition(contractDraftId(1), ['rejected', 'expired'], 'adopted', {
          statusChangedAt: contractDraftInstant(10),
        }),
        false,
      );
      equal((await index.get(contractDraftId(1)))?.status, 'pending', 'a refused transition changes nothing');
      equal(
        await index.transition(contractDraftId(1), [], 'adopted', { statusChangedAt: contractDraftInstant(10) }),
        false,
      );
      equal(
        await index.transition(contractDraftId(9), ['pending'], 'adopted', {
          statusChangedAt: contractDraftInstant(10),
        }),
        false,
      );

      equal(
        await index.transition(contractDraftId(1), ['pending'], 'adopted', {
          statusChangedAt: contractDraftInstant(10),
        }),
        true,
      );
      let stored = await index.get(contractDraftId(1));
      equal(stored?.status, 'adopted');
      equal(stored.statusChangedAt, contractDraftInstant(10));
      equal(stored.statusReason, 'made', 'an absent reason is kept');
      equal(stored.taskId, undefined);

      const patch = { statusChangedAt: contractDraftInstant(11), statusReason: 'task queued', taskId: 'task-7' };
      equal(await index.transition(contractDraftId(1), ['pending', 'adopted'], 'adopted', patch), true);
      stored = await index.get(contractDraftId(1));
      deepStrictEqual(defined(stored), defined(entry(1, { status: 'adopted', ...patch })));
      equal(
        await index.transition(contractDraftId(1), ['pending'], 'rejected', {
          statusChangedAt: contractDraftInstant(12),
        }),
        false,
      );
    },
  },
  {
    name: 'of two concurrent transitions from pending exactly one wins',
    async run(index) {
      await index.upsert(entry(1));
      const outcomes = await Promise.all([
        index.transition(contractDraftId(1), ['pending'], 'adopted', {
          statusChangedAt: contractDraftInstant(10),
          taskId: 'a',
        }),
        index.transition(contractDraftId(1), ['pending'], 'rejected', {
          statusChangedAt: contractDraftInstant(10),
          statusReason: 'no',
        }),
      ]);
      equal(outcomes.filter(Boolean).length, 1);
      const stored = await index.get(contractDraftId(1));
      equal(stored?.status, outcomes[0] ? 'adopted' : 'rejected');
    },
  },
  {
    name: 'counts every status, zero included, in one project or in all',
    async run(index) {
      deepStrictEqual(await index.countByStatus(), noDrafts);
      await index.upsert(entry(1));
      await index.upsert(entry(2));
      await index.upsert(entry(3, { status: 'adopted' }));
      await index.upsert(entry(4, { status: 'expired', project: 'lib' }));
      deepStrictEqual(await index.countByStatus(), { pending: 2, adopted: 1, rejected: 0, expired: 1 });
      deepStrictEqual(await index.countByStatus('app'), { pending: 2, adopted: 1, rejected: 0, expired: 0 });
      deepStrictEqual(await index.countByStatus('nowhere'), noDrafts);
    },
  },
  {
    name: 'pendingBefore answers pending drafts generated strictly before the cutoff, oldest first, at most limit',
    async run(index) {
      await index.upsert(entry(4));
      await index.upsert(entry(1));
      await index.upsert(entry(3, { status: 'rejected' }));
      await index.upsert(entry(2, { project: 'lib' }));
      await index.upsert(entry(5));
      await index.upsert(entry(6, { generatedAt: contractDraftInstant(1) }));
      deepStrictEqual(await index.pendingBefore(contractDraftInstant(5), 10), ids(1, 6, 2, 4));
      deepStrictEqual(await index.pendingBefore(contractDraftInstant(5), 2), ids(1, 6));
      deepStrictEqual(await index.pendingBefore(contractDraftInstant(0), 10), []);
    },
  },
  {
    name: 'pendingForSignal answers the newest pending draft of that project and signal, and nothing otherwise',
    async run(index) {
      await index.upsert(entry(1, { signalId: 'sig-a' }));
      await index.upsert(entry(2, { signalId: 'sig-a' }));
      await index.upsert(entry(3, { signalId: 'sig-a', status: 'adopted' }));
      await index.upsert(entry(4, { signalId: 'sig-b', status: 'rejected' }));
      await index.upsert(entry(5, { signalId: 'sig-a', project: 'lib' }));
      equal((await index.pendingForSignal('app', 'sig-a'))?.id, contractDraftId(2));
      equal((await index.pendingForSignal('lib', 'sig-a'))?.id, contractDraftId(5));
      equal(await index.pendingForSignal('app', 'sig-b'), undefined);
      equal(await index.pendingForSignal('app', 'sig-c'), undefined);
    },
  },
];

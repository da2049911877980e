import { deepStrictEqual, equal, ok, rejects } from 'node:assert/strict';
import type { EventStore } from '../events/event-store.js';
import { TRUNCATION_MARK, type NewTelemetryEvent } from '../events/telemetry-event.js';

/** One expectation of the EventStore port, run against each implementation with a fresh, empty store. @public */
export interface EventStoreContractCheck {
  readonly name: string;
  run(store: EventStore): Promise<void>;
}

/** 2026-11-24T10:00:<second>.000Z @public */
export const contractInstant = (second: number): string =>
  new Date(Date.UTC(2026, 10, 24, 10, 0, 0) + second * 1000).toISOString();

const event = (second: number, overrides: Partial<NewTelemetryEvent> = {}): NewTelemetryEvent => ({
  ts: contractInstant(second),
  hook: 'validation',
  decision: 'pass',
  project: 'app',
  ...overrides,
});

const invalid = (error: unknown): boolean =>
  typeof error === 'object' && error !== null && 'code' in error && error.code === 'INVALID_ARGUMENT';

/**
 * What every EventStore must do, checked against the SQL adapter (real SQLite) and the in-memory
 * fake alike, so unit tests on the fake mean what they say.
 * @public
 */
export const eventStoreContract: readonly EventStoreContractCheck[] = [
  {
    name: 'stores every field and reads events back newest first, content only when asked, unset fields absent',
    async run(store) {
      const full: NewTelemetryEvent = {
        ts: '2026-11-24T10:00:01Z',
        hook: 'validation',
        decision: 'block',
        project: 'app',
        taskId: 't1',
        sessionId: 's1',
        tool: 'npm test',
        severity: 'high',
        reason: 'exit 1',
        detail: 'src/a.ts:3',
        durationMs: 1234.4,
        content: 'FAIL src/a.spec.ts',
      };
      await store.append([full, event(2, { hook: 'file_edit', project: undefined })]);
      const [newest, first] = await store.query({ limit: 10 });
      ok(newest !== undefined && first !== undefined);
      ok(newest.id > first.id, 'ids grow with every append');
      const { content: _content, ...withoutContent } = full;
      deepStrictEqual(first, {
        ...withoutContent,
        id: first.id,
        ts: '2026-11-24T10:00:01.000Z',
        durationMs: 1234,
      });
      deepStrictEqual(newest, { id: newest.id, ts: contractInstant(2), hook: 'file_edit', decision: 'pass' });
      const [withContent] = await store.query({ limit: 1, taskId: 't1', includeContent: true });
      equal(withContent?.content, 'FAIL src/a.spec.ts');
    },
  },
  {
    name: 'cuts long text at its byte limit on a character boundary, and refuses what it cannot store faithfully',
    async run(store) {
      const long = 'é'.repeat(3000); // 6000 bytes of UTF-8
      await store.append([event(1, { detail: long, content: 'x'.repeat(70_000), reason: 'r'.repeat(5000) })]);
      const [stored] = await store.query({ limit: 1, includeContent: true });
      ok(stored?.detail?.endsWith(TRUNCATION_MARK) === true);
      equal(new TextEncoder().encode(stored.detail).length <= 4096, true);
      ok(stored.detail.startsWith('éé') && !stored.detail.includes('\uFFFD'));
      equal(new TextEncoder().encode(stored.content).length <= 65_536, true);
      equal(new TextEncoder().encode(stored.reason).length <= 1024, true);
      // One bad event in a batch stores none of it.
      await rejects(store.append([event(2), event(3, { decision: 'maybe' as 'pass' })]), invalid);
      await rejects(store.append([event(2, { ts: 'yesterday' })]), invalid);
      await rejects(store.append([event(2, { hook: 'Bad Hook' })]), invalid);
      await rejects(store.append([event(2, { durationMs: -1 })]), invalid);
      equal((await store.query({ limit: 10 })).length, 1);
    },
  },
  {
    name: 'filters by every field, time bounds since-inclusive and until-exclusive',
    async run(store) {
      await store.append([
        event(1, { taskId: 't1', tool: 'lint', durationMs: 10 }),
        event(2, { taskId: 't1', decision: 'block', tool: 'test', durationMs: 9000 }),
        event(3, { project: 'lib', hook: 'rule_check', severity: 'low', sessionId: 'scan-1', detail: 'a.ts:1' }),
        event(4, { hook: 'file_edit', detail: 'a.ts' }),
      ]);
      const ids = async (filter: Parameters<EventStore['query']>[0]): Promise<string[]> =>
        (await store.query(filter)).map((e) => e.ts.slice(17, 19));
      deepStrictEqual(await ids({ limit: 10, project: 'app' }), ['04', '02', '01']);
      deepStrictEqual(await ids({ limit: 10, taskId: 't1', decision: 'block' }), ['02']);
      deepStrictEqual(await ids({ limit: 10, tool: 'lint' }), ['01']);
      deepStrictEqual(await ids({ limit: 10, sessionId: 'scan-1', severity: 'low' }), ['03']);
      deepStrictEqual(await ids({ limit: 10, hook: 'file_edit', detail: 'a.ts' }), ['04']);
      deepStrictEqual(await ids({ limit: 10, hooks: ['file_edit', 'rule_check'] }), ['04', '03']);
      deepStrictEqual(await ids({ limit: 10, hooks: [] }), []);
      deepStrictEqual(await ids({ limit: 10, since: contractInstant(2), until: contractInstant(4) }), ['03', '02']);
      deepStrictEqual(await ids({ limit: 10, since: '2026-11-24T10:00:02Z' }), ['04', '03', '02']);
      deepStrictEqual(await ids({ limit: 10, minDurationMs: 5000 }), ['02']);
    },
  },
  {
    name: 'pages by keyset without gaps or repeats, and bounds every page',
    async run(store) {
      await store.append(Array.from({ length: 25 }, (_, i) => event(i)));
      const seen: number[] = [];
      let beforeId: number | undefined;
      for (let page = 0; page < 10; page++) {
        const events = await store.query({ limit: 10, beforeId });
        seen.push(...events.map((e) => e.id));
        const last = events.at(-1);
        if (events.length < 10 || last === undefined) break;
        beforeId = last.id;
      }
      equal(seen.length, 25);
      equal(new Set(seen).size, 25);
      deepStrictEqual(
        seen,
        [...seen].sort((a, b) => b - a),
      );
      await rejects(store.query({ limit: 0 }), invalid);
      await rejects(store.query({ limit: 10, beforeId: 1.5 }), invalid);
      await rejects(store.query({ limit: 10, hooks: Array.from({ length: 101 }, (_, i) => `h${String(i)}`) }), invalid);
      await store.append(Array.from({ length: 1100 }, (_, i) => event(i % 60)));
      equal((await store.query({ limit: 5000 })).length, 1000);
    },
  },
  {
    name: 'counts by keys, most frequent first, ties by key with unset first, bounded by a group limit',
    async run(store) {
      await store.append([
        event(1, { hook: 'validation', decision: 'pass', tool: 'lint' }),
        event(2, { hook: 'validation', decision: 'block', tool: 'lint' }),
        event(3, { hook: 'validation', decision: 'pass', tool: 'test' }),
        event(4, { hook: 'validation', decision: 'pass', tool: 'lint' }),
        event(5, { hook: 'file_edit', decision: 'pass' }),
        event(6, { hook: 'task_failed', decision: 'block', reason: 'agent_timeout', project: 'lib' }),
      ]);
      deepStrictEqual(await store.countBy({ hook: 'validation' }, ['decision', 'tool']), [
        { decision: 'pass', tool: 'lint', count: 2 },
        { decision: 'block', tool: 'lint', count: 1 },
        { decision: 'pass', tool: 'test', count: 1 },
      ]);
      deepStrictEqual(await store.countBy({ project: 'app' }, ['tool']), [
        { tool: 'lint', count: 3 },
        { tool: null, count: 1 },
        { tool: 'test', count: 1 },
      ]);
      deepStrictEqual(await store.countBy({}, ['hook'], 2), [
        { hook: 'validation', count: 4 },
        { hook: 'file_edit', count: 1 },
      ]);
      deepStrictEqual(await store.countBy({ decision: 'block', since: contractInstant(2) }, ['project', 'reason']), [
        { project: 'app', reason: null, count: 1 },
        { project: 'lib', reason: 'agent_timeout', count: 1 },
      ]);
      deepStrictEqual(await store.countBy({ hook: 'validation' }, []), [{ count: 4 }]);
      deepStrictEqual(await store.countBy({ hook: 'nothing' }, []), [{ count: 0 }]);
      deepStrictEqual(await store.countBy({ hook: 'nothing' }, ['tool']), []);
      await rejects(store.countBy({}, ['ts' as 'tool']), invalid);
      await rejects(store.countBy({}, ['tool', 'tool']), invalid);
    },
  },
  {
    name: 'gives the newest matching event without its content, or undefined',
    async run(store) {
      await store.append([
        event(5, { hook: 'rule_scan', sessionId: 'scan-1', content: 'big' }),
        event(1, { hook: 'rule_scan', sessionId: 'scan-2', content: 'big' }),
        event(9, { hook: 'rule_scan', sessionId: 'scan-3', project: 'lib' }),
      ]);
      const latest = await store.latest({ project: 'app', hook: 'rule_scan' });
      equal(latest?.sessionId, 'scan-2', 'the last appended, whatever its ts');
      equal(latest.content, undefined);
      equal(await store.latest({ project: 'other' }), undefined);
    },
  },
  {
    name: 'gives the oldest matching event without its content, or undefined',
    async run(store) {
      await store.append([
        event(9, { hook: 'rule_scan', sessionId: 'scan-1', project: 'lib' }),
        event(5, { hook: 'rule_scan', sessionId: 'scan-2', content: 'big' }),
        event(1, { hook: 'rule_scan', sessionId: 'scan-3', content: 'big' }),
        event(7, { hook: 'file_edit', sessionId: 'scan-4' }),
      ]);
      const earliest = await store.earliest({ project: 'app', hook: 'rule_scan' });
      equal(earliest?.sessionId, 'scan-2', 'the first appended, whatever its ts');
      equal(earliest.content, undefined);
      equal((await store.earliest({ project: 'app', since: contractInstant(6) }))?.sessionId, 'scan-4');
      equal(await store.earliest({ project: 'other' }), undefined);
      await rejects(store.earliest({ beforeId: 0 }), invalid);
    },
  },
  {
    name: 'bounds counts and first/last reads by id (beforeId), as it pages queries',
    async run(store) {
      await store.append(Array.from({ length: 6 }, (_, i) => event(i, { decision: i % 2 === 0 ? 'warn' : 'pass' })));
      const ids = (await store.query({ limit: 10 })).map((e) => e.id).reverse();
      const fourth = ids[3];
      ok(fourth !== undefined);
      deepStrictEqual(await store.countBy({ beforeId: fourth }, []), [{ count: 3 }]);
      deepStrictEqual(await store.countBy({ beforeId: fourth }, ['decision']), [
        { decision: 'warn', count: 2 },
        { decision: 'pass', count: 1 },
      ]);
      equal((await store.latest({ beforeId: fourth }))?.id, ids[2]);
      equal((await store.earliest({ beforeId: fourth, decision: 'pass' }))?.id, ids[1]);
      equal(await store.earliest({ beforeId: ids[0] }), undefined);
      await rejects(store.countBy({ beforeId: -1 }, []), invalid);
    },
  },
  {
    name: 'deletes only events older than the cutoff, oldest first, one bounded batch per call; ids never reused',
    async run(store) {
      await store.append([event(30), event(10), event(20), event(40), event(5)]);
      const [newestBefore] = await store.query({ limit: 1 });
      equal(await store.deleteOlderThan(contractInstant(35), 2), 2);
      deepStrictEqual(
        (await store.query({ limit: 10 })).map((e) => e.ts),
        [contractInstant(40), contractInstant(20), contractInstant(30)],
      );
      equal(await store.deleteOlderThan(contractInstant(35), 2), 2);
      equal(await store.deleteOlderThan(contractInstant(35), 2), 0);
      deepStrictEqual(
        (await store.query({ limit: 10 })).map((e) => e.ts),
        [contractInstant(40)],
      );
      equal(await store.deleteOlderThan(contractInstant(41), 10), 1);
      await store.append([event(50)]);
      const [next] = await store.query({ limit: 1 });
      ok(next !== undefined && newestBefore !== undefined && next.id > newestBefore.id);
      await rejects(store.deleteOlderThan(contractInstant(1), 0), invalid);
      await rejects(store.deleteOlderThan('soon', 10), invalid);
    },
  },
];

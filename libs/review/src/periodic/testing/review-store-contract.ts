import { deepStrictEqual, equal, rejects } from 'node:assert/strict';
import type { ReviewFinding } from '../review-report.js';
import type { ReviewRun, ReviewStore } from '../review-store.js';

/** One expectation of the ReviewStore port, run against each implementation with a fresh, empty store. @public */
export interface ReviewStoreContractCheck {
  readonly name: string;
  run(store: ReviewStore): Promise<void>;
}

/** 2026-11-24T10:<minute>:00.000Z (minutes past 59 roll over). @public */
export const contractReviewInstant = (minute: number): string =>
  new Date(Date.UTC(2026, 10, 24, 10, 0, 0) + minute * 60_000).toISOString();

const finding = (n: number, overrides: Partial<ReviewFinding> = {}): ReviewFinding => ({
  id: `F-${String(n)}`,
  severity: 'medium',
  title: `finding ${String(n)}`,
  description: 'what is wrong',
  ...overrides,
});

const run = (n: number, overrides: Partial<ReviewRun> = {}): ReviewRun => ({
  id: `run-${String(n).padStart(3, '0')}`,
  project: 'app',
  head: String(n).padStart(40, 'a'),
  strategy: 'single',
  agents: ['claude'],
  status: 'done',
  summary: `review ${String(n)}`,
  startedAt: contractReviewInstant(n),
  finishedAt: contractReviewInstant(n + 1),
  durationMs: 60_000,
  findings: [],
  ...overrides,
});

/** The value without its unset fields, findings too: an adapter may answer `x: undefined` where another leaves it out. */
function defined(value: ReviewRun | undefined): unknown {
  if (value === undefined) return undefined;
  const strip = (o: object): Record<string, unknown> =>
    Object.fromEntries(Object.entries(o).filter(([, field]) => field !== undefined));
  return { ...strip(value), agents: [...value.agents], findings: value.findings.map(strip) };
}

const idsOf = (runs: readonly ReviewRun[]): string[] => runs.map((r) => r.id);

const hasCode =
  (code: string) =>
  (error: unknown): boolean =>
    typeof error === 'object' && error !== null && 'code' in error && error.code === code;

/**
 * What every ReviewStore must do, checked against the SQL adapter (libs/persistence, real SQLite)
 * and the in-memory one alike.
 * @public
 */
export const reviewStoreContract: readonly ReviewStoreContractCheck[] = [
  {
    name: 'stores every field of a run and its findings, in order, and reads them back; an unknown id is undefined',
    async run(store) {
      const full = run(1, {
        previousHead: 'b'.repeat(40),
        strategy: 'cross',
        agents: ['claude', 'codex'],
        summary: 'Two "bugs"\nand a <tag> ✓',
        note: 'merged by claude',
        costUsd: 0.37,
        findings: [
          finding(2, {
            severity: 'critical',
            file: 'src/a b.ts',
            line: 12,
            suggestion: 'escape it',
            title: 'SQL built from "input"',
          }),
          finding(1, { severity: 'low' }),
          finding(3, { severity: 'high', file: 'README.md' }),
        ],
      });
      const failed = run(2, { status: 'failed', summary: '', error: 'no review found' });
      await store.save(full);
      await store.save(failed);
      deepStrictEqual(defined(await store.get(full.id)), defined(full));
      deepStrictEqual(defined(await store.get(failed.id)), defined(failed));
      equal(await store.get('run-999'), undefined);
    },
  },
  {
    name: 'lists newest first (startedAt, then id), with findings, by project, within the limit',
    async run(store) {
      await store.save(run(1, { findings: [finding(1)] }));
      await store.save(run(3, { project: 'other' }));
      await store.save(run(2, { findings: [finding(1), finding(2)] }));
      await store.save(run(4, { startedAt: contractReviewInstant(2) }));
      deepStrictEqual(idsOf(await store.list({})), ['run-003', 'run-004', 'run-002', 'run-001']);
      const app = await store.list({ project: 'app' });
      deepStrictEqual(idsOf(app), ['run-004', 'run-002', 'run-001']);
      deepStrictEqual(
        app.map((r) => r.findings.map((f) => f.id)),
        [[], ['F-1', 'F-2'], ['F-1']],
      );
      deepStrictEqual(idsOf(await store.list({ project: 'app', limit: 2 })), ['run-004', 'run-002']);
      deepStrictEqual(await store.list({ project: 'none' }), []);
    },
  },
  {
    name: 'lists 20 by default and at most 100; a limit that is not a whole number ≥ 1 is INVALID_ARGUMENT',
    async run(store) {
      for (let n = 1; n <= 101; n++) await store.save(run(n));
      equal((await store.list({})).length, 20);
      equal((await store.list({ limit: 5000 })).length, 100);
      for (const limit of [0, -1, 1.5, Number.NaN])
        await rejects(store.list({ limit }), hasCode('INVALID_ARGUMENT'), `limit ${String(limit)}`);
    },
  },
  {
    name: 'a second run with the same id, or a run with two findings of one id, is CONFLICT and stores nothing',
    async run(store) {
      await store.save(run(1, { summary: 'first' }));
      await rejects(store.save(run(1, { summary: 'second' })), hasCode('CONFLICT'));
      equal((await store.get('run-001'))?.summary, 'first');
      await rejects(
        store.save(run(2, { findings: [finding(1), finding(1, { title: 'again' })] })),
        hasCode('CONFLICT'),
      );
      equal(await store.get('run-002'), undefined);
      deepStrictEqual(idsOf(await store.list({})), ['run-001']);
    },
  },
  {
    name: "the last reviewed head is the head of the project's newest done run (failed runs and other projects aside)",
    async run(store) {
      equal(await store.lastReviewedHead('app'), undefined);
      await store.save(run(1, { head: 'h1' }));
      await store.save(run(2, { head: 'h2' }));
      await store.save(run(3, { head: 'h3', status: 'failed', error: 'agent failed' }));
      await store.save(run(4, { head: 'h4', project: 'other' }));
      equal(await store.lastReviewedHead('app'), 'h2');
      equal(await store.lastReviewedHead('other'), 'h4');
      equal(await store.lastReviewedHead('none'), undefined);
    },
  },
  {
    name: 'hands out copies: changing a run read back changes nothing stored',
    async run(store) {
      await store.save(run(1, { findings: [finding(1)] }));
      const read = await store.get('run-001');
      (read as { summary: string }).summary = 'changed';
      (read?.findings[0] as { title: string }).title = 'changed';
      equal((await store.get('run-001'))?.summary, 'review 1');
      equal((await store.get('run-001'))?.findings[0]?.title, 'finding 1');
    },
  },
];

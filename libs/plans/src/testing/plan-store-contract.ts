import { deepStrictEqual, equal, rejects } from 'node:assert/strict';
import type { ExecPlan } from '../exec-plan.types.js';
import type { PlanStore } from '../plan-store.js';

/** One expectation of the PlanStore port, run against each implementation with a fresh, empty store. @public */
export interface PlanStoreContractCheck {
  readonly name: string;
  run(store: PlanStore): Promise<void>;
}

/** 2026-11-24T10:<minute>:00.000Z (minutes past 59 roll over into the next hours). @public */
export const contractPlanInstant = (minute: number): string =>
  new Date(Date.UTC(2026, 10, 24, 10, 0, 0) + minute * 60_000).toISOString();

/** The contract's plan id number `n`: 12 hex digits. @public */
export const contractPlanId = (n: number): string => n.toString(16).padStart(12, '0');

/** A plan numbered `n`, never stored (version 0), updated at minute `n`. @public */
export function contractPlan(n: number, overrides: Partial<ExecPlan> = {}): ExecPlan {
  return {
    id: contractPlanId(n),
    purpose: `Plan ${String(n)}`,
    project: 'app',
    status: 'draft',
    progress: [{ description: 'First milestone', completed: false }],
    concreteSteps: [],
    decisionLog: [],
    surprises: [],
    validation: { tests: [], checks: [] },
    taskLinks: [],
    createdAt: contractPlanInstant(0),
    updatedAt: contractPlanInstant(n),
    version: 0,
    ...overrides,
  };
}

const code = (expected: string) => (error: unknown) =>
  typeof error === 'object' && error !== null && 'code' in error && error.code === expected;

const idsOf = (plans: readonly ExecPlan[]): string[] => plans.map((p) => p.id);
const ids = (...numbers: number[]): string[] => numbers.map(contractPlanId);

/** Every field the model has, with text that Markdown or SQL might mangle. */
const fullPlan = (): ExecPlan =>
  contractPlan(1, {
    purpose: 'Ship the "exec plans" — with quotes, \'apostrophes\' and ünïcödé',
    status: 'active',
    progress: [
      { description: 'Schema', completed: true, completedAt: contractPlanInstant(2) },
      { description: 'Service', completed: false },
    ],
    concreteSteps: [
      { description: 'Write the migration', files: ['libs/a.ts', 'docs/b.md'], completed: true },
      { description: 'No files', files: [], completed: false },
    ],
    decisionLog: [{ decision: 'JSON body', rationale: 'Portable.\n\nAnd simple.', timestamp: contractPlanInstant(3) }],
    surprises: [{ description: 'WAL', evidence: 'busy timeout', timestamp: contractPlanInstant(4) }],
    validation: { tests: ['npm test'], checks: ['lint is clean'] },
    taskLinks: [
      {
        taskId: 'task-1',
        milestone: 0,
        linkedAt: contractPlanInstant(1),
        outcome: 'done',
        endedAt: contractPlanInstant(2),
      },
      { taskId: 'task-2', milestone: 1, linkedAt: contractPlanInstant(1) },
    ],
  });

/**
 * What every PlanStore must do, checked against the SQL adapter (libs/persistence, real SQLite)
 * and the in-memory one alike, so tests on the in-memory store mean what they say.
 * @public
 */
export const planStoreContract: readonly PlanStoreContractCheck[] = [
  {
    name: 'stores every field and reads the plan back as stored, version 1; an unknown id is undefined',
    async run(store) {
      const plan = fullPlan();
      const saved = await store.save(plan);
      deepStrictEqual(saved, { ...plan, version: 1 });
      deepStrictEqual(await store.get(plan.id), saved);
      equal(await store.get(contractPlanId(99)), undefined);
    },
  },
  {
    name: 'a write from the stored version replaces the plan and raises the version; a stale one is CONFLICT',
    async run(store) {
      const first = await store.save(contractPlan(1));
      const second = await store.save({ ...first, status: 'active', updatedAt: contractPlanInstant(5) });
      equal(second.version, 2);
      await rejects(store.save({ ...first, purpose: 'Lost update' }), code('CONFLICT'));
      deepStrictEqual(await store.get(first.id), second);
      await rejects(store.save(contractPlan(1)), code('CONFLICT'));
      await rejects(store.save({ ...contractPlan(2), version: 3 }), code('NOT_FOUND'));
      equal(await store.get(contractPlanId(2)), undefined);
    },
  },
  {
    name: 'refuses a plan out of bounds or malformed, storing nothing',
    async run(store) {
      await rejects(store.save(contractPlan(1, { purpose: 'x'.repeat(501) })), code('INVALID_ARGUMENT'));
      await rejects(store.save(contractPlan(2, { id: 'not-an-id' })), code('INVALID_ARGUMENT'));
      await rejects(
        store.save(contractPlan(3, { taskLinks: [{ taskId: 't', milestone: 5, linkedAt: contractPlanInstant(1) }] })),
        code('INVALID_ARGUMENT'),
      );
      deepStrictEqual(await store.list(), []);
    },
  },
  {
    name: 'lists newest update first, by project and status, within the limit',
    async run(store) {
      await store.save(contractPlan(1));
      await store.save(contractPlan(2, { project: 'other' }));
      await store.save(contractPlan(3, { status: 'active' }));
      await store.save(contractPlan(4, { updatedAt: contractPlanInstant(3) }));
      deepStrictEqual(idsOf(await store.list()), ids(4, 3, 2, 1));
      deepStrictEqual(idsOf(await store.list({ project: 'app' })), ids(4, 3, 1));
      deepStrictEqual(idsOf(await store.list({ status: 'active' })), ids(3));
      deepStrictEqual(idsOf(await store.list({ project: 'app', status: 'draft', limit: 1 })), ids(4));
      await rejects(store.list({ limit: 0 }), code('INVALID_ARGUMENT'));
    },
  },
  {
    name: 'finds the plan a task is linked to; a task is linked in one plan only',
    async run(store) {
      const saved = await store.save(fullPlan());
      equal((await store.findByTask('task-2'))?.id, saved.id);
      equal(await store.findByTask('task-9'), undefined);
      const other = contractPlan(2, {
        taskLinks: [{ taskId: 'task-2', milestone: 0, linkedAt: contractPlanInstant(2) }],
      });
      await rejects(store.save(other), code('CONFLICT'));
      equal(await store.get(other.id), undefined);
      // A link dropped from a plan no longer finds it.
      await store.save({ ...saved, taskLinks: saved.taskLinks.filter((l) => l.taskId !== 'task-2') });
      equal(await store.findByTask('task-2'), undefined);
      equal((await store.findByTask('task-1'))?.id, saved.id);
      equal((await store.save(other)).version, 1);
      equal((await store.findByTask('task-2'))?.id, other.id);
    },
  },
  {
    name: 'looks ids up by prefix, in order; a prefix that is not hex finds none',
    async run(store) {
      await store.save(contractPlan(0xabc1));
      await store.save(contractPlan(0xabc2));
      await store.save(contractPlan(0x1));
      deepStrictEqual(await store.idsWithPrefix('00000000abc', 10), ids(0xabc1, 0xabc2));
      deepStrictEqual(await store.idsWithPrefix('00000000abc', 1), ids(0xabc1));
      deepStrictEqual(await store.idsWithPrefix(contractPlanId(1), 10), ids(1));
      deepStrictEqual(await store.idsWithPrefix('%', 10), []);
      deepStrictEqual(await store.idsWithPrefix("0' OR 1=1 --", 10), []);
    },
  },
];

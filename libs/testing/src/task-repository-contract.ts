import { deepStrictEqual, equal, notEqual, rejects } from 'node:assert/strict';
import { TASK_SEARCH_CHARS, taskListing, type Task, type TaskRepository } from '@agent-harness/queue';

/** One expectation of a port, run against each of its implementations. @public */
export interface ContractCheck<Port> {
  readonly name: string;
  run(port: Port): Promise<void>;
}

/**
 * A queued prompt task of project `app` for tests; ids ending in a digit get distinct creation
 * times (…:0<digit>). @public
 */
export function taskFixture(id: string, overrides: Partial<Task> = {}): Task {
  const second = /\d$/.test(id) ? id.slice(-1) : '0';
  return {
    id,
    project: 'app',
    kind: 'prompt',
    prompt: `do ${id}`,
    status: 'queued',
    attempt: 1,
    inputTokens: 0,
    outputTokens: 0,
    validationRetries: 0,
    reviewRounds: 0,
    createdAt: `2026-11-23T10:00:0${second}.000Z`,
    updatedAt: '2026-11-23T10:00:00.000Z',
    version: 1,
    ...overrides,
  };
}

/** Compares tasks as values: a field stored as "not set" reads back as absent or undefined alike. */
function defined(value: object | undefined): object | undefined {
  return value === undefined ? undefined : Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined));
}

const queuedEvent = { kind: 'status', data: { to: 'queued' } } as const;
const code = (expected: string) => (error: unknown) =>
  typeof error === 'object' && error !== null && 'code' in error && error.code === expected;

async function seqs(repo: TaskRepository, id: string): Promise<number[]> {
  return (await repo.eventsAfter(id, 0, 1000)).map((e) => e.seq);
}

/**
 * What every TaskRepository must do, checked against the SQL adapter (real SQLite) and the
 * in-memory fake alike, so the fake unit tests rely on cannot drift from the real thing. Each
 * check needs a fresh, empty repository.
 * @public
 */
export const taskRepositoryContract: readonly ContractCheck<TaskRepository>[] = [
  {
    name: 'stores the whole task and reads it back; an unknown id reads as undefined',
    async run(repo) {
      const task = taskFixture('t1', {
        description: 'feat: x',
        agent: 'codex',
        model: 'gpt-5.5',
        notBefore: '2026-11-23T11:00:00.000Z',
        costUsd: 0.5,
      });
      const created = await repo.create(task, queuedEvent);
      if (!created.created) throw new Error('a new prompt task was not created');
      const { event } = created;
      deepStrictEqual(
        { taskId: event.taskId, seq: event.seq, kind: event.kind, data: event.data },
        { taskId: 't1', seq: 1, ...queuedEvent },
      );
      deepStrictEqual(defined(await repo.get('t1')), defined(task));
      equal(await repo.get('nope'), undefined);
    },
  },
  {
    name: 'refuses to create a task whose id exists, keeping the first',
    async run(repo) {
      await repo.create(taskFixture('t1'), queuedEvent);
      await rejects(repo.create(taskFixture('t1', { prompt: 'other' }), queuedEvent));
      equal((await repo.get('t1'))?.prompt, 'do t1');
      deepStrictEqual(await seqs(repo, 't1'), [1]);
    },
  },
  {
    name: 'updates with optimistic locking: a stale version is a CONFLICT that changes nothing and appends no event',
    async run(repo) {
      await repo.create(taskFixture('t1'), queuedEvent);
      const { task, event } = await repo.update(
        't1',
        1,
        { status: 'preparing', error: undefined },
        { kind: 'status', data: { to: 'preparing' } },
      );
      deepStrictEqual([task.status, task.version, event?.seq, event?.taskId], ['preparing', 2, 2, 't1']);
      await rejects(
        repo.update('t1', 1, { status: 'cancelled' }, { kind: 'status', data: { to: 'cancelled' } }),
        code('CONFLICT'),
      );
      deepStrictEqual([(await repo.get('t1'))?.status, (await repo.get('t1'))?.version], ['preparing', 2]);
      deepStrictEqual(await seqs(repo, 't1'), [1, 2]);
      await rejects(repo.update('missing', 1, { status: 'preparing' }), code('CONFLICT'));
    },
  },
  {
    name: 'stores a closing event after the status event, in the same write, or neither of them',
    async run(repo) {
      await repo.create(taskFixture('t1'), queuedEvent);
      const end = { kind: 'end', data: { status: 'done' } } as const;
      await rejects(
        repo.update('t1', 9, { status: 'done' }, { kind: 'status', data: { to: 'done' } }, undefined, end),
        code('CONFLICT'),
      );
      deepStrictEqual(await seqs(repo, 't1'), [1]);
      const { task, event, closing } = await repo.update(
        't1',
        1,
        { status: 'done' },
        { kind: 'status', data: { to: 'done' } },
        'queued',
        end,
      );
      deepStrictEqual([task.status, event?.seq, closing?.seq, closing?.kind], ['done', 2, 3, 'end']);
      deepStrictEqual(
        (await repo.eventsAfter('t1', 2, 10)).map((e) => [e.kind, e.data]),
        [['end', { status: 'done' }]],
      );
    },
  },
  {
    name: 'guards an update by the status it was read with, together with the version',
    async run(repo) {
      await repo.create(taskFixture('t1'), queuedEvent);
      await rejects(
        repo.update('t1', 1, { status: 'preparing' }, { kind: 'status', data: { to: 'preparing' } }, 'running'),
        code('CONFLICT'),
      );
      deepStrictEqual([(await repo.get('t1'))?.status, (await repo.get('t1'))?.version], ['queued', 1]);
      deepStrictEqual(await seqs(repo, 't1'), [1]);
      const { task, event } = await repo.update('t1', 1, { status: 'preparing' }, undefined, 'queued');
      deepStrictEqual([task.status, task.version, event], ['preparing', 2, undefined]);
    },
  },
  {
    name: 'an update sets only the given fields: undefined clears one, updatedAt is the given one or now',
    async run(repo) {
      await repo.create(taskFixture('t1', { error: 'boom', branch: 'harness/t1' }), queuedEvent);
      const { task } = await repo.update('t1', 1, {
        error: undefined,
        inputTokens: 7,
        updatedAt: '2026-11-24T00:00:00.000Z',
      });
      deepStrictEqual(
        defined(task),
        defined({
          ...taskFixture('t1', { branch: 'harness/t1' }),
          inputTokens: 7,
          updatedAt: '2026-11-24T00:00:00.000Z',
          version: 2,
        }),
      );
      deepStrictEqual(defined(await repo.get('t1')), defined(task));
      const again = await repo.update('t1', 2, { outputTokens: 1 });
      notEqual(again.task.updatedAt, task.updatedAt);
      equal(Number.isNaN(Date.parse(again.task.updatedAt)), false);
    },
  },
  {
    name: 'numbers events per task from 1 without gaps, also when written concurrently; events come back as JSON',
    async run(repo) {
      await repo.create(taskFixture('t1'), queuedEvent);
      await repo.create(taskFixture('t2'), queuedEvent);
      await Promise.all(
        Array.from({ length: 40 }, (_, i) =>
          repo.appendEvent(i % 2 === 0 ? 't1' : 't2', { kind: 'agent', data: { i, gone: undefined } }),
        ),
      );
      deepStrictEqual(
        await seqs(repo, 't1'),
        Array.from({ length: 21 }, (_, i) => i + 1),
      );
      deepStrictEqual(
        await seqs(repo, 't2'),
        Array.from({ length: 21 }, (_, i) => i + 1),
      );
      deepStrictEqual(
        (await repo.eventsAfter('t1', 19, 100)).map((e) => [e.seq, e.kind, e.data]),
        [
          [20, 'agent', { i: 36 }],
          [21, 'agent', { i: 38 }],
        ],
      );
      deepStrictEqual(
        (await repo.eventsAfter('t1', 0, 3)).map((e) => e.seq),
        [1, 2, 3],
      );
      deepStrictEqual(
        (await repo.eventsAfter('t1', 0, 100, ['status'])).map((e) => e.seq),
        [1],
      );
      const appended = await repo.appendEvent('t1', { kind: 'log', data: undefined });
      deepStrictEqual([appended.seq, appended.data], [22, null]);
      await rejects(repo.appendEvent('missing', { kind: 'log', data: {} }), code('NOT_FOUND'));
    },
  },
  {
    name: 'appends a burst of events in one call, numbered in order after those already stored, interleaved safely with single appends',
    async run(repo) {
      await repo.create(taskFixture('t1'), queuedEvent);
      const burst = Array.from({ length: 450 }, (_, i) => ({ kind: 'agent' as const, data: { i } }));
      const [many, single] = await Promise.all([
        repo.appendEvents('t1', burst),
        repo.appendEvent('t1', { kind: 'log', data: { single: true } }),
      ]);
      deepStrictEqual(
        many.map((e) => e.seq),
        Array.from({ length: 450 }, (_, i) => i + 2),
      );
      deepStrictEqual(single.seq, 452);
      const stored = await repo.eventsAfter('t1', 1, 1000);
      deepStrictEqual(
        stored.map((e) => [e.seq, e.data]),
        [...burst.map((e, i) => [i + 2, e.data]), [452, { single: true }]],
      );
      deepStrictEqual(await repo.appendEvents('t1', []), []);
      await rejects(repo.appendEvents('missing', [{ kind: 'log', data: {} }]), code('NOT_FOUND'));
    },
  },
  {
    name: 'renews only the leases the owner holds on the given tasks, without a new version',
    async run(repo) {
      const lease = { leaseOwner: 'server-a', leaseExpiresAt: '2026-11-23T10:01:00.000Z' };
      await repo.create(taskFixture('t1', { status: 'running', ...lease }), queuedEvent);
      await repo.create(taskFixture('t2', { status: 'running', ...lease }), queuedEvent);
      await repo.create(
        taskFixture('t3', { status: 'running', leaseOwner: 'server-b', leaseExpiresAt: lease.leaseExpiresAt }),
        queuedEvent,
      );
      const check = await repo.renewLeases('server-a', ['t1', 't3'], '2026-11-23T10:05:00.000Z');
      // t3 is server-b's: server-a must stop running it.
      deepStrictEqual(check, { lost: ['t3'], cancelRequested: [] });
      deepStrictEqual(await repo.renewLeases('server-a', [], '2026-11-23T11:00:00.000Z'), {
        lost: [],
        cancelRequested: [],
      });
      const [t1, t2, t3] = await Promise.all(['t1', 't2', 't3'].map((id) => repo.get(id)));
      deepStrictEqual(
        [t1?.leaseExpiresAt, t1?.version, t1?.updatedAt],
        ['2026-11-23T10:05:00.000Z', 1, '2026-11-23T10:00:00.000Z'],
      );
      deepStrictEqual(
        [t2?.leaseExpiresAt, t3?.leaseExpiresAt, t3?.leaseOwner],
        [lease.leaseExpiresAt, lease.leaseExpiresAt, 'server-b'],
      );
      deepStrictEqual(await seqs(repo, 't1'), [1]);
    },
  },
  {
    name: 'claims queued tasks oldest first within the server slots and each project limit across servers',
    async run(repo) {
      const otherLease = { leaseOwner: 'server-b', leaseExpiresAt: '2026-11-23T10:05:00.000Z' };
      // server-b already runs one task of `app` (limit 2) and one of `web`.
      await repo.create(taskFixture('r1', { status: 'running', ...otherLease }), queuedEvent);
      await repo.create(taskFixture('r2', { status: 'running', project: 'web', ...otherLease }), queuedEvent);
      await repo.create(taskFixture('q3'), queuedEvent);
      await repo.create(taskFixture('q4'), queuedEvent);
      await repo.create(taskFixture('q5', { project: 'web', notBefore: '2026-11-23T11:00:00.000Z' }), queuedEvent);
      await repo.create(taskFixture('q6', { project: 'web' }), queuedEvent);
      await repo.create(taskFixture('q7', { project: 'web' }), queuedEvent);
      const claimed = await repo.claimQueued({
        owner: 'server-a',
        leaseExpiresAt: '2026-11-23T10:06:00.000Z',
        now: '2026-11-23T10:01:00.000Z',
        serverSlots: 3,
        perProject: new Map([['app', 2]]),
        event: (task) => ({ kind: 'status', data: { from: 'queued', to: 'preparing', attempt: task.attempt } }),
      });
      // app: one slot left fleet-wide (q3, not q4); q5 waits for its back-off; web has no limit of its own.
      deepStrictEqual(
        claimed.map((c) => [c.task.id, c.task.status, c.task.leaseOwner, c.task.version, c.event.seq]),
        [
          ['q3', 'preparing', 'server-a', 2, 2],
          ['q6', 'preparing', 'server-a', 2, 2],
          ['q7', 'preparing', 'server-a', 2, 2],
        ],
      );
      deepStrictEqual((await repo.get('q3'))?.leaseExpiresAt, '2026-11-23T10:06:00.000Z');
      deepStrictEqual((await repo.get('q4'))?.status, 'queued');
      // Its slots are full now: a second look claims nothing.
      const again = await repo.claimQueued({
        owner: 'server-a',
        leaseExpiresAt: '2026-11-23T10:06:00.000Z',
        now: '2026-11-23T12:00:00.000Z',
        serverSlots: 3,
        perProject: new Map(),
        event: () => ({ kind: 'status', data: {} }),
      });
      deepStrictEqual(again, []);
    },
  },
  {
    name: "claims per project within its free slots when the projects are named: a full project's queue is passed over, an unnamed project waits",
    async run(repo) {
      const lease = { leaseOwner: 'server-a', leaseExpiresAt: '2026-11-23T10:05:00.000Z' };
      // `app` (limit 1) runs one task and has a deep queue; `web` has one task behind it; `gone` is not named.
      await repo.create(taskFixture('r0', { status: 'running', ...lease }), queuedEvent);
      for (let i = 1; i <= 30; i++)
        await repo.create(
          taskFixture(`a${String(i).padStart(2, '0')}`, {
            createdAt: `2026-11-23T10:00:${String(i).padStart(2, '0')}.000Z`,
          }),
          queuedEvent,
        );
      await repo.create(taskFixture('w1', { project: 'web', createdAt: '2026-11-23T10:01:00.000Z' }), queuedEvent);
      await repo.create(taskFixture('w2', { project: 'web', createdAt: '2026-11-23T10:01:01.000Z' }), queuedEvent);
      await repo.create(taskFixture('g1', { project: 'gone', createdAt: '2026-11-23T09:00:00.000Z' }), queuedEvent);
      const request = {
        owner: 'server-a',
        leaseExpiresAt: '2026-11-23T10:06:00.000Z',
        now: '2026-11-23T10:02:00.000Z',
        serverSlots: 2,
        perProject: new Map([['app', 1]]),
        event: () => ({ kind: 'status', data: { to: 'preparing' } }) as const,
      };
      const named = await repo.claimQueued({ ...request, projects: ['app', 'web'] });
      // One server slot is free: web's oldest, not the older tasks of the full project or the unnamed one.
      deepStrictEqual(
        named.map((c) => c.task.id),
        ['w1'],
      );
      for (const id of ['r0', 'w1']) await repo.update(id, (await repo.get(id))?.version ?? 0, { status: 'done' });
      // Without names, every project's tasks are in, oldest first.
      const all = await repo.claimQueued(request);
      deepStrictEqual(
        all.map((c) => c.task.id),
        ['g1', 'a01'],
      );
    },
  },
  {
    name: 'claims only the tasks it is limited to, and records a cancel request for active tasks only',
    async run(repo) {
      await repo.create(taskFixture('q1'), queuedEvent);
      await repo.create(taskFixture('q2'), queuedEvent);
      const claimed = await repo.claimQueued({
        owner: 'cli-1',
        leaseExpiresAt: '2026-11-23T10:06:00.000Z',
        now: '2026-11-23T10:01:00.000Z',
        serverSlots: 4,
        perProject: new Map(),
        onlyIds: new Set(['q2']),
        event: () => ({ kind: 'status', data: { to: 'preparing' } }),
      });
      deepStrictEqual(
        claimed.map((c) => c.task.id),
        ['q2'],
      );
      deepStrictEqual(await repo.requestCancel('q1', '2026-11-23T10:02:00.000Z'), false);
      deepStrictEqual(await repo.requestCancel('q2', '2026-11-23T10:02:00.000Z'), true);
      deepStrictEqual(await repo.renewLeases('cli-1', ['q2'], '2026-11-23T10:07:00.000Z'), {
        lost: [],
        cancelRequested: ['q2'],
      });
    },
  },
  {
    name: 'finds ids by prefix in id order up to the limit, and refuses prefixes that are not id characters',
    async run(repo) {
      const ids = [
        '0f1c2d3e-0000-4000-8000-000000000002',
        '0f1c2d3e-0000-4000-8000-000000000001',
        '0f1c9999-0000-4000-8000-000000000003',
      ];
      for (const id of ids) await repo.create(taskFixture(id), queuedEvent);
      deepStrictEqual(await repo.findIdsByPrefix('0f1c2d3e', 10), [ids[1], ids[0]]);
      deepStrictEqual(await repo.findIdsByPrefix('0f1c', 2), [ids[1], ids[0]]);
      deepStrictEqual(await repo.findIdsByPrefix('ffff', 10), []);
      for (const prefix of ['%', '_', '0f1c%', "0'", 'ABC', ''])
        await rejects(repo.findIdsByPrefix(prefix, 10), code('INVALID_ARGUMENT'));
    },
  },
  {
    name: 'lists newest first (ties by id) with filters, paging and the total; withStatus in either order',
    async run(repo) {
      const rows = [
        ['t1', 'a', 'done'],
        ['t2', 'a', 'queued'],
        ['t3', 'b', 'done'],
        ['t4', 'a', 'done'],
      ] as const;
      for (const [id, project, status] of rows) await repo.create(taskFixture(id, { project, status }), queuedEvent);
      // Same creation time: the id breaks the tie.
      await repo.create(
        taskFixture('t5x', { project: 'b', status: 'running', createdAt: '2026-11-23T10:00:04.000Z' }),
        queuedEvent,
      );
      const page = await repo.list({ project: 'a', status: 'done', limit: 1, offset: 0 });
      deepStrictEqual([page.total, page.tasks.map((t) => t.id)], [2, ['t4']]);
      deepStrictEqual(
        (await repo.list({ limit: 10, offset: 1 })).tasks.map((t) => t.id),
        ['t4', 't3', 't2', 't1'],
      );
      deepStrictEqual((await repo.list({ limit: 10, offset: 0, status: 'failed' })).total, 0);
      deepStrictEqual(
        (await repo.withStatus(['done', 'running'], true)).map((t) => t.id),
        ['t1', 't3', 't4', 't5x'],
      );
      deepStrictEqual(
        (await repo.withStatus(['done', 'running'], false, 2)).map((t) => t.id),
        ['t5x', 't4'],
      );
    },
  },
  {
    name: "lists a task's summary with the start of its prompt only (from its first character that is not a space)",
    async run(repo) {
      const prompt = `\n\t\v\f\r  Fix the parser\n${'x'.repeat(5000)}`;
      const task = taskFixture('t1', {
        prompt,
        agentUsed: 'codex',
        branch: 'harness/t1',
        commit: 'c'.repeat(40),
        prNumber: 7,
        prUrl: 'https://github.com/o/r/pull/7',
        grade: 'B',
        error: 'boom',
        failureClass: 'agent_error',
        finishedAt: '2026-11-23T10:00:09.000Z',
      });
      await repo.create(task, queuedEvent);
      const [listed] = (await repo.list({ limit: 1, offset: 0 })).tasks;
      deepStrictEqual(listed, taskListing(task));
      deepStrictEqual(listed.prompt, `Fix the parser\n${'x'.repeat(TASK_SEARCH_CHARS - 15)}`);
    },
  },
  {
    name: 'lists by agent (the one that ran, else the one asked for) and by words of the title, with their total',
    async run(repo) {
      await repo.create(taskFixture('t1', { description: 'Fix the PARSER', agent: 'claude' }), queuedEvent);
      await repo.create(taskFixture('t2', { prompt: 'parser: 100% of input\nmore', agentUsed: 'codex' }), queuedEvent);
      await repo.create(taskFixture('t3', { prompt: `${'x'.repeat(300)} parser`, agent: 'codex' }), queuedEvent);
      await repo.create(taskFixture('t4', { description: 'a_b', project: 'b' }), queuedEvent);
      const ids = async (filter: { agent?: string; search?: string; project?: string }) => {
        const page = await repo.list({ limit: 10, offset: 0, ...filter });
        return [page.total, page.tasks.map((t) => t.id)];
      };
      deepStrictEqual(await ids({ search: 'parser' }), [2, ['t2', 't1']]);
      deepStrictEqual(await ids({ search: 'parser', agent: 'codex' }), [1, ['t2']]);
      deepStrictEqual(await ids({ agent: 'codex' }), [2, ['t3', 't2']]);
      // LIKE's wildcards are literal: "%" and "_" match only themselves.
      deepStrictEqual(await ids({ search: '100%' }), [1, ['t2']]);
      deepStrictEqual(await ids({ search: '_' }), [1, ['t4']]);
      deepStrictEqual(await ids({ search: 'a_b', project: 'a' }), [0, []]);
    },
  },
  {
    name: 'pages by keyset: only tasks after a position in the list order, ties by id; the total ignores the position',
    async run(repo) {
      for (const id of ['t1', 't2', 't3']) await repo.create(taskFixture(id), queuedEvent);
      for (const id of ['t4a', 't4b', 't4c'])
        await repo.create(taskFixture(id, { createdAt: '2026-11-23T10:00:04.000Z' }), queuedEvent);
      const after = (id: string, createdAt: string, limit = 10, offset = 0) =>
        repo.list({ limit, offset, after: { createdAt, id } });
      const page = await after('t4b', '2026-11-23T10:00:04.000Z');
      deepStrictEqual([page.total, page.tasks.map((t) => t.id)], [6, ['t4a', 't3', 't2', 't1']]);
      deepStrictEqual(
        (await after('t4b', '2026-11-23T10:00:04.000Z', 2, 1)).tasks.map((t) => t.id),
        ['t3', 't2'],
      );
      // A position that is no task (deleted meanwhile) still pages from where it was.
      deepStrictEqual(
        (await after('zz', '2026-11-23T10:00:02.500Z')).tasks.map((t) => t.id),
        ['t2', 't1'],
      );
      deepStrictEqual(
        (
          await repo.list({
            limit: 10,
            offset: 0,
            status: 'done',
            after: { createdAt: '2026-11-23T10:00:09.000Z', id: 'x' },
          })
        ).total,
        0,
      );
    },
  },
  {
    name: 'counts tasks with given statuses, and per project and status',
    async run(repo) {
      const rows = [
        ['t1', 'a', 'done'],
        ['t2', 'a', 'queued'],
        ['t3', 'b', 'done'],
        ['t4', 'a', 'done'],
      ] as const;
      for (const [id, project, status] of rows) await repo.create(taskFixture(id, { project, status }), queuedEvent);
      equal(await repo.countWithStatus(['done', 'queued']), 4);
      equal(await repo.countWithStatus(['running']), 0);
      const counts = (await repo.countByProjectAndStatus())
        .map((c) => `${c.project}/${c.status}=${String(c.count)}`)
        .sort();
      deepStrictEqual(counts, ['a/done=2', 'a/queued=1', 'b/done=1']);
    },
  },
  {
    name: 'one unfinished task per (project, issue) and per (project, pr): a second create answers it and stores nothing',
    async run(repo) {
      const issue = (id: string, overrides: Partial<Task> = {}) =>
        taskFixture(id, { kind: 'issue', prompt: undefined, issue: 42, ...overrides });
      const pr = (id: string, overrides: Partial<Task> = {}) =>
        taskFixture(id, { kind: 'pr', prompt: undefined, pr: 7, ...overrides });
      equal((await repo.create(issue('i1'), queuedEvent)).created, true);
      const again = await repo.create(issue('i2'), queuedEvent);
      deepStrictEqual([again.created, again.created ? undefined : again.existing.id], [false, 'i1']);
      equal(await repo.get('i2'), undefined);
      deepStrictEqual(await repo.eventsAfter('i2', 0, 10), []);
      // Running counts as unfinished too; another project, issue or a PR of that number is other work.
      await repo.update('i1', 1, { status: 'running' });
      equal((await repo.create(issue('i3'), queuedEvent)).created, false);
      equal((await repo.create(issue('i4', { project: 'other' }), queuedEvent)).created, true);
      equal((await repo.create(issue('i5', { issue: 43 }), queuedEvent)).created, true);
      equal((await repo.create(pr('p1', { pr: 42 }), queuedEvent)).created, true);
      equal((await repo.create(pr('p2', { pr: 42 }), queuedEvent)).created, false);
      // Prompt tasks are never the same work; an ended task leaves the work free for a retry.
      equal((await repo.create(taskFixture('q1'), queuedEvent)).created, true);
      equal((await repo.create(taskFixture('q2'), queuedEvent)).created, true);
      await repo.update('i1', 2, { status: 'failed', error: 'boom' });
      equal((await repo.create(issue('i6'), queuedEvent)).created, true);
      equal((await repo.create(issue('i7', { status: 'done' }), queuedEvent)).created, true);
      deepStrictEqual(
        (await repo.withStatus(['queued', 'running'], true))
          .filter((t) => t.issue === 42 && t.project === 'app')
          .map((t) => t.id),
        ['i6'],
      );
      await rejects(repo.create(issue('i6', { issue: 99 }), queuedEvent));
    },
  },
  {
    name: 'concurrent creates of one piece of work store one task; the other creates sharing their batch are stored',
    async run(repo) {
      const creates = Array.from({ length: 60 }, (_, i) => {
        const id = `c${String(i).padStart(2, '0')}`;
        return repo.create(
          i % 3 === 0
            ? taskFixture(id)
            : taskFixture(id, { kind: 'issue', prompt: undefined, issue: i % 3 === 1 ? 42 : 43 }),
          queuedEvent,
        );
      });
      const outcomes = await Promise.all(creates);
      const created = outcomes.flatMap((o) => (o.created ? [o.event.taskId] : []));
      const existing = new Set(outcomes.flatMap((o) => (o.created ? [] : [o.existing.id])));
      // 20 prompt tasks and one task per issue.
      equal(created.length, 22);
      deepStrictEqual([...existing].sort(), created.filter((id) => Number(id.slice(1)) % 3 !== 0).sort());
      equal((await repo.list({ limit: 100, offset: 0 })).total, 22);
    },
  },
  {
    name: 'finds the task of a piece of work: the unfinished one, else the newest',
    async run(repo) {
      const issue = (id: string, overrides: Partial<Task>) =>
        taskFixture(id, { kind: 'issue', prompt: undefined, issue: 42, ...overrides });
      equal(await repo.latestForWork({ project: 'app', issue: 42 }), undefined);
      await repo.create(issue('t1', { status: 'failed' }), queuedEvent);
      await repo.create(issue('t3', { status: 'done' }), queuedEvent);
      await repo.create(issue('t9', { project: 'other' }), queuedEvent);
      equal((await repo.latestForWork({ project: 'app', issue: 42 }))?.id, 't3');
      await repo.create(issue('t2', {}), queuedEvent);
      equal((await repo.latestForWork({ project: 'app', issue: 42 }))?.id, 't2');
      equal(await repo.latestForWork({ project: 'app', pr: 42 }), undefined);
      await repo.create(taskFixture('p1', { kind: 'pr', prompt: undefined, pr: 42, status: 'cancelled' }), queuedEvent);
      equal((await repo.latestForWork({ project: 'app', pr: 42 }))?.id, 'p1');
    },
  },
];

import { describe, expect, it } from 'vitest';
import { pickClaims, pickTasksToStart, rateLimitRetryAt } from './admission.js';
import { TRANSITIONS, nextStatus } from './task-state-machine.js';
import { taskRequestFrom } from './task-request.js';
import { TASK_STATUSES, type Task } from './task.types.js';

const task = (id: string, project: string, notBefore?: string): Task => ({
  id,
  project,
  kind: 'prompt',
  prompt: id,
  status: 'queued',
  attempt: 1,
  inputTokens: 0,
  outputTokens: 0,
  validationRetries: 0,
  reviewRounds: 0,
  createdAt: '',
  updatedAt: '',
  version: 1,
  notBefore,
});
const idle = { total: 0, byProject: new Map<string, number>() };

describe('pickTasksToStart', () => {
  it('starts the oldest tasks up to the global limit', () => {
    const queued = ['1', '2', '3', '4', '5'].map((id) => task(id, 'a'));
    expect(pickTasksToStart(queued, idle, { global: 3, perProject: new Map() }, 'now').map((t) => t.id)).toEqual([
      '1',
      '2',
      '3',
    ]);
    expect(
      pickTasksToStart(
        queued,
        { total: 3, byProject: new Map([['a', 3]]) },
        { global: 3, perProject: new Map() },
        'now',
      ),
    ).toEqual([]);
  });

  it('skips a project at its own limit without blocking the others behind it', () => {
    const queued = [task('a1', 'a'), task('a2', 'a'), task('b1', 'b'), task('a3', 'a'), task('b2', 'b')];
    const picked = pickTasksToStart(
      queued,
      { total: 1, byProject: new Map([['a', 1]]) },
      { global: 4, perProject: new Map([['a', 1]]) },
      'now',
    );
    expect(picked.map((t) => t.id)).toEqual(['b1', 'b2']);
  });

  it('leaves tasks waiting for a back-off', () => {
    const queued = [task('late', 'a', '2026-11-23T12:00:00.000Z'), task('ready', 'a', '2026-11-23T09:00:00.000Z')];
    expect(
      pickTasksToStart(queued, idle, { global: 4, perProject: new Map() }, '2026-11-23T10:00:00.000Z').map((t) => t.id),
    ).toEqual(['ready']);
  });
});

describe('pickClaims', () => {
  const request = {
    owner: 'b',
    leaseExpiresAt: '2026-11-23T11:00:00.000Z',
    now: '2026-11-23T10:00:00.000Z',
    serverSlots: 4,
    perProject: new Map([['app', 5]]),
    event: () => ({ kind: 'status' as const, data: {} }),
  };

  it("counts a project's tasks on every server against its limit, and only its own against its slots", () => {
    // Server a fills its 4 slots with app tasks: app has one slot left fleet-wide, b has 4 of its own.
    const active = Array.from({ length: 4 }, () => ({ project: 'app', leaseOwner: 'a' }));
    const queued = [task('q1', 'app'), task('q2', 'app'), task('q3', 'web'), task('q4', 'web'), task('q5', 'web')];
    expect(pickClaims(queued, active, request).map((t) => t.id)).toEqual(['q1', 'q3', 'q4', 'q5']);
  });

  it('never claims a task the server is still winding down', () => {
    const queued = [task('q1', 'web'), task('q2', 'web')];
    expect(pickClaims(queued, [], { ...request, excludeIds: new Set(['q1']) }).map((t) => t.id)).toEqual(['q2']);
  });

  it('claims nothing when its own slots are taken, whatever the other servers run', () => {
    const active = Array.from({ length: 4 }, () => ({ project: 'web', leaseOwner: 'b' }));
    expect(pickClaims([task('q1', 'app')], active, request)).toEqual([]);
  });
});

describe('rateLimitRetryAt', () => {
  const now = Date.parse('2026-11-23T10:00:00.000Z');
  it('uses the reset time the agent gave, else doubles a one-minute back-off up to an hour', () => {
    expect(rateLimitRetryAt(now, 1, '2026-11-23T11:30:00.000Z')).toBe('2026-11-23T11:30:00.000Z');
    expect(rateLimitRetryAt(now, 1, undefined)).toBe('2026-11-23T10:01:00.000Z');
    expect(rateLimitRetryAt(now, 3, '2026-11-23T09:00:00.000Z')).toBe('2026-11-23T10:04:00.000Z');
    expect(rateLimitRetryAt(now, 20, undefined)).toBe('2026-11-23T11:00:00.000Z');
  });
});

describe('task state machine', () => {
  it('lets terminal statuses go nowhere but a reopen (done, failed) and every other status be cancelled or failed', () => {
    for (const status of TASK_STATUSES) {
      const moves = Object.keys(TRANSITIONS[status]);
      if (status === 'cancelled') expect(moves).toEqual([]);
      else if (status === 'done' || status === 'failed') expect(moves).toEqual(['reopen']);
      else expect(moves).toEqual(expect.arrayContaining(['cancel', 'fail']));
    }
    expect(nextStatus('queued', 'start')).toBe('preparing');
    expect(nextStatus('done', 'requeue')).toBeUndefined();
  });
});

describe('taskRequestFrom', () => {
  it('needs exactly one of prompt, issue and pr', () => {
    expect(taskRequestFrom({ prompt: 'x' })).toMatchObject({ ok: true, value: { kind: 'prompt', prompt: 'x' } });
    expect(taskRequestFrom({ issue: 4 })).toMatchObject({ ok: true, value: { kind: 'issue', issue: 4 } });
    expect(taskRequestFrom({})).toEqual({ ok: false, error: 'one of prompt, issue or pr is required' });
    expect(taskRequestFrom({ issue: 1, pr: 2 })).toEqual({
      ok: false,
      error: 'give only one of prompt, issue or pr (got issue, pr)',
    });
    expect(taskRequestFrom({ prompt: '  ' })).toEqual({ ok: false, error: 'prompt must not be empty' });
  });
});

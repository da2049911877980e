import { describe, expect, it } from 'vitest';
import { TASK_STATUSES } from './task.types.js';
import { applyTransition, firstIllegalMove, INITIAL_STATUS, isAllowedMove, TRANSITIONS } from './task-state-machine.js';

describe('the task state table', () => {
  it('answers every (from, to) pair from the table, and a terminal status is left only by a follow-up', () => {
    for (const from of TASK_STATUSES) {
      for (const to of TASK_STATUSES) {
        expect(isAllowedMove(from, to), `${from} → ${to}`).toBe(
          (Object.values(TRANSITIONS[from]) as string[]).includes(to),
        );
      }
    }
    // A person's follow-up reopens a done or failed task (back to the queue); a cancelled one stays.
    for (const terminal of ['done', 'failed'] as const)
      expect(TASK_STATUSES.filter((to) => isAllowedMove(terminal, to))).toEqual(['queued']);
    expect(TASK_STATUSES.filter((to) => isAllowedMove('cancelled', to))).toEqual([]);
    // Waiting holds no slot: a round goes back to the queue, the end comes from the loop.
    expect(TASK_STATUSES.filter((to) => isAllowedMove('waiting_ci', to))).toEqual([
      'queued',
      'awaiting_approval',
      'done',
      'failed',
      'cancelled',
    ]);
    expect(isAllowedMove(null, 'queued')).toBe(true);
    expect(isAllowedMove(null, 'running')).toBe(false);
  });

  it('decides each status by a named move, and refuses one the table does not have as a bug', () => {
    expect(INITIAL_STATUS).toBe('queued');
    const path = (['start', 'prepared', 'agentDone', 'validated', 'committed', 'reviewFix'] as const).reduce<string[]>(
      (statuses, move) => [...statuses, applyTransition('t1', statuses.at(-1) as never, move)],
      [INITIAL_STATUS],
    );
    expect(path).toEqual(['queued', 'preparing', 'running', 'validating', 'committing', 'reviewing', 'running']);
    expect(applyTransition('t1', 'preparing', 'resume')).toBe('reviewing');
    expect(() => applyTransition('t1', 'running', 'committed')).toThrow(
      expect.objectContaining({
        code: 'INTERNAL',
        message: 'task t1: `committed` is not a move from running in the state table',
      }),
    );
    expect(() => applyTransition('t1', 'done', 'cancel')).toThrow(/not a move from done/);
  });

  it('replays histories: the full path, a review round, a resume, a requeue', () => {
    const path = (...statuses: string[]) =>
      statuses.map((to, i) => ({ from: (i === 0 ? null : statuses[i - 1]) as never, to: to as never }));
    expect(
      firstIllegalMove(
        path(
          'queued',
          'preparing',
          'running',
          'validating',
          'committing',
          'reviewing',
          'running',
          'validating',
          'committing',
          'reviewing',
          'done',
        ),
      ),
    ).toBeUndefined();
    expect(firstIllegalMove(path('queued', 'preparing', 'reviewing', 'done'))).toBeUndefined();
    // A resumed task with nothing left to run: its review off, or approved before the restart.
    expect(firstIllegalMove(path('queued', 'preparing', 'running', 'queued', 'preparing', 'done'))).toBeUndefined();
    expect(
      firstIllegalMove(path('queued', 'preparing', 'running', 'queued', 'preparing', 'running', 'cancelled')),
    ).toBeUndefined();
    // What the resume path used to write, and a history with a hole in it.
    expect(firstIllegalMove(path('queued', 'preparing', 'running', 'reviewing'))).toMatchObject({
      index: 3,
      from: 'running',
      to: 'reviewing',
      why: 'not in the state table',
    });
    expect(
      firstIllegalMove([
        { from: null, to: 'queued' },
        { from: 'running', to: 'validating' },
      ]),
    ).toMatchObject({ index: 1, why: 'starts from running but the task was queued' });
  });
});

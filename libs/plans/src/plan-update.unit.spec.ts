import { AppError } from '@agent-harness/core';
import { describe, expect, it } from 'vitest';
import { PLAN_LIMITS, type ExecPlan, type PlanStatus } from './exec-plan.types.js';
import { applyPlanUpdate, parsePlanUpdate, recordTaskEnd, type PlanUpdate } from './plan-update.js';
import { contractPlan, contractPlanInstant } from './testing/plan-store-contract.js';

const now = new Date('2026-11-25T08:00:00.000Z');
const at = now.toISOString();

function refusal(run: () => unknown): AppError {
  try {
    run();
  } catch (error) {
    if (error instanceof AppError) return error as AppError;
    throw error;
  }
  throw new Error('expected a refusal');
}

const plan = (overrides: Partial<ExecPlan> = {}): ExecPlan =>
  contractPlan(1, {
    status: 'active',
    progress: [
      { description: 'One', completed: false },
      { description: 'Two', completed: true, completedAt: contractPlanInstant(1) },
    ],
    concreteSteps: [{ description: 'Step', files: [], completed: false }],
    ...overrides,
  });

describe('parsePlanUpdate', () => {
  it('reads every action from its wire shape', () => {
    expect(parsePlanUpdate({ action: 'activate' })).toEqual({ action: 'activate' });
    expect(parsePlanUpdate({ action: 'add_milestone', description: '  Ship it  ' })).toEqual({
      action: 'add_milestone',
      description: 'Ship it',
    });
    expect(parsePlanUpdate({ action: 'complete_milestone', index: 0 })).toEqual({
      action: 'complete_milestone',
      index: 0,
    });
    expect(parsePlanUpdate({ action: 'add_step', description: 'S' })).toEqual({
      action: 'add_step',
      description: 'S',
      files: [],
    });
    expect(parsePlanUpdate({ action: 'add_step', description: 'S', files: ['a.ts'] })).toMatchObject({
      files: ['a.ts'],
    });
    expect(parsePlanUpdate({ action: 'log_decision', decision: 'D', rationale: 'R\r\nR2' })).toEqual({
      action: 'log_decision',
      decision: 'D',
      rationale: 'R\nR2',
    });
    expect(parsePlanUpdate({ action: 'add_surprise', description: 'S', evidence: 'E' })).toEqual({
      action: 'add_surprise',
      description: 'S',
      evidence: 'E',
    });
    expect(parsePlanUpdate({ action: 'link_task', task_id: 'task-1', milestone: 1 })).toEqual({
      action: 'link_task',
      taskId: 'task-1',
      milestone: 1,
    });
  });

  it.each([
    [null, 'update: an object is required, not null'],
    [[], 'update: an object is required, not an array'],
    [{}, 'action: required (a string)'],
    [{ action: 7 }, 'action: a string is required, not a number'],
    [{ action: 'explode' }, 'action: one of activate, complete, abandon, add_milestone'],
    [{ action: 'activate', force: true }, 'force: unknown field'],
    [{ action: 'add_milestone' }, 'description: required (a string)'],
    [{ action: 'add_milestone', description: '  ' }, 'description: must not be empty'],
    [{ action: 'add_milestone', description: 'a\nb' }, 'description: one line without control characters'],
    [{ action: 'add_milestone', description: 'x'.repeat(1001) }, 'description: at most 1000 characters'],
    [{ action: 'complete_milestone', index: -1 }, 'index: a whole number ≥ 0 is required, not -1'],
    [{ action: 'complete_step', index: 1.5 }, 'index: a whole number ≥ 0 is required, not 1.5'],
    [{ action: 'complete_step', index: '1' }, 'index: a whole number ≥ 0 is required, not a string'],
    [{ action: 'add_step', description: 'S', files: 'a.ts' }, 'files: an array is required'],
    [{ action: 'add_step', description: 'S', files: Array(21).fill('a') }, 'files: at most 20 items'],
    [{ action: 'add_step', description: 'S', files: ['x'.repeat(301)] }, 'files[0]: at most 300 characters'],
    [{ action: 'log_decision', decision: 'D' }, 'rationale: required (a string)'],
    [{ action: 'log_decision', decision: 'D', rationale: 'x'.repeat(4001) }, 'rationale: at most 4000 characters'],
    [{ action: 'log_decision', decision: 'D', rationale: 'a\u0000b' }, 'rationale: no control characters'],
    [{ action: 'add_surprise', description: 'S', evidence: '' }, 'evidence: must not be empty'],
    [{ action: 'link_task', task_id: '../etc', milestone: 0 }, 'task_id: a task id'],
    [{ action: 'link_task', task_id: 'x'.repeat(65), milestone: 0 }, 'task_id: a task id'],
    [{ action: 'link_task', taskId: 't', milestone: 0 }, 'taskId: unknown field'],
  ])('refuses %j: %s', (input, message) => {
    const error = refusal(() => parsePlanUpdate(input));
    expect(error.code).toBe('INVALID_ARGUMENT');
    expect(error.message.startsWith(message)).toBe(true);
  });

  it('names fields under the given path', () => {
    expect(refusal(() => parsePlanUpdate({ action: 'add_milestone' }, 'updates')).message).toMatch(
      /^updates\.description: /,
    );
    expect(refusal(() => parsePlanUpdate({ action: 'activate', x: 1 }, 'updates')).message).toMatch(/^updates\.x: /);
    expect(refusal(() => parsePlanUpdate('activate', 'updates')).message).toMatch(/^updates: an object/);
  });
});

describe('applyPlanUpdate', () => {
  const statusAfter = (status: PlanStatus, action: 'activate' | 'complete' | 'abandon'): string => {
    try {
      return applyPlanUpdate(plan({ status }), { action }, now).status;
    } catch (error) {
      return error instanceof AppError ? (error as AppError).code : 'thrown';
    }
  };

  it('changes status only along draft → active → completed, draft|active → abandoned', () => {
    const table = (['draft', 'active', 'completed', 'abandoned'] as const).map((status) => [
      status,
      statusAfter(status, 'activate'),
      statusAfter(status, 'complete'),
      statusAfter(status, 'abandon'),
    ]);
    expect(table).toEqual([
      ['draft', 'active', 'CONFLICT', 'abandoned'],
      ['active', 'CONFLICT', 'completed', 'abandoned'],
      ['completed', 'CONFLICT', 'CONFLICT', 'CONFLICT'],
      ['abandoned', 'CONFLICT', 'CONFLICT', 'CONFLICT'],
    ]);
    expect(refusal(() => applyPlanUpdate(plan({ status: 'abandoned' }), { action: 'complete' }, now)).message).toBe(
      'plan 000000000001 is abandoned: it cannot complete',
    );
  });

  it('adds and completes milestones and steps, logs decisions and surprises, stamping the time', () => {
    let p = plan();
    p = applyPlanUpdate(p, { action: 'add_milestone', description: 'Three' }, now);
    p = applyPlanUpdate(p, { action: 'complete_milestone', index: 0 }, now);
    p = applyPlanUpdate(p, { action: 'add_step', description: 'Edit', files: ['a.ts'] }, now);
    p = applyPlanUpdate(p, { action: 'complete_step', index: 1 }, now);
    p = applyPlanUpdate(p, { action: 'log_decision', decision: 'D', rationale: 'R' }, now);
    p = applyPlanUpdate(p, { action: 'add_surprise', description: 'S', evidence: 'E' }, now);
    expect(p.progress).toEqual([
      { description: 'One', completed: true, completedAt: at },
      { description: 'Two', completed: true, completedAt: contractPlanInstant(1) },
      { description: 'Three', completed: false },
    ]);
    expect(p.concreteSteps).toEqual([
      { description: 'Step', files: [], completed: false },
      { description: 'Edit', files: ['a.ts'], completed: true },
    ]);
    expect(p.decisionLog).toEqual([{ decision: 'D', rationale: 'R', timestamp: at }]);
    expect(p.surprises).toEqual([{ description: 'S', evidence: 'E', timestamp: at }]);
    expect(p.updatedAt).toBe(at);
    expect(p.version).toBe(0);
  });

  it.each<[string, PlanUpdate, Partial<ExecPlan>, string, string]>([
    [
      'an index past the end',
      { action: 'complete_milestone', index: 2 },
      {},
      'INVALID_ARGUMENT',
      'index: no milestone 2: plan 000000000001 has 2 (0–1)',
    ],
    [
      'a step index on a plan without steps',
      { action: 'complete_step', index: 0 },
      { concreteSteps: [] },
      'INVALID_ARGUMENT',
      'index: plan 000000000001 has no steps yet',
    ],
    [
      'a milestone completed twice',
      { action: 'complete_milestone', index: 1 },
      {},
      'CONFLICT',
      'milestone 1 of plan 000000000001 is already completed',
    ],
    [
      'a change to an abandoned plan',
      { action: 'add_milestone', description: 'x' },
      { status: 'abandoned' },
      'CONFLICT',
      'plan 000000000001 is abandoned: it no longer changes',
    ],
    [
      'a change to a completed plan',
      { action: 'log_decision', decision: 'x', rationale: 'y' },
      { status: 'completed' },
      'CONFLICT',
      'plan 000000000001 is completed: it no longer changes',
    ],
    [
      'a link to a missing milestone',
      { action: 'link_task', taskId: 't', milestone: 5 },
      {},
      'INVALID_ARGUMENT',
      'milestone: no milestone 5',
    ],
    [
      'a task linked twice',
      { action: 'link_task', taskId: 't', milestone: 0 },
      { taskLinks: [{ taskId: 't', milestone: 1, linkedAt: at }] },
      'CONFLICT',
      'task t is already linked to milestone 1 of plan 000000000001',
    ],
    [
      'a typed update out of bounds',
      { action: 'add_milestone', description: 'x'.repeat(1001) },
      {},
      'INVALID_ARGUMENT',
      'description: at most 1000',
    ],
    [
      'a full plan',
      { action: 'add_milestone', description: 'x' },
      { progress: Array.from({ length: PLAN_LIMITS.milestones }, () => ({ description: 'm', completed: false })) },
      'CONFLICT',
      'plan 000000000001 already has 100 milestones',
    ],
  ])('refuses %s', (_name, update, overrides, code, message) => {
    const error = refusal(() => applyPlanUpdate(plan(overrides), update, now));
    expect(error.code).toBe(code);
    expect(error.message.startsWith(message)).toBe(true);
  });

  it('links a task to a milestone', () => {
    const linked = applyPlanUpdate(plan(), { action: 'link_task', taskId: 'task-1', milestone: 0 }, now);
    expect(linked.taskLinks).toEqual([{ taskId: 'task-1', milestone: 0, linkedAt: at }]);
  });
});

describe('recordTaskEnd', () => {
  const linked = plan({ taskLinks: [{ taskId: 'task-1', milestone: 0, linkedAt: contractPlanInstant(1) }] });

  it('completes the milestone of a task that ended done and logs which task did it', () => {
    const ticked = recordTaskEnd(linked, 'task-1', 'done', now);
    expect(ticked?.progress[0]).toEqual({ description: 'One', completed: true, completedAt: at });
    expect(ticked?.taskLinks).toEqual([
      { taskId: 'task-1', milestone: 0, linkedAt: contractPlanInstant(1), outcome: 'done', endedAt: at },
    ]);
    expect(ticked?.decisionLog).toEqual([
      {
        decision: 'Milestone 0 completed by task task-1',
        rationale: 'Task task-1, linked to milestone 0 ("One"), ended done.',
        timestamp: at,
      },
    ]);
    // Settled once: a second end changes nothing.
    expect(ticked === undefined ? 'none' : recordTaskEnd(ticked, 'task-1', 'done', now)).toBeUndefined();
  });

  it('records a failed end without ticking, and ignores tasks that are not linked', () => {
    const failed = recordTaskEnd(linked, 'task-1', 'failed', now);
    expect(failed?.progress[0]?.completed).toBe(false);
    expect(failed?.decisionLog).toEqual([]);
    expect(failed?.taskLinks[0]).toMatchObject({ outcome: 'failed', endedAt: at });
    expect(recordTaskEnd(linked, 'task-9', 'done', now)).toBeUndefined();
  });

  it('on a closed plan records the end only; on a completed milestone notes the task', () => {
    const closed = recordTaskEnd({ ...linked, status: 'abandoned' }, 'task-1', 'done', now);
    expect(closed?.progress[0]?.completed).toBe(false);
    expect(closed?.taskLinks[0]?.outcome).toBe('done');
    const again = recordTaskEnd(
      plan({ taskLinks: [{ taskId: 'task-2', milestone: 1, linkedAt: at }] }),
      'task-2',
      'done',
      now,
    );
    expect(again?.progress[1]?.completedAt).toBe(contractPlanInstant(1));
    expect(again?.decisionLog[0]?.decision).toBe('Task task-2 done (milestone 1 was already completed)');
  });
});

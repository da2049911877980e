import { AppError, type TaskStatus } from '@agent-harness/core';
import type { Admission, SubmitTaskInput } from '@agent-harness/pipeline';
import type { Task, TaskRepository } from '@agent-harness/queue';
import { describe, expect, it } from 'vitest';
import { taskSubmit, taskSubmitBatch } from './tasks/task-operations.js';
import type { TaskPorts } from './tasks/task-ports.js';
import { OPERATIONS } from './operations.js';
import { OPERATION_ROUTES, operationRequest } from './routes.js';

/** A queued task as the engine would admit it. */
function task(id: string, status: TaskStatus = 'queued'): Task {
  const now = new Date(0).toISOString();
  return {
    id,
    project: 'app',
    kind: 'prompt',
    prompt: 'p',
    status,
    attempt: 1,
    inputTokens: 0,
    outputTokens: 0,
    validationRetries: 0,
    reviewRounds: 0,
    createdAt: now,
    updatedAt: now,
    version: 1,
  };
}

/** The task ports, recording what the operations asked of them. */
function recordingPorts(options: { planExists?: boolean; linkFails?: boolean } = {}) {
  const calls: string[] = [];
  let next = 0;
  const ports = {
    engine: {
      admit: (input: SubmitTaskInput, admitOptions?: { look?: boolean }): Promise<Admission> => {
        if (input.prompt === 'refused') return Promise.reject(new AppError('QUEUE_FULL', 'the queue is full'));
        calls.push(
          `admit ${input.prompt ?? `#${String(input.issue)}`}${admitOptions?.look === false ? ' (no look)' : ''}`,
        );
        return Promise.resolve({ task: task(`t${String(++next)}`), existing: false });
      },
      pullRequests: {
        followUp: (id: string) => Promise.resolve(task(id)),
        approve: (id: string) => Promise.resolve(task(id)),
        reject: (id: string) => Promise.resolve(task(id)),
      },
      afterLook: (started: Task) => {
        calls.push(`look ${started.id}`);
        return Promise.resolve(started);
      },
      cancel: (id: string) => {
        calls.push(`cancel ${id}`);
        return Promise.resolve(task(id, 'cancelled'));
      },
      waiting: () => Promise.resolve(undefined),
    },
    tasks: {} as TaskRepository,
    plans: {
      checkLink: (planId: string, milestone: number): Promise<unknown> => {
        calls.push(`check ${planId} ${String(milestone)}`);
        return options.planExists === false
          ? Promise.reject(new AppError('NOT_FOUND', `no plan ${planId}`))
          : Promise.resolve();
      },
      linkTask: (planId: string, taskId: string, milestone: number) => {
        calls.push(`link ${planId} ${taskId} ${String(milestone)}`);
        return options.linkFails === true
          ? Promise.reject(new AppError('CONFLICT', `plan ${planId} is completed: it no longer changes`))
          : Promise.resolve();
      },
    },
  } satisfies TaskPorts;
  return { ports, calls };
}

describe('the task operations', () => {
  it('task_submit checks the plan before it queues, links after, and has the caller follow the task', async () => {
    const { ports, calls } = recordingPorts();
    const followed: string[] = [];
    const answer = await taskSubmit.execute(
      ports,
      { prompt: 'do it', plan_id: 'abcd', milestone: 1 },
      { follow: (id) => followed.push(id) },
    );
    expect(answer).toEqual({ task_id: 't1', status: 'queued' });
    // Linked before it may start; the look that may start it comes after.
    expect(calls).toEqual(['check abcd 1', 'admit do it (no look)', 'link abcd t1 1', 'look t1']);
    expect(followed).toEqual(['t1']);
  });

  it('task_submit queues nothing for an unknown plan, half a plan link, or no work', async () => {
    const missing = recordingPorts({ planExists: false });
    await expect(taskSubmit.execute(missing.ports, { prompt: 'x', plan_id: 'abcd', milestone: 0 }, {})).rejects.toThrow(
      'no plan abcd',
    );
    expect(missing.calls).toEqual(['check abcd 0']);

    const { ports, calls } = recordingPorts();
    await expect(taskSubmit.execute(ports, { prompt: 'x', milestone: 0 }, {})).rejects.toThrow(
      'give plan_id and milestone together',
    );
    await expect(taskSubmit.execute(ports, {}, {})).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
    expect(calls).toEqual([]);
  });

  it('task_submit cancels the task it queued when the plan refuses the link in between', async () => {
    const { ports, calls } = recordingPorts({ linkFails: true });
    await expect(taskSubmit.execute(ports, { prompt: 'x', plan_id: 'abcd', milestone: 0 }, {})).rejects.toThrow(
      'no longer changes',
    );
    expect(calls).toEqual(['check abcd 0', 'admit x (no look)', 'link abcd t1 0', 'cancel t1']);
  });

  it('task_submit_batch checks every entry before it queues any, and reports a refused one', async () => {
    const { ports, calls } = recordingPorts();
    const batch = (input: Parameters<typeof taskSubmitBatch.execute>[1]) => taskSubmitBatch.execute(ports, input, {});
    await expect(batch({ tasks: [{ prompt: 'a' }, {}] })).rejects.toThrow('tasks[1]: ');
    await expect(batch({})).rejects.toThrow('give exactly one of issues or tasks');
    expect(calls).toEqual([]);

    const followed: string[] = [];
    const answers = await taskSubmitBatch.execute(
      ports,
      { tasks: [{ prompt: 'a' }, { prompt: 'refused' }] },
      { follow: (id) => followed.push(id) },
    );
    expect(followed).toEqual(['t1']);
    expect(answers).toEqual([
      { task_id: 't1', status: 'queued' },
      { task_id: null, status: 'rejected', error: 'the queue is full' },
    ]);
  });
});

describe('the operation table', () => {
  it('names each operation by its key, and routes only operations it has', () => {
    for (const [key, operation] of Object.entries(OPERATIONS)) {
      expect(operation.name, key).toBe(key);
      expect(operation.summary.length, key).toBeGreaterThan(10);
    }
    for (const key of Object.keys(OPERATION_ROUTES)) expect(Object.keys(OPERATIONS)).toContain(key);
  });
});

describe('operationRequest: where an operation is on the REST API', () => {
  it('puts path fields in the path (encoded), the rest in the body or the query, and leaves out the unset', () => {
    expect(operationRequest('task_cancel', { task_id: 'a/b c' })).toEqual({
      method: 'POST',
      path: '/tasks/a%2Fb%20c/cancel',
    });
    expect(operationRequest('task_submit', { prompt: 'x', issue: undefined })).toEqual({
      method: 'POST',
      path: '/tasks',
      body: { prompt: 'x' },
    });
    expect(operationRequest('task_list', { status: 'done', limit: 5, project: undefined })).toEqual({
      method: 'GET',
      path: '/tasks?status=done&limit=5',
    });
    expect(operationRequest('usage_report', {})).toEqual({ method: 'GET', path: '/api/usage' });
    // A dot segment would resolve to another route; a list or an object has no query form here.
    expect(() => operationRequest('task_get', { task_id: '..' })).toThrow('task_id must not be ".."');
    expect(() => operationRequest('task_list', { status: ['done', 'failed'] })).toThrow(
      'status must be a string or a number',
    );
  });
});

import type { Task } from '@agent-harness/queue';
import { describe, expect, it } from 'vitest';
import { outcomeChanges } from './task-outcome.js';

const task: Task = {
  id: 't1',
  project: 'app',
  kind: 'prompt',
  prompt: 'x',
  status: 'reviewing',
  attempt: 1,
  inputTokens: 0,
  outputTokens: 0,
  validationRetries: 1,
  reviewRounds: 2,
  createdAt: 'c',
  updatedAt: 'u',
  version: 3,
  leaseOwner: 'server-a',
  leaseExpiresAt: 'e',
};

describe('outcomeChanges', () => {
  it('a done task: graded, reviewed, its lease released', () => {
    const { changes, event } = outcomeChanges(
      task,
      { kind: 'done', commit: 'abc', review: { outcome: 'approved', rounds: 2, unresolved: [] } },
      'now',
    );
    expect(changes).toMatchObject({
      status: 'done',
      finishedAt: 'now',
      commit: 'abc',
      reviewOutcome: 'approved',
      grade: 'B',
      score: 80,
      leaseOwner: undefined,
      error: undefined,
      failureClass: undefined,
    });
    expect(event).toEqual({ kind: 'status', data: { from: 'reviewing', to: 'done', attempt: 1 } });
  });

  it('a failed task carries its class and an F; a cancelled one is not graded', () => {
    expect(
      outcomeChanges(task, { kind: 'failed', error: 'boom', failureClass: 'agent_timeout' }, 'now').changes,
    ).toMatchObject({ status: 'failed', error: 'boom', failureClass: 'agent_timeout', grade: 'F' });
    const cancelled = outcomeChanges(task, { kind: 'cancelled' }, 'now').changes;
    expect(cancelled).toMatchObject({ status: 'cancelled', error: 'cancelled by request', failureClass: 'cancelled' });
    expect(cancelled).not.toHaveProperty('grade');
  });

  it('a requeued task goes back to the queue with its new attempt and no lease', () => {
    const { changes, event } = outcomeChanges(
      task,
      { kind: 'requeue', attempt: 2, notBefore: 'later', reason: 'rate limited' },
      'now',
    );
    expect(changes).toEqual({
      status: 'queued',
      attempt: 2,
      notBefore: 'later',
      worktree: undefined,
      error: 'rate limited',
      leaseOwner: undefined,
      leaseExpiresAt: undefined,
    });
    expect(event.data).toEqual({ from: 'reviewing', to: 'queued', attempt: 2, reason: 'rate limited' });
  });
});

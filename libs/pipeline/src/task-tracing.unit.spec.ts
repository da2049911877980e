import type { TaskTracer } from '@agent-harness/observe';
import type { Task, TaskStatus } from '@agent-harness/queue';
import { taskFixture } from '@agent-harness/testing';
import { describe, expect, it } from 'vitest';
import { TaskTracing } from './task-tracing.js';

/** Each call as `[method, what identifies it]`. */
function recordingTracer(): { tracer: TaskTracer; calls: unknown[][] } {
  const calls: unknown[][] = [];
  return {
    calls,
    tracer: {
      taskStarted: (t) => calls.push(['taskStarted', t.taskId, t.prompt]),
      phaseStarted: (p) => calls.push(['phaseStarted', p.phase, p.round ?? p.agent]),
      agentRan: (r) => calls.push(['agentRan', r.agent]),
      taskEnded: (e) => calls.push(['taskEnded', e.outcome, e.failureClass]),
    },
  };
}

/** Moves a task through `statuses` as the recorder would report each write. */
function walk(tracing: TaskTracing, statuses: TaskStatus[], changes: Partial<Task> = {}): void {
  let from: TaskStatus = 'queued';
  for (const [i, status] of statuses.entries()) {
    const second = String(i).padStart(2, '0');
    tracing.moved(from, taskFixture('task-1', { ...changes, status, updatedAt: `2026-11-25T10:00:${second}.000Z` }));
    from = status;
  }
}

const redact = (text: string) => text.replaceAll('sk-secret', '[REDACTED]');

describe('TaskTracing (unit)', () => {
  it('reads a run from the status moves: started, each phase, its end', () => {
    const { tracer, calls } = recordingTracer();
    walk(new TaskTracing(tracer, redact), ['preparing', 'running', 'validating', 'committing', 'reviewing', 'done'], {
      agentUsed: 'claude',
      reviewRounds: 1,
    });
    expect(calls).toEqual([
      ['taskStarted', 'task-1', 'do task-1'],
      ['phaseStarted', 'prepare', undefined],
      ['phaseStarted', 'agent', 'claude'],
      ['phaseStarted', 'validation', undefined],
      ['phaseStarted', 'publish', undefined],
      ['phaseStarted', 'review', 2],
      ['taskEnded', 'done', undefined],
    ]);
  });

  it('a task resumed after a restart has only the phases it runs; a requeue ends the run', () => {
    const { tracer, calls } = recordingTracer();
    const tracing = new TaskTracing(tracer, redact);
    walk(tracing, ['preparing', 'reviewing', 'queued']);
    expect(calls.map((c) => c.slice(0, 2))).toEqual([
      ['taskStarted', 'task-1'],
      ['phaseStarted', 'prepare'],
      ['phaseStarted', 'review'],
      ['taskEnded', 'requeued'],
    ]);
  });

  it('a task cancelled in the queue only ends; a write that moves nothing says nothing', () => {
    const { tracer, calls } = recordingTracer();
    const tracing = new TaskTracing(tracer, redact);
    tracing.moved('queued', taskFixture('task-1', { status: 'cancelled', failureClass: 'cancelled' }));
    tracing.moved('running', taskFixture('task-1', { status: 'running' }));
    expect(calls).toEqual([['taskEnded', 'cancelled', 'cancelled']]);
  });

  it('hands over the prompt with its secrets redacted', () => {
    const { tracer, calls } = recordingTracer();
    new TaskTracing(tracer, redact).moved(
      'queued',
      taskFixture('task-1', { status: 'preparing', prompt: 'use sk-secret here' }),
    );
    expect(calls[0]).toEqual(['taskStarted', 'task-1', 'use [REDACTED] here']);
  });

  it('a tracer that throws is logged, never thrown into the task', () => {
    const errors: string[] = [];
    const broken: TaskTracer = {
      taskStarted: () => {
        throw new Error('exporter exploded');
      },
      phaseStarted: () => undefined,
      agentRan: () => {
        throw new Error('again');
      },
      taskEnded: () => undefined,
    };
    const tracing = new TaskTracing(broken, redact, { error: (m) => errors.push(m) });
    expect(() => {
      tracing.moved('queued', taskFixture('task-1', { status: 'preparing' }));
      tracing.agentRan({
        taskId: 'task-1',
        agent: 'claude',
        role: 'implementer',
        startedAt: new Date(0),
        endedAt: new Date(1),
        ok: true,
        reason: 'completed',
        inputTokens: 0,
        outputTokens: 0,
      });
    }).not.toThrow();
    expect(errors).toEqual(['tracing of task task-1: exporter exploded', 'tracing of task task-1: again']);
  });
});

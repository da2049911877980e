import type { TelemetryEventDraft } from '@agent-harness/observe';
import type { StoredTaskEvent } from '@agent-harness/queue';
import { ScriptedAgentRunner, taskFixture } from '@agent-harness/testing';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { unitEngines } from '../test/unit-engine.js';
import { SLOW_VALIDATION_MS, TaskTelemetry } from './task-telemetry.js';

const stored = (kind: StoredTaskEvent['kind'], data: unknown, seq = 2): StoredTaskEvent => ({
  taskId: 'task-1',
  seq,
  kind,
  data,
  createdAt: '2026-11-25T10:00:00.000Z',
});

describe('TaskTelemetry (unit)', () => {
  const engines = unitEngines();
  afterEach(async () => {
    await engines.stopAll();
  });

  it('reports a failed task with its failure class, and the files its agent changed, relative to the worktree', async () => {
    const emitted: TelemetryEventDraft[] = [];
    const claude = new ScriptedAgentRunner('claude', () => ({
      events: [
        { type: 'file_change', changes: [{ path: '/nonexistent/harness-unit/worktrees/x/src/a.ts', kind: 'update' }] },
      ],
      outcome: { ok: false, reason: 'failed', message: 'scripted failure' },
    }));
    const { engine, tasks, worktrees } = engines.make({
      agents: [claude],
      telemetry: { emit: (d) => emitted.push(d) },
    });
    await engine.start();
    const task = await engine.submit({ kind: 'prompt', prompt: 'fix it' });
    await tasks.whenTask(task.id, (t) => t.status === 'failed');
    const worktree = worktrees.pathFor(task.id);
    // The `end` event is stored just after the status: wait for its telemetry, not for time.
    await vi.waitFor(() => {
      expect(emitted.map((e) => e.hook)).toEqual(['file_edit', 'task_failed', 'quality_grade']);
    });
    expect(emitted[1]).toMatchObject({
      project: 'app',
      taskId: task.id,
      decision: 'block',
      reason: 'agent_error',
      tool: 'claude',
    });
    // The scripted change was outside this task's worktree: its path is kept as given, never guessed.
    expect(emitted[0]).toMatchObject({ tool: 'update', detail: '/nonexistent/harness-unit/worktrees/x/src/a.ts' });
    expect(worktree).toContain(task.id);
  });

  it('turns a stored validation into one event per command, a slow one also into a slow_operation', () => {
    const emitted: TelemetryEventDraft[] = [];
    const telemetry = new TaskTelemetry({ emit: (d) => emitted.push(d) });
    telemetry.taskWritten(taskFixture('task-1', { worktree: '/w/task-1' }));
    telemetry.eventStored(
      stored('validation', {
        retry: 0,
        ok: false,
        outcomes: [
          { command: 'npm run lint', exitCode: 0, timedOut: false, output: 'fine', durationMs: 1200 },
          {
            command: 'npm test',
            exitCode: 1,
            timedOut: false,
            output: 'x'.repeat(10_000),
            durationMs: SLOW_VALIDATION_MS,
          },
        ],
      }),
    );
    expect(emitted.map((e) => [e.hook, e.decision, e.tool])).toEqual([
      ['validation', 'pass', 'npm run lint'],
      ['validation', 'block', 'npm test'],
      ['slow_operation', 'warn', 'validation'],
    ]);
    // A passing command keeps no output; a failing one keeps the end of it, bounded.
    expect(emitted[0]?.content).toBeUndefined();
    expect(emitted[1]?.content).toHaveLength(4000);
    telemetry.eventStored(
      stored('agent', { type: 'file_change', changes: [{ path: '/w/task-1/src/b.ts', kind: 'add' }] }, 3),
    );
    expect(emitted.at(-1)).toMatchObject({ hook: 'file_edit', tool: 'add', detail: 'src/b.ts' });
  });

  it('leaves out a validation command stopped by a cancel: it neither passed nor failed', () => {
    const emitted: TelemetryEventDraft[] = [];
    const telemetry = new TaskTelemetry({ emit: (d) => emitted.push(d) });
    telemetry.taskWritten(taskFixture('task-1'));
    telemetry.eventStored(
      stored('validation', {
        retry: 0,
        ok: false,
        cancelled: true,
        outcomes: [
          { command: 'npm run lint', exitCode: 0, timedOut: false, output: '', durationMs: 900 },
          {
            command: 'npm test',
            exitCode: null,
            timedOut: false,
            cancelled: true,
            output: 'Terminated',
            durationMs: SLOW_VALIDATION_MS * 2,
          },
        ],
      }),
    );
    expect(emitted.map((e) => [e.hook, e.decision, e.tool])).toEqual([['validation', 'pass', 'npm run lint']]);
  });

  it('reports review rounds and the grade of a finished task; a cancelled task is no signal', () => {
    const emitted: TelemetryEventDraft[] = [];
    const telemetry = new TaskTelemetry({ emit: (d) => emitted.push(d) });
    telemetry.taskWritten(taskFixture('task-1', { agentUsed: 'codex' }));
    telemetry.eventStored(stored('review', { round: 1, reviewer: 'claude', verdict: 'request_changes', summary: 's' }));
    telemetry.eventStored(stored('review', { round: 2, reviewer: 'claude', verdict: 'approve', summary: 's' }, 3));
    telemetry.eventStored(stored('end', { status: 'done', grade: 'B', pr: 'https://github.com/o/r/pull/1' }, 4));
    expect(emitted.map((e) => [e.hook, e.decision, e.detail])).toEqual([
      ['review_round', 'warn', '1'],
      ['review_round', 'pass', '2'],
      ['task_implemented', 'complete', 'https://github.com/o/r/pull/1'],
      ['quality_grade', 'pass', 'B'],
    ]);
    telemetry.taskWritten(taskFixture('task-2'));
    const before = emitted.length;
    telemetry.eventStored({ ...stored('end', { status: 'cancelled' }), taskId: 'task-2' });
    expect(emitted).toHaveLength(before);
  });

  it('never throws into the task when the sink fails', () => {
    const errors: string[] = [];
    const telemetry = new TaskTelemetry(
      {
        emit: () => {
          throw new Error('disk full');
        },
      },
      { error: (m) => errors.push(m) },
    );
    telemetry.taskWritten(taskFixture('task-1'));
    expect(() => {
      telemetry.eventStored(stored('end', { status: 'failed', failure_class: 'agent_error' }));
    }).not.toThrow();
    expect(errors).toEqual(['telemetry of task task-1: disk full']);
  });
});

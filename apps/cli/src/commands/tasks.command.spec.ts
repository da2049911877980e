import { describe, expect, it } from 'vitest';
import { describeTaskEvent } from './tasks.command.js';

describe('describeTaskEvent', () => {
  it("shows paths inside the task's worktree relative to it", () => {
    const worktree = '/home/me/.local/share/harness/worktrees/5e592d0a-c659-4e6d-8edb-2a864755ac62';
    const line = describeTaskEvent({
      seq: 7,
      kind: 'agent',
      data: {
        role: 'implementer',
        agent: 'claude',
        type: 'tool_call',
        id: 't1',
        name: 'Write',
        input: { file_path: `${worktree}/src/README.md` },
      },
    });
    expect(line).toBe('→ Write src/README.md');
  });

  it('reads status changes and the end as the server sends them', () => {
    expect(
      describeTaskEvent({
        seq: 1,
        kind: 'status',
        data: { from: null, to: 'queued', attempt: 1, reason: 'submitted' },
      }),
    ).toBe('● new → queued (submitted)');
    expect(describeTaskEvent({ seq: 2, kind: 'status', data: { from: 'queued', to: 'preparing', attempt: 1 } })).toBe(
      '● queued → preparing',
    );
    expect(
      describeTaskEvent({
        seq: 9,
        kind: 'end',
        data: { status: 'done', commit: '0123456789abcdef', branch: 'harness/5e592d0a-x' },
      }),
    ).toBe('■ done (commit 0123456789ab on harness/5e592d0a-x)');
    expect(describeTaskEvent({ seq: 9, kind: 'end', data: { status: 'failed', error: 'agent made no changes' } })).toBe(
      '■ failed: agent made no changes',
    );
    expect(
      describeTaskEvent({
        seq: 5,
        kind: 'review',
        data: { round: 1, reviewer: 'codex', verdict: 'approve', summary: 'ok', issues: [] },
      }),
    ).toBeUndefined();
  });
});

import { describe, expect, it } from 'vitest';
import { describeTaskEvent } from './tasks.command.js';

describe('describeTaskEvent', () => {
  it('shows paths inside the task\'s worktree relative to it', () => {
    const worktree = '/home/me/.local/share/harness/worktrees/5e592d0a-c659-4e6d-8edb-2a864755ac62';
    const line = describeTaskEvent({ seq: 7, kind: 'agent', data: { type: 'tool_call', id: 't1', name: 'Write', input: { file_path: `${worktree}/src/README.md` } } });
    expect(line).toBe('→ Write src/README.md');
  });
});

import { join } from 'node:path';
import type { AgentEvent } from '@agent-harness/core';
import { describe, expect, it } from 'vitest';
import { describeEvent } from './progress-view.js';

// A project that is not the directory the tests run from, as with `harness exec --project ../app`.
const project = join('/', 'srv', 'projects', 'app');
const read = (path: string): AgentEvent => ({ type: 'tool_call', id: 't1', name: 'Read', input: { file_path: path } });

describe('describeEvent paths', () => {
  it('keeps a path the agent gave relative to the project as it is', () => {
    expect(describeEvent(read('API.md'), project)).toBe('→ Read API.md');
    expect(describeEvent(read('docs/API.md'), project)).toBe('→ Read docs/API.md');
  });

  it('shows an absolute path inside the project relative to it', () => {
    expect(describeEvent(read(join(project, 'docs', 'API.md')), project)).toBe('→ Read docs/API.md');
    expect(describeEvent(read(project), project)).toBe('→ Read .');
  });

  it('keeps an absolute path outside the project absolute', () => {
    expect(describeEvent(read('/etc/hosts'), project)).toBe('→ Read /etc/hosts');
    expect(describeEvent(read(join('/', 'srv', 'projects', 'application', 'x.md')), project)).toBe(
      '→ Read /srv/projects/application/x.md',
    );
  });

  it('does the same for file changes', () => {
    const event: AgentEvent = {
      type: 'file_change',
      changes: [
        { kind: 'add', path: 'API.md' },
        { kind: 'update', path: join(project, 'src', 'lib.ts') },
      ],
    };
    expect(describeEvent(event, project)).toBe('✎ add API.md\n✎ update src/lib.ts');
  });
});

import { existsSync, mkdirSync, symlinkSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { FAKE_AGENT_BIN_DIR, readFakeAgentLog, createTempDir, type TempDir } from '@agent-harness/testing';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { EngineFixture } from '../test/engine-fixture.js';
import type { SkillRequest } from './run-context.js';

// A seeded task is how GC adoption commits a draft's artifacts: files and patches written into the
// task's own worktree on its own branch, validated and committed like any change.
describe('seeded tasks and skills (real SQLite, real git, scripted agent)', () => {
  let fixture: EngineFixture;
  let outside: TempDir;

  beforeEach(async () => {
    fixture = await EngineFixture.create();
    outside = await createTempDir('harness-outside-');
  });
  afterEach(async () => {
    await fixture.cleanup();
    await outside.cleanup();
  });

  it('writes seed files and applies seed patches on the given branch; the checkout stays untouched', async () => {
    const asked: SkillRequest[] = [];
    const engine = await fixture.start(
      { text: 'The guard looks right.' },
      {
        preCommit: ['test -x .harness/guards/no-todo.sh'],
        skills: {
          forTask: (request) => {
            asked.push(request);
            return Promise.resolve({
              section: '## Relevant skills\n\n### review\nRead the diff twice.',
              used: ['review'],
            });
          },
        },
      },
    );
    const patch = [
      '--- a/README.md',
      '+++ b/README.md',
      '@@ -1 +1,2 @@',
      ' # test repository',
      '+Guards live in .harness/guards.',
      '',
    ].join('\n');
    const submitted = await engine.submit({
      kind: 'prompt',
      prompt: 'Check the guard Harness wrote',
      description: 'GC draft 0123abcd',
      headBranch: 'harness/gc-0123abcd',
      seed: {
        files: [{ path: '.harness/guards/no-todo.sh', content: '#!/bin/sh\nexit 0\n', executable: true }],
        patches: [patch],
      },
    });
    const task = await fixture.finished(submitted.id);
    expect(task).toMatchObject({ status: 'done', branch: 'harness/gc-0123abcd' });
    const { repo } = fixture;
    repo.git('fetch', '--quiet', 'origin', 'harness/gc-0123abcd');
    expect(repo.git('show', 'FETCH_HEAD:.harness/guards/no-todo.sh')).toBe('#!/bin/sh\nexit 0');
    expect(repo.git('ls-tree', 'FETCH_HEAD', '.harness/guards/no-todo.sh')).toMatch(/^100755 /);
    expect(repo.git('show', 'FETCH_HEAD:README.md')).toContain('Guards live in .harness/guards.');
    // The user's checkout: no new file, README as it was.
    expect(existsSync(join(repo.path, '.harness'))).toBe(false);
    expect(repo.git('status', '--porcelain')).toBe('');
    // Skills were asked with the work as asked, and their section reached the agent.
    expect(asked).toHaveLength(1);
    expect(asked[0]).toMatchObject({ taskId: submitted.id, project: 'app' });
    expect(asked[0]?.text).toContain('Check the guard');
    const [call] = readFakeAgentLog(fixture.agentLog);
    expect(call?.prompt).toContain('### review\nRead the diff twice.');
  });

  it('a GC adoption (a seeded task) is reviewed for [gc] adopt_max_rounds rounds, not [agents.review] max_rounds', async () => {
    const requestChanges = `\`\`\`json\n${JSON.stringify({
      verdict: 'request_changes',
      summary: 'Not yet.',
      issues: [{ file: 'README.md', line: 1, severity: 'medium', message: 'say more' }],
    })}\n\`\`\``;
    const scenario = JSON.stringify(JSON.stringify({ text: requestChanges }));
    const codexLog = join(dirname(fixture.agentLog), 'codex.jsonl');
    const engine = await fixture.start(
      { edits: [{ path: 'fix.txt', content: 'fixed\n' }], text: 'Fixed.' },
      {
        toml: `[agents.codex]\ncli_path = "${FAKE_AGENT_BIN_DIR}/codex"\n[agents.codex.env]\nFAKE_AGENT_SCENARIO = ${scenario}\nFAKE_AGENT_LOG = ${JSON.stringify(codexLog)}\n`,
        review: { enabled: true, reviewerAgent: 'codex', maxRounds: 3, adoptionMaxRounds: 1 },
      },
    );
    const seeded = await engine.submit({
      kind: 'prompt',
      prompt: 'Check the guard Harness wrote',
      seed: { files: [{ path: 'guard.sh', content: '#!/bin/sh\nexit 0\n', executable: true }], patches: [] },
    });
    const task = await fixture.finished(seeded.id);
    expect(task).toMatchObject({ reviewRounds: 1, reviewOutcome: 'changes_requested' });
    expect(readFakeAgentLog(codexLog)).toHaveLength(1);
  });

  it('refuses a seed path through a symlink committed in the repository: nothing is written outside', async () => {
    const { repo } = fixture;
    mkdirSync(join(outside.path, 'target'));
    symlinkSync(join(outside.path, 'target'), join(repo.path, 'escape'));
    repo.git('add', 'escape');
    repo.git('commit', '--quiet', '-m', 'a symlink');
    repo.git('push', '--quiet', 'origin', 'main');
    const engine = await fixture.start({ text: 'ok' });
    const submitted = await engine.submit({
      kind: 'prompt',
      prompt: 'x',
      seed: { files: [{ path: 'escape/pwned.sh', content: 'echo pwned\n' }], patches: [] },
    });
    const task = await fixture.finished(submitted.id);
    expect(task.status).toBe('failed');
    expect(task.error).toContain('escape/pwned.sh');
    expect(existsSync(join(outside.path, 'target', 'pwned.sh'))).toBe(false);
  });

  it('refuses at submit: a bad head branch, a seed on an issue task, a path into .git', async () => {
    const engine = await fixture.start({ text: 'ok' });
    await expect(engine.submit({ kind: 'prompt', prompt: 'x', headBranch: '--upload-pack=x' })).rejects.toThrow(
      /headBranch/,
    );
    await expect(engine.submit({ kind: 'issue', issue: 1, seed: { files: [], patches: [] } })).rejects.toThrow(
      /prompt tasks/,
    );
    const submitted = await engine.submit({
      kind: 'prompt',
      prompt: 'x',
      seed: { files: [{ path: '.git/hooks/pre-commit', content: 'echo pwned\n' }], patches: [] },
    });
    const task = await fixture.finished(submitted.id);
    expect(task).toMatchObject({ status: 'failed' });
    expect(task.error).toContain('inside .git');
    expect(existsSync(join(fixture.repo.path, '.git', 'hooks', 'pre-commit'))).toBe(false);
  });
});

import { readFileSync } from 'node:fs';
import type { ValidationEventData } from '@agent-harness/core';
import { readFakeAgentLog } from '@agent-harness/testing';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { EngineFixture } from '../test/engine-fixture.js';

const SETUP_SECRET = 'npm_setup_canary_0123456789abcdef';

/** The setup runs of a task, as stored. */
async function setupEvents(fixture: EngineFixture, taskId: string): Promise<ValidationEventData[]> {
  const events = await fixture.tasks().eventsAfter(taskId, 0, 1000, ['validation']);
  return events.map((e) => e.data as ValidationEventData).filter((d) => d.stage === 'setup');
}

/** The log lines of a task, as stored. */
async function logMessages(fixture: EngineFixture, taskId: string): Promise<string[]> {
  const events = await fixture.tasks().eventsAfter(taskId, 0, 1000, ['log']);
  return events.map((e) => (e.data as { message: string }).message);
}

describe('workspace setup and reused worktrees (real SQLite, real git, sandbox, scripted agent)', () => {
  let fixture: EngineFixture;

  beforeEach(async () => {
    fixture = await EngineFixture.create();
  });
  afterEach(async () => {
    await fixture.cleanup();
  });

  it('runs setup in the new worktree before the agent, in the sandbox; its secret reaches setup only and is never stored', async () => {
    fixture.repo.commitFile('.gitignore', 'node_modules/\n');
    fixture.repo.git('push', '--quiet', 'origin', 'main');
    const setupLog = fixture.shared('setup.log');
    const engine = await fixture.start(
      { edits: [{ path: 'hello.txt', content: 'hi\n' }], commands: [`test -f node_modules/dep/index.js`] },
      {
        workspace: {
          setup: [
            `mkdir -p node_modules/dep && echo installed > node_modules/dep/index.js && echo ran >> ${setupLog}`,
            // The secret is there for setup, and what it prints of it is redacted.
            `test "$SETUP_TOKEN" = ${SETUP_SECRET} && echo "token: $SETUP_TOKEN"`,
            // Setup runs in the sandbox: the user's checkout is hidden from it.
            `test ! -e ${fixture.repo.path}/README.md`,
          ],
          env: { SETUP_TOKEN: SETUP_SECRET },
        },
        // Validation never gets setup's secret.
        preCommit: ['test -z "$SETUP_TOKEN"', 'test -f node_modules/dep/index.js'],
      },
    );
    const submitted = await engine.submit({ kind: 'prompt', prompt: 'Say hi' });
    const task = await fixture.finished(submitted.id);
    expect(task).toMatchObject({ status: 'done' });
    const [setup] = await setupEvents(fixture, submitted.id);
    expect(setup).toMatchObject({ stage: 'setup', ok: true, source: 'config' });
    expect(setup?.outcomes.map((o) => o.exitCode)).toEqual([0, 0, 0]);
    expect(setup?.outcomes[1]?.output).toContain('token: [REDACTED]');
    expect(readFileSync(setupLog, 'utf8')).toBe('ran\n');
    // Setup ran before the agent: it saw the installed dependency; it never saw the secret.
    const [call] = readFakeAgentLog(fixture.agentLog);
    expect(call?.env['SETUP_TOKEN']).toBeUndefined();
    const stored = JSON.stringify(await fixture.tasks().eventsAfter(submitted.id, 0, 1000));
    expect(stored).not.toContain(SETUP_SECRET);
    // What setup installed is ignored, as in any real project: the commit holds only the agent's edit.
    fixture.repo.git('fetch', '--quiet', 'origin', task.branch ?? '');
    expect(fixture.repo.git('show', '--name-only', '--format=', 'FETCH_HEAD')).toBe('hello.txt');
  });

  it('fails the task with class setup when a setup command fails; the agent never runs', async () => {
    const engine = await fixture.start(
      { edits: [{ path: 'hello.txt', content: 'hi\n' }] },
      { workspace: { setup: ['echo "cannot install"; exit 7', 'echo never'] } },
    );
    const submitted = await engine.submit({ kind: 'prompt', prompt: 'Say hi' });
    const task = await fixture.finished(submitted.id);
    expect(task).toMatchObject({
      status: 'failed',
      failureClass: 'setup',
      error: 'workspace setup failed: `echo "cannot install"; exit 7` exited with code 7',
    });
    const [setup] = await setupEvents(fixture, submitted.id);
    expect(setup?.ok).toBe(false);
    expect(setup?.outcomes).toHaveLength(1);
    expect(setup?.outcomes[0]?.output).toContain('cannot install');
    expect(readFakeAgentLog(fixture.agentLog)).toHaveLength(0);
  });

  it('reuses a finished worktree: nothing of the earlier task is visible, setup is skipped while the lockfile holds, rerun when it changes', async () => {
    const { repo } = fixture;
    repo.commitFile('.gitignore', 'build/\nnode_modules/\n');
    repo.commitFile('package-lock.json', '{"lockfileVersion": 3}\n');
    repo.git('push', '--quiet', 'origin', 'main');
    const setupRuns = fixture.shared('setup-runs');
    const seen = fixture.shared('seen');
    const hookRuns = fixture.shared('hook-runs');
    const engine = await fixture.start(
      {
        // Each task (after its edit) looks for what an earlier one left, then leaves files of its own (one ignored).
        commands: [
          `{ ls -A; ls -A build 2>&1; cat node_modules/dep/index.js; echo ---; } >> ${seen}`,
          'mkdir -p build && echo private > build/leftover.txt && echo untracked > notes.txt',
        ],
        edits: [{ path: 'change.txt', content: 'a change\n' }],
      },
      {
        maxConcurrent: 1,
        workspace: {
          setup: [
            `mkdir -p node_modules/dep && echo installed > node_modules/dep/index.js && echo run >> ${setupRuns}`,
          ],
          beforeRemove: `echo removed >> ${hookRuns}`,
          idle: 1,
        },
        preCommit: ['test -f node_modules/dep/index.js'],
      },
    );
    const run = async (): Promise<string> => {
      const submitted = await engine.submit({ kind: 'prompt', prompt: 'Change it' });
      const task = await fixture.finished(submitted.id);
      expect(task.status).toBe('done');
      return submitted.id;
    };
    await run();
    const second = await run();
    expect(readFileSync(setupRuns, 'utf8')).toBe('run\n');
    const logs = await logMessages(fixture, second);
    expect(logs).toContain(
      'workspace setup skipped: the reused worktree was set up with the same commands and lockfiles',
    );
    const [firstSeen, secondSeen] = readFileSync(seen, 'utf8').split('---\n');
    for (const view of [firstSeen, secondSeen]) {
      expect(view).not.toContain('notes.txt');
      expect(view).not.toContain('leftover.txt');
      expect(view).toContain('installed');
    }
    // A new lockfile: the dependency folders go and setup runs again.
    repo.commitFile('package-lock.json', '{"lockfileVersion": 3, "packages": {}}\n');
    repo.git('push', '--quiet', 'origin', 'main');
    const third = await run();
    expect(readFileSync(setupRuns, 'utf8')).toBe('run\nrun\n');
    const thirdLogs = await logMessages(fixture, third);
    expect(thirdLogs).toContain(
      'reused a finished worktree; its dependency folders were removed (setup or lockfiles changed)',
    );
    expect(readFileSync(hookRuns, 'utf8')).toBe('removed\nremoved\nremoved\n');
    // The finished tasks' branches live on origin only; one worktree waits for the next task.
    expect(repo.git('for-each-ref', '--format=%(refname)', 'refs/heads/harness/')).toBe('');
    expect(repo.git('worktree', 'list', '--porcelain').match(/^worktree /gm)).toHaveLength(2);
  });
});

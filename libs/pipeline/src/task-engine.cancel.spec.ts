import { existsSync, readFileSync, writeFileSync, chmodSync } from 'node:fs';
import { join } from 'node:path';
import { GitHubClient } from '@agent-harness/github';
import type { TelemetryEventDraft } from '@agent-harness/observe';
import type { Task, TaskStatus } from '@agent-harness/queue';
import {
  FAKE_AGENT_BIN_DIR,
  hostPid,
  isProcessRunning,
  processesInDirectory,
  startFakeGitHub,
  type FakeGitHub,
} from '@agent-harness/testing';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { EngineFixture, type EngineOptions } from '../test/engine-fixture.js';
import type { TaskSkills } from './run-context.js';
import type { TaskEngine } from './task-engine.js';

/**
 * A cancel ends a task in every phase, however long what it waits on would take: each phase blocks
 * on something that would last 600 s, and the cancel must be over well before that. The documented
 * target is 5 s; the cap here is loose because the machine running the tests may be loaded.
 */
const CANCEL_CAP_MS = 30_000;
/** Blocks for ten minutes; writes the PID of the sleep to `pidFile` first. */
const blockFor600s = (pidFile: string): string => `sleep 600 & echo $! > ${pidFile}; wait`;

// Each test waits for its task to block, then for the cancel: both bounded, on a loaded machine.
describe('TaskEngine cancel in every phase (real SQLite, git, processes)', { timeout: 150_000 }, () => {
  let fixture: EngineFixture;
  let github: FakeGitHub | undefined;
  let telemetry: TelemetryEventDraft[];

  beforeEach(async () => {
    fixture = await EngineFixture.create();
    telemetry = [];
  });
  afterEach(async () => {
    await fixture.cleanup();
    await github?.close();
    github = undefined;
  });

  const pidFile = (): string => fixture.shared('blocking.pid');

  /** Waits (bounded) for `check` to hold. */
  async function until(what: string, check: () => boolean | Promise<boolean>, ms = 60_000): Promise<void> {
    const deadline = Date.now() + ms;
    while (!(await check())) {
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  /** Starts an engine and a task that edits a file, and waits until it blocks in `status`. */
  async function blockedTask(status: TaskStatus, options: EngineOptions): Promise<{ engine: TaskEngine; id: string }> {
    const engine = await fixture.start(
      { edits: [{ path: 'hello.txt', content: 'hello\n' }], text: 'Created hello.txt' },
      { validationTimeoutMs: 600_000, telemetry: { emit: (d) => telemetry.push(d) }, ...options },
    );
    const { id } = await engine.submit({ kind: 'prompt', prompt: 'Create hello.txt' });
    await until(`task ${id} to block in ${status}`, async () => {
      const task = await fixture.tasks().get(id);
      if (task !== undefined && ['done', 'failed', 'cancelled'].includes(task.status))
        throw new Error(`task ended before blocking: ${task.status} ${task.error ?? ''}`);
      return task?.status === status && existsSync(pidFile()) && readFileSync(pidFile(), 'utf8').trim() !== '';
    });
    return { engine, id };
  }

  /** Cancels, and checks the task ended `cancelled` in time, its blocking process gone, no failure recorded. */
  async function cancelAndCheck(engine: TaskEngine, id: string, blockingPid: number | undefined): Promise<Task> {
    if (blockingPid !== undefined) expect(isProcessRunning(blockingPid)).toBe(true);
    const started = Date.now();
    const cancelled = await engine.cancel(id);
    expect(Date.now() - started).toBeLessThan(CANCEL_CAP_MS);
    expect(cancelled).toMatchObject({ status: 'cancelled', error: 'cancelled by request', failureClass: 'cancelled' });
    if (blockingPid !== undefined) expect(isProcessRunning(blockingPid)).toBe(false);
    const worktree = join(fixture.data.path, 'worktrees', id);
    expect(existsSync(worktree)).toBe(false);
    expect(processesInDirectory(worktree)).toEqual([]);
    // The phase stopped by itself: the engine never had to go on without it.
    const logs = await fixture.tasks().eventsAfter(id, 0, 1000, ['log']);
    expect(logs.map((e) => JSON.stringify(e.data))).not.toContainEqual(expect.stringContaining('did not stop'));
    // A cancel is no failure: nothing in telemetry says a check failed or the task failed.
    expect(telemetry.filter((d) => d.hook === 'validation' && d.decision === 'block')).toEqual([]);
    expect(telemetry.filter((d) => d.hook === 'task_failed' || d.hook === 'quality_grade')).toEqual([]);
    return cancelled;
  }

  /** The blocking process, by its PID on the host (it wrote the one it has in its sandbox). */
  const blockingPid = (id: string): number =>
    hostPid(Number(readFileSync(pidFile(), 'utf8').trim()), `HARNESS_TASK_ID=${id}`);

  it('in validation: the check is ended at once and recorded as cancelled, not failed', async () => {
    const { engine, id } = await blockedTask('validating', { preCommit: ['true', blockFor600s(pidFile())] });
    await cancelAndCheck(engine, id, blockingPid(id));
    const validations = await fixture.tasks().eventsAfter(id, 0, 1000, ['validation']);
    expect(validations).toHaveLength(1);
    expect(validations[0]?.data).toMatchObject({
      ok: false,
      cancelled: true,
      outcomes: [
        { command: 'true', exitCode: 0 },
        { command: blockFor600s(pidFile()), cancelled: true },
      ],
    });
    // The check that ran to its end still counts.
    expect(telemetry.filter((d) => d.hook === 'validation').map((d) => [d.decision, d.tool])).toEqual([
      ['pass', 'true'],
    ]);
  });

  it('in pre_push: the check is ended at once and nothing is pushed', async () => {
    const { engine, id } = await blockedTask('committing', { prePush: [blockFor600s(pidFile())] });
    const task = await cancelAndCheck(engine, id, blockingPid(id));
    expect(fixture.repo.git('--git-dir', fixture.repo.originPath ?? '', 'branch', '--list')).not.toContain(
      task.branch ?? 'no branch',
    );
  });

  it('in the commit: git and the filter it runs are ended', async () => {
    // A clean filter the repository's own config names (not a hook: Harness runs none) that hangs.
    fixture.repo.commitFile('.gitattributes', 'hello.txt filter=slow\n');
    fixture.repo.git('push', '--quiet', 'origin', 'HEAD:main');
    fixture.repo.git('config', 'filter.slow.clean', `${blockFor600s(pidFile())}; cat`);
    const { engine, id } = await blockedTask('committing', {});
    await cancelAndCheck(engine, id, blockingPid(id));
  });

  it('in the push: git and the hook the remote runs are ended', async () => {
    // The remote's own pre-receive hook (it runs on the remote's side, outside the worktree) hangs.
    const hook = join(fixture.repo.originPath ?? '', 'hooks', 'pre-receive');
    writeFileSync(hook, `#!/bin/sh\n${blockFor600s(pidFile())}\n`);
    chmodSync(hook, 0o755);
    const { engine, id } = await blockedTask('committing', {});
    const task = await cancelAndCheck(engine, id, blockingPid(id));
    expect(task.commit).toBeDefined();
  });

  it('while opening the pull request: the request to GitHub is given up', async () => {
    github = await startFakeGitHub({ token: 'ghs_cancel' });
    github.fail({ method: 'POST', path: /^\/repos\/o\/r\/pulls$/, status: 0, hang: true });
    const client = new GitHubClient({ apiUrl: github.url, token: 'ghs_cancel', paceWrites: false, retries: 0 });
    const engine = await fixture.start(
      { edits: [{ path: 'hello.txt', content: 'hello\n' }], text: 'Created hello.txt' },
      { github: client, repo: 'o/r', telemetry: { emit: (d) => telemetry.push(d) } },
    );
    const { id } = await engine.submit({ kind: 'prompt', prompt: 'Create hello.txt' });
    const fake = github;
    await until('the pull request to be asked for', () => fake.hangingRequests() === 1);
    await cancelAndCheck(engine, id, undefined);
    await until('GitHub to see the request given up', () => fake.hangingRequests() === 0, CANCEL_CAP_MS);
    expect(fake.pullRequests('o/r')).toEqual([]);
  });

  it('in the review: the reviewer agent and what it started are ended', async () => {
    const scenario = JSON.stringify(JSON.stringify({ hang: 'after_init', grandchildPidFile: pidFile() }));
    const { engine, id } = await blockedTask('reviewing', {
      toml: `[agents.codex]\ncli_path = "${FAKE_AGENT_BIN_DIR}/codex"\n[agents.codex.env]\nFAKE_AGENT_SCENARIO = ${scenario}\n`,
      review: { enabled: true, reviewerAgent: 'codex', maxRounds: 1 },
    });
    await cancelAndCheck(engine, id, blockingPid(id));
  });

  it('bounds a step that ignores the cancel: the task still ends, with a warning', async () => {
    const neverAnswers: TaskSkills = { forTask: () => new Promise(() => undefined) };
    const engine = await fixture.start({ text: 'unused' }, { skills: neverAnswers, stopGraceMs: 200 });
    const { id } = await engine.submit({ kind: 'prompt', prompt: 'x' });
    await until('the task to prepare', async () => (await fixture.tasks().get(id))?.agentUsed !== undefined);
    const started = Date.now();
    const cancelled = await engine.cancel(id);
    expect(Date.now() - started).toBeLessThan(CANCEL_CAP_MS);
    expect(cancelled).toMatchObject({ status: 'cancelled', failureClass: 'cancelled' });
    const logs = await fixture.tasks().eventsAfter(id, 0, 1000, ['log']);
    expect(logs.map((e) => (e.data as { message: string }).message)).toContain(
      'warning: the run did not stop within 0.2 s; cleaning up without it',
    );
  });
});

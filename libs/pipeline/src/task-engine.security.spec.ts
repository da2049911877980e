import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { AppError, REDACTED_SECRET } from '@agent-harness/core';
import { processesWithMarker } from '@agent-harness/testing';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { EngineFixture } from '../test/engine-fixture.js';

/** Secrets of the server's environment; none may reach project code, the store or a prompt. */
const CANARIES = {
  GITHUB_TOKEN: 'ghp_CANARYgithub0123456789',
  HARNESS_API_TOKEN: 'CANARY-harness-api-token-0123',
  ANTHROPIC_API_KEY: 'sk-ant-CANARY-0123456789',
};

// One engine fixture per test: real SQLite, real git with a bare origin, the scripted claude.
let fixture: EngineFixture;

beforeEach(async () => {
  fixture = await EngineFixture.create();
});
afterEach(async () => {
  await fixture.cleanup();
});

describe('TaskEngine against hostile project code', () => {
  const storedText = async (id: string): Promise<string> =>
    JSON.stringify([await fixture.tasks().get(id), await fixture.tasks().eventsAfter(id, 0, 10_000)]);

  it("runs validation commands without the server's secrets, with the task marker", async () => {
    const envFile = fixture.shared('validation-env');
    const procFile = fixture.shared('validation-proc-environ');
    const check = `env > ${envFile}; tr '\\0' '\\n' < /proc/$$/environ > ${procFile}`;
    const e = await fixture.start(
      { edits: [{ path: 'a.txt', content: 'a\n' }] },
      { preCommit: [check], env: CANARIES },
    );
    const task = await fixture.finished((await e.submit({ kind: 'prompt', prompt: 'x' })).id);
    expect(task.status).toBe('done');
    for (const file of [envFile, procFile]) {
      const seen = readFileSync(file, 'utf8');
      for (const canary of Object.values(CANARIES)) expect(seen, file).not.toContain(canary);
      expect(seen).toContain(`HARNESS_TASK_ID=${task.id}`);
      expect(seen).toMatch(/^PATH=/m);
    }
  });

  it('redacts a secret that project code prints, in stored events, the task error and the fix prompt', async () => {
    // Project code that gets hold of a secret some other way (a file) and prints it.
    const leaked = fixture.shared('leaked.txt');
    mkdirSync(dirname(leaked), { recursive: true });
    writeFileSync(leaked, `token=${CANARIES.GITHUB_TOKEN}\n`);
    const e = await fixture.start(
      { edits: [{ path: 'a.txt', content: 'a\n' }] },
      { preCommit: [`cat ${leaked}; exit 1`], env: CANARIES },
    );
    const task = await fixture.finished((await e.submit({ kind: 'prompt', prompt: 'x' })).id);
    expect(task.status).toBe('failed');
    const stored = await storedText(task.id);
    expect(stored).not.toContain(CANARIES.GITHUB_TOKEN);
    expect(stored).toContain(`token=${REDACTED_SECRET}`);
    // The agent's log holds every prompt it was given (and its environment, which never has GITHUB_TOKEN).
    const agentLog = readFileSync(fixture.agentLog, 'utf8');
    expect(agentLog).toContain('Validation failed');
    expect(agentLog).not.toContain(CANARIES.GITHUB_TOKEN);
  });

  it('in the sandbox, an agent cannot plant a hook or change the shared git config', async () => {
    const proof = fixture.shared('hook-ran');
    const plant = [
      'hooks=$(git rev-parse --git-common-dir)/hooks',
      `printf '#!/bin/sh\\nenv > ${proof}\\n' > "$hooks/pre-push" && echo planted > planted.txt`,
      `git config core.hooksPath "$hooks" && echo configured > configured.txt`,
      'true',
    ].join('; ');
    const configBefore = readFileSync(join(fixture.repo.path, '.git', 'config'), 'utf8');
    const e = await fixture.start({ edits: [{ path: 'a.txt', content: 'a\n' }], commands: [plant] }, { env: CANARIES });
    const task = await fixture.finished((await e.submit({ kind: 'prompt', prompt: 'x' })).id);
    expect(task.status).toBe('done');
    // Both writes were refused: the shared .git is read-only in the sandbox.
    expect(fixture.repo.git('show', `${task.commit ?? ''}:a.txt`)).toBe('a');
    expect(() => fixture.repo.git('show', `${task.commit ?? ''}:planted.txt`)).toThrow();
    expect(() => fixture.repo.git('show', `${task.commit ?? ''}:configured.txt`)).toThrow();
    expect(existsSync(proof)).toBe(false);
    expect(readFileSync(join(fixture.repo.path, '.git', 'config'), 'utf8')).toBe(configBefore);
    expect(existsSync(join(fixture.repo.path, '.git', 'hooks', 'pre-push'))).toBe(false);
    expect(await storedText(task.id)).not.toContain("changed the repository's shared");
  });

  it('without the sandbox (danger-full-access), runs no hook an agent planted, and restores the shared git config and hooks it changed', async () => {
    const proof = fixture.shared('hook-ran');
    const plant = [
      'hooks=$(git rev-parse --git-common-dir)/hooks',
      `printf '#!/bin/sh\\nenv > ${proof}\\n' > "$hooks/pre-push"`,
      'chmod +x "$hooks/pre-push"',
      'cp "$hooks/pre-push" "$hooks/post-commit"',
      `git config core.hooksPath "$hooks"`,
      `git config alias.evil '!touch ${proof}'`,
    ].join(' && ');
    const configBefore = readFileSync(join(fixture.repo.path, '.git', 'config'), 'utf8');
    const e = await fixture.start(
      { edits: [{ path: 'a.txt', content: 'a\n' }], commands: [plant] },
      { env: CANARIES, sandboxMode: 'danger-full-access' },
    );
    const task = await fixture.finished((await e.submit({ kind: 'prompt', prompt: 'x' })).id);
    expect(task.status).toBe('done');
    expect(fixture.repo.git('ls-remote', 'origin', task.branch ?? '')).toContain(task.commit);
    expect(existsSync(proof)).toBe(false);
    expect(readFileSync(join(fixture.repo.path, '.git', 'config'), 'utf8')).toBe(configBefore);
    expect(existsSync(join(fixture.repo.path, '.git', 'hooks', 'pre-push'))).toBe(false);
    expect(existsSync(join(fixture.repo.path, '.git', 'hooks', 'post-commit'))).toBe(false);
    expect(await storedText(task.id)).toMatch(
      /warning: the implementer \(claude\) changed the repository's shared config, hooks\/post-commit, hooks\/pre-push;/,
    );
  });

  it('ends what the agent left running with setsid when the task ends, and at recovery after a crash', async () => {
    const pidFile = fixture.shared('escaped.pid');
    const escape = `setsid sleep 300 > /dev/null 2>&1 < /dev/null & echo $! > ${pidFile}`;
    const e = await fixture.start({ edits: [{ path: 'a.txt', content: 'a\n' }], commands: [escape] });
    const task = await fixture.finished((await e.submit({ kind: 'prompt', prompt: 'x' })).id);
    expect(task.status).toBe('done');
    // It wrote the PID it has in its sandbox: nothing of the task runs any more, wherever it went.
    expect(readFileSync(pidFile, 'utf8').trim()).toMatch(/^\d+$/);
    expect(processesWithMarker(`HARNESS_TASK_ID=${task.id}`)).toEqual([]);

    // A crashed server's task: its process carries the marker but works elsewhere, in its own session.
    await fixture.engine?.stop();
    const now = new Date().toISOString();
    await fixture.tasks().create(
      {
        id: 'crashed-task-0001',
        project: 'app',
        kind: 'prompt',
        prompt: 'x',
        status: 'running',
        attempt: 1,
        inputTokens: 0,
        outputTokens: 0,
        validationRetries: 0,
        reviewRounds: 0,
        createdAt: now,
        updatedAt: now,
        version: 1,
      },
      { kind: 'status', data: { to: 'running' } },
    );
    // detached: a session and process group of its own, as `setsid` gives (and the PID is the sleep's).
    const orphan = spawn('sleep', ['300'], {
      cwd: fixture.data.path,
      env: { ...process.env, HARNESS_TASK_ID: 'crashed-task-0001' },
      detached: true,
      stdio: 'ignore',
    });
    orphan.unref();
    // The environment is the child's from its first instant: no wait needed before recovery looks.
    await new Promise((resolve) => orphan.once('spawn', resolve));
    expect(isAlive(orphan.pid ?? 0)).toBe(true);
    await fixture.start({ hang: 'before_output' }, { maxConcurrent: 1 });
    expect(isAlive(orphan.pid ?? 0)).toBe(false);
  });

  it('refuses tasks at admission, with the fix, when the sandbox cannot start; runs them, warned, in danger-full-access', async () => {
    const refusing = await fixture.start({ edits: [{ path: 'a.txt', content: 'a\n' }] }, { withoutBubblewrap: true });
    const refusal = await refusing.submit({ kind: 'prompt', prompt: 'x' }).catch((error: unknown) => error);
    expect(refusal).toBeInstanceOf(AppError);
    expect(refusal).toMatchObject({ code: 'AGENT_UNAVAILABLE' });
    expect((refusal as AppError).message).toBe(
      'sandbox_mode "workspace-write" needs the OS sandbox: bubblewrap (bwrap) is not on PATH: install bubblewrap and socat (Debian/Ubuntu: apt-get install bubblewrap socat)',
    );
    expect((await fixture.tasks().list({ limit: 10, offset: 0 })).total).toBe(0);
    await fixture.engine?.stop();

    const unsandboxed = await fixture.start(
      { edits: [{ path: 'a.txt', content: 'a\n' }] },
      { withoutBubblewrap: true, sandboxMode: 'danger-full-access' },
    );
    const task = await fixture.finished((await unsandboxed.submit({ kind: 'prompt', prompt: 'x' })).id);
    expect(task.status).toBe('done');
    expect(await storedText(task.id)).toContain(
      'warning: [agents] sandbox_mode = \\"danger-full-access\\": agents and project commands run without the OS sandbox',
    );
  });

  it('leaves no task branch behind when a task fails before its first commit', async () => {
    const e = await fixture.start({ text: 'Nothing to do.' });
    const task = await fixture.finished((await e.submit({ kind: 'prompt', prompt: 'noop' })).id);
    expect(task).toMatchObject({ status: 'failed', error: 'agent made no changes' });
    expect(fixture.repo.git('branch', '--list', 'harness/*')).toBe('');
  });
});

/** Whether a process exists and is not a zombie. */
function isAlive(pid: number): boolean {
  try {
    return !readFileSync(`/proc/${String(pid)}/stat`, 'utf8').includes(') Z ');
  } catch {
    return false;
  }
}

/** "CODE: message" of the error a refused submit throws. */
async function refusal(submitted: Promise<unknown>): Promise<string> {
  try {
    await submitted;
  } catch (error) {
    if (error instanceof AppError) return `${error.code}: ${error.message}`;
    throw error;
  }
  throw new Error('the task was admitted');
}

describe('TaskEngine admission', () => {
  it('refuses an agent name that is not configured, and issue or PR tasks without GitHub', async () => {
    const e = await fixture.start({});
    expect(await refusal(e.submit({ kind: 'prompt', prompt: 'x', agent: 'gpt-engineer' }))).toMatch(
      /^INVALID_ARGUMENT: agent: unknown agent "gpt-engineer"/,
    );
    expect(await refusal(e.submit({ kind: 'issue', issue: 1 }))).toMatch(/^INVALID_ARGUMENT: issue: .*GITHUB_TOKEN/);
    expect(await refusal(e.submit({ kind: 'pr', pr: 2 }))).toMatch(/^INVALID_ARGUMENT: pr: .*GITHUB_TOKEN/);
    expect((await fixture.tasks().list({ limit: 10, offset: 0 })).total).toBe(0);
  });

  it('refuses a task whose default agent is not installed', async () => {
    const e = await fixture.start(
      {},
      { toml: '[agents.codex]\ncli_path = "/nonexistent/codex"\n', defaultAgent: 'codex' },
    );
    expect(await refusal(e.submit({ kind: 'prompt', prompt: 'x' }))).toMatch(
      /^INVALID_ARGUMENT: agent: codex \(from \[agents\] default_agent\) is not installed/,
    );
    expect(await refusal(e.submit({ kind: 'prompt', prompt: 'x', agent: 'codex' }))).toMatch(
      /^INVALID_ARGUMENT: agent: codex \(from the task\) is not installed/,
    );
    expect((await e.submit({ kind: 'prompt', prompt: 'x', agent: 'claude' })).status).toBe('preparing');
  });

  it('refuses every task when no agent is installed, naming the fix', async () => {
    const e = await fixture.start(
      {},
      { toml: '[agents.codex]\ncli_path = "/nonexistent/codex"\n', claudePath: '/nonexistent/claude' },
    );
    expect(await refusal(e.submit({ kind: 'prompt', prompt: 'x' }))).toMatch(
      /^INVALID_ARGUMENT: agent: no agent is available .*install Claude Code/,
    );
  });
});

describe('TaskEngine classification', () => {
  it("marks complex work and gives it the planning tier's model under reasoning_budget", async () => {
    const budget =
      '[agents.claude.reasoning_budget]\nplanning_tier = "xhigh"\nexecution_tier = "medium"\nxhigh_model = "opus-x"\nmedium_model = "haiku-x"\n';
    const e = await fixture.start({ edits: [{ path: 'a.txt', content: 'a\n' }] }, { toml: budget });
    const complex = await fixture.finished(
      (await e.submit({ kind: 'prompt', prompt: 'Refactor the task queue into modules' })).id,
    );
    const simple = await fixture.finished((await e.submit({ kind: 'prompt', prompt: 'Fix a typo' })).id);
    expect(complex.complexity).toBe('complex');
    expect(simple.complexity).toBe('simple');
    const models = readFileSync(fixture.agentLog, 'utf8')
      .trim()
      .split('\n')
      .map((line) => {
        const argv = (JSON.parse(line) as { argv: string[] }).argv;
        return argv[argv.indexOf('--model') + 1];
      });
    expect(models).toEqual(['opus-x', 'haiku-x']);
  });
});

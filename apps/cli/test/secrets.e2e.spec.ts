import { existsSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  FAKE_AGENT_BIN_DIR,
  createTempDir,
  createTempGitRepo,
  createTempPostgresDatabase,
  fakeAgentToml,
  hostPid,
  sandboxAllowWriteToml,
  killStartedHarnessProcesses,
  readFakeAgentLog,
  startHarnessServer,
  type HarnessServerProcess,
  type TempDir,
  type TempGitRepo,
  type TempPostgresDatabase,
} from '@agent-harness/testing';
import type { CreateTaskResponse, TaskDetail } from '@agent-harness/core';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { illegalStatusHistories } from './support/state-table-replay.js';

// Canary secrets in the server's environment, and project code that hunts for them: they must
// appear nowhere Harness writes, streams or logs, nor in any process project code can start.
const cliPath = join(import.meta.dirname, '..', 'dist', 'main.js');

const CANARIES = {
  GITHUB_TOKEN: 'ghp_CANARY_e2e_github_0123456789',
  HARNESS_API_TOKEN: 'CANARY-e2e-harness-api-token-0123',
  ANTHROPIC_API_KEY: 'sk-ant-CANARY-e2e-0123456789',
  AWS_SECRET_ACCESS_KEY: 'CANARY-e2e-aws-secret-0123456789',
  OPENAI_API_KEY: 'sk-CANARY-e2e-openai-0123456789',
};

/** A process's environment as the kernel holds it (`/proc/<pid>/environ`, NUL-separated). */
function environOf(pid: number): Record<string, string> {
  const env: Record<string, string> = {};
  for (const entry of readFileSync(`/proc/${String(pid)}/environ`, 'utf8').split('\0')) {
    const eq = entry.indexOf('=');
    if (eq > 0) env[entry.slice(0, eq)] = entry.slice(eq + 1);
  }
  return env;
}

/** Waits (bounded, generously: the machine is shared) until a file has content, and returns it. */
async function waitForContent(path: string, ms = 40_000): Promise<string> {
  const deadline = Date.now() + ms;
  for (;;) {
    const text = existsSync(path) ? readFileSync(path, 'utf8').trim() : '';
    if (text !== '') return text;
    if (Date.now() > deadline) throw new Error(`${path} got no content within ${String(ms)} ms`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('secrets stay in the server (built server, scripted agent, hostile project code)', () => {
  let home: TempDir;
  let repo: TempGitRepo;
  let server: HarnessServerProcess | undefined;

  beforeEach(async () => {
    home = await createTempDir('harness-home-');
    repo = await createTempGitRepo({ withOrigin: true });
  });
  afterEach(async () => {
    await server?.stop('SIGTERM', 15_000);
    server = undefined;
    expect(await illegalStatusHistories(join(home.path, 'data'))).toEqual([]);
    await home.cleanup();
    await repo.cleanup();
  });
  afterAll(() => {
    killStartedHarnessProcesses();
  });

  it("no canary reaches the database, the stream, the logs, the prompts, or a validation command's environment", async () => {
    const file = (name: string) => join(home.path, name);
    // Project code that found the secrets some other way prints them; and dumps its own environment.
    writeFileSync(
      file('leak.txt'),
      `${Object.entries(CANARIES)
        .map(([k, v]) => `${k}=${v}`)
        .join('\n')}\n`,
    );
    const validation = `cat ${file('leak.txt')}; env; tr '\\0' '\\n' < /proc/$$/environ > ${file('validation-environ')}`;
    const agentProbe = `env > ${file('agent-command-env')}`;
    // A hook the agent plants, run by the agent's own commit: what could it read?
    const plantAndCommit = [
      'hook=$(git rev-parse --git-common-dir)/hooks/post-commit',
      `printf '#!/bin/sh\\ntr "\\\\0" "\\\\n" < /proc/$$/environ >> ${file('hook-environ')}\\n' > "$hook"`,
      'chmod +x "$hook"',
      'git -c user.name=agent -c user.email=agent@example.invalid commit --quiet --allow-empty -m probe',
    ].join(' && ');
    writeFileSync(
      file('harness.toml'),
      [
        '[server]',
        `data_dir = ${JSON.stringify(file('data'))}`,
        '[validation]',
        `pre_commit = ${JSON.stringify([validation])}`,
        '[agents.claude]',
        `cli_path = ${JSON.stringify(join(FAKE_AGENT_BIN_DIR, 'claude'))}`,
        fakeAgentToml(
          'claude',
          { edits: [{ path: 'a.txt', content: 'a\n' }], commands: [agentProbe, plantAndCommit] },
          file('claude.jsonl'),
        ),
        sandboxAllowWriteToml(home.path),
        '[agents.codex]',
        'cli_path = "/nonexistent/codex"',
        '[agents.review]',
        'enabled = false',
        '[[projects]]',
        'name = "app"',
        `root = ${JSON.stringify(repo.path)}`,
        '',
      ].join('\n'),
    );
    server = await startHarnessServer({
      cliPath,
      args: ['--config', file('harness.toml')],
      home: home.path,
      env: { ...repo.gitEnv, ...CANARIES },
    });
    const headers = { authorization: `Bearer ${CANARIES.HARNESS_API_TOKEN}`, 'content-type': 'application/json' };
    const created = (await (
      await fetch(`${server.url}/tasks`, {
        method: 'POST',
        headers,
        body: JSON.stringify({ project: 'app', prompt: 'Add a.txt' }),
      })
    ).json()) as CreateTaskResponse;
    const stream = await (await fetch(`${server.url}/tasks/${created.task_id}/stream`, { headers })).text();
    const task = (await (await fetch(`${server.url}/tasks/${created.task_id}`, { headers })).json()) as TaskDetail;
    expect(task, JSON.stringify(task)).toMatchObject({ status: 'done' });
    expect(stream).toContain('[REDACTED]');
    await server.stop('SIGTERM', 15_000);
    const logs = `${server.stdout()}\n${server.stderr()}`;
    server = undefined;

    const dataFiles = readdirSync(file('data'))
      .filter((f) => f.startsWith('harness.db'))
      .map((f) => readFileSync(join(file('data'), f)).toString('latin1'));
    expect(dataFiles.length).toBeGreaterThan(0);
    const validationEnv = readFileSync(file('validation-environ'), 'utf8');
    expect(validationEnv).toContain(`HARNESS_TASK_ID=${created.task_id}`);
    const agentCommandEnv = readFileSync(file('agent-command-env'), 'utf8');
    // The agent could not plant its hook: the repository's shared .git is read-only in its sandbox
    // (and Harness's own commit and push run no hook).
    expect(existsSync(file('hook-environ'))).toBe(false);
    const prompts = readFakeAgentLog(file('claude.jsonl')).map((call) => JSON.stringify(call.argv));
    for (const [name, canary] of Object.entries(CANARIES)) {
      for (const [where, text] of Object.entries({
        stream,
        logs,
        validationEnv,
        prompts: prompts.join('\n'),
        database: dataFiles.join('\n'),
      })) {
        expect(text.includes(canary), `${name} in ${where}`).toBe(false);
      }
      // Claude Code needs its own provider's key; nothing else of Harness's reaches the agent.
      if (name !== 'ANTHROPIC_API_KEY') {
        expect(agentCommandEnv.includes(canary), `${name} in the agent's commands`).toBe(false);
      }
    }
    expect(existsSync(file('data/worktrees')) ? readdirSync(file('data/worktrees')) : []).toEqual([]);
  });

  describe('on a PostgreSQL queue named by HARNESS_DATABASE_URL', () => {
    let database: TempPostgresDatabase | undefined;
    afterEach(async () => {
      await database?.drop();
      database = undefined;
    });

    it("a Claude agent, and what it starts, hold only the allow-list: its own key, none of the server's secrets", async () => {
      const file = (name: string) => join(home.path, name);
      // HARNESS_DATABASE_URL selects the database, so it names a real one (the test's own
      // PostgreSQL database) with a canary password: trust auth lets the server in with it.
      database = await createTempPostgresDatabase();
      const databaseUrl = new URL(database.url);
      databaseUrl.password = 'CANARYe2edbpassword0123';
      const canaries = {
        ...CANARIES,
        HARNESS_DATABASE_URL: databaseUrl.toString(),
        DATABASE_URL: 'postgres://app:CANARYe2eappdbpassword0123@db.internal/app',
        SOME_SERVER_SETTING: 'CANARY-e2e-unlisted-variable-0123',
      };
      // The agent starts a shell, which starts a `sleep`; both wait until the test has read their
      // environments from /proc.
      const command = [
        `echo $$ > ${file('shell.pid')}`,
        'sleep 300 >/dev/null 2>&1 &',
        `echo $! > ${file('sleep.pid')}`,
        `while [ ! -e ${file('go')} ]; do sleep 0.05; done`,
        'kill $!',
      ].join('\n');
      writeFileSync(
        file('harness.toml'),
        [
          '[server]',
          `data_dir = ${JSON.stringify(file('data'))}`,
          '[agents.claude]',
          `cli_path = ${JSON.stringify(join(FAKE_AGENT_BIN_DIR, 'claude'))}`,
          fakeAgentToml(
            'claude',
            { edits: [{ path: 'a.txt', content: 'a\n' }], commands: [command] },
            file('claude.jsonl'),
          ),
          sandboxAllowWriteToml(home.path),
          '[agents.codex]',
          'cli_path = "/nonexistent/codex"',
          '[agents.review]',
          'enabled = false',
          '[[projects]]',
          'name = "app"',
          `root = ${JSON.stringify(repo.path)}`,
          '',
        ].join('\n'),
      );
      server = await startHarnessServer({
        cliPath,
        args: ['--config', file('harness.toml')],
        home: home.path,
        env: { ...repo.gitEnv, ...canaries },
      });
      const headers = { authorization: `Bearer ${CANARIES.HARNESS_API_TOKEN}`, 'content-type': 'application/json' };
      const created = (await (
        await fetch(`${server.url}/tasks`, {
          method: 'POST',
          headers,
          body: JSON.stringify({ project: 'app', prompt: 'Add a.txt' }),
        })
      ).json()) as CreateTaskResponse;

      const sleepPidInside = Number(
        await waitForContent(file('sleep.pid')).catch(async (error: unknown) => {
          const task = await (await fetch(`${server?.url ?? ''}/tasks/${created.task_id}`, { headers })).text();
          throw new Error(`${String(error)}; the task: ${task}; the server: ${server?.stderr() ?? ''}`);
        }),
      );
      // Each wrote the PID it has in its sandbox's PID namespace: the host's is found by the task marker.
      const marker = `HARNESS_TASK_ID=${created.task_id}`;
      const sleepPid = hostPid(sleepPidInside, marker);
      const shellPid = hostPid(Number(await waitForContent(file('shell.pid'))), marker);
      const agentPidInside = readFakeAgentLog(file('claude.jsonl'))[0]?.pid;
      expect(agentPidInside).toBeTypeOf('number');
      const agentPid = hostPid(agentPidInside ?? 0, marker);
      expect(new Set([sleepPid, shellPid, agentPid]).size).toBe(3);
      const environs = {
        agent: environOf(agentPid),
        "the agent's shell": environOf(shellPid),
        "the shell's sleep": environOf(sleepPid),
      };
      writeFileSync(file('go'), '');
      const stream = await (await fetch(`${server.url}/tasks/${created.task_id}/stream`, { headers })).text();
      const task = (await (await fetch(`${server.url}/tasks/${created.task_id}`, { headers })).json()) as TaskDetail;
      expect(task, JSON.stringify(task)).toMatchObject({ status: 'done' });
      await server.stop('SIGTERM', 15_000);
      const logs = `${server.stdout()}\n${server.stderr()}`;
      server = undefined;

      for (const [who, env] of Object.entries(environs)) {
        expect(env['PATH'], who).toBe(process.env['PATH']);
        expect(env['ANTHROPIC_API_KEY'], `the agent's own key in ${who}`).toBe(CANARIES.ANTHROPIC_API_KEY);
        expect(env['HARNESS_TASK_ID'], who).toBe(created.task_id);
        expect(
          Object.keys(env).filter((name) => name.startsWith('HARNESS_')),
          who,
        ).toEqual(['HARNESS_TASK_ID']);
        const values = Object.values(env).join('\n');
        for (const [name, canary] of Object.entries(canaries)) {
          if (name !== 'ANTHROPIC_API_KEY') expect(values.includes(canary), `${name} in ${who}`).toBe(false);
        }
      }
      for (const [where, text] of Object.entries({ stream, logs })) {
        expect(text.includes('CANARYe2edbpassword0123'), `the database password in ${where}`).toBe(false);
      }
    }, 120_000);
  });
});

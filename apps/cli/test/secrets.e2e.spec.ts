import { existsSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  FAKE_AGENT_BIN_DIR,
  createTempDir,
  createTempGitRepo,
  fakeAgentEnv,
  killStartedHarnessProcesses,
  readFakeAgentLog,
  startHarnessServer,
  type HarnessServerProcess,
  type TempDir,
  type TempGitRepo,
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
};

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
    const scenario = { edits: [{ path: 'a.txt', content: 'a\n' }], commands: [agentProbe, plantAndCommit] };
    server = await startHarnessServer({
      cliPath,
      args: ['--config', file('harness.toml')],
      home: home.path,
      env: { ...repo.gitEnv, ...fakeAgentEnv(scenario, file('claude.jsonl')), ...CANARIES },
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
    // The hook ran once, for the agent's commit; Harness's own commit and push ran no hook.
    const hookEnv = readFileSync(file('hook-environ'), 'utf8');
    expect(hookEnv.match(/^HARNESS_TASK_ID=/gm)).toHaveLength(1);
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
        expect(hookEnv.includes(canary), `${name} in a planted hook`).toBe(false);
      }
    }
    expect(existsSync(file('data/worktrees')) ? readdirSync(file('data/worktrees')) : []).toEqual([]);
  });
});

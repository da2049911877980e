import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  FAKE_AGENT_BIN_DIR,
  createTempDir,
  createTempGitRepo,
  fakeAgentToml,
  sandboxAllowWriteToml,
  killStartedHarnessProcesses,
  readFakeAgentLog,
  runHarness,
  startHarnessServer,
  type TempDir,
  type TempGitRepo,
} from '@agent-harness/testing';
import type { TaskListResponse } from '@agent-harness/core';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';

// A usage mistake must stop before anything happens: no agent run, no task, no server, no data dir.
const cliPath = join(import.meta.dirname, '..', 'dist', 'main.js');

describe('usage errors (built CLI)', () => {
  let home: TempDir;
  let repo: TempGitRepo;
  let configFile: string;
  let log: string;

  beforeEach(async () => {
    home = await createTempDir('harness-home-');
    repo = await createTempGitRepo();
    configFile = join(home.path, 'harness.toml');
    log = join(home.path, 'agents.jsonl');
    writeFileSync(
      configFile,
      `[agents.claude]\ncli_path = "${FAKE_AGENT_BIN_DIR}/claude"\n${fakeAgentToml('claude', { text: 'ran' }, log)}[agents.codex]\ncli_path = "${FAKE_AGENT_BIN_DIR}/codex"\n${fakeAgentToml('codex', { text: 'ran' }, log)}${sandboxAllowWriteToml(home.path)}`,
    );
  });
  afterEach(async () => {
    await home.cleanup();
    await repo.cleanup();
  });
  afterAll(() => {
    killStartedHarnessProcesses();
  });

  const run = (args: string[]) =>
    runHarness({
      cliPath,
      args,
      cwd: repo.path,
      home: home.path,
      env: repo.gitEnv,
    });

  /** Exit 2, one `harness:` message with a help hint, no help page, nothing on stdout. */
  function expectUsageError(
    result: { code: number | null; stdout: string; stderr: string },
    message: string,
    hint: string,
  ): void {
    expect(result.code).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.stderr).toContain(`harness: ${message}`);
    expect(result.stderr.match(/harness: /g)).toHaveLength(1);
    expect(result.stderr).toContain(`see: ${hint}\n`);
    expect(result.stderr).not.toContain('Options:');
  }

  it('exec without a prompt names what is missing and starts no agent', async () => {
    expectUsageError(await run(['exec', '--config', configFile]), 'name a prompt', 'harness exec --help');
    expectUsageError(await run(['exec', '', '--config', configFile]), 'name a prompt', 'harness exec --help');
    expect(readFakeAgentLog(log)).toEqual([]);
  });

  it('exec with a bad --sandbox-mode or a misspelt flag starts no agent', async () => {
    const bogus = await run(['exec', 'fix it', '--sandbox-mode', 'bogus', '--config', configFile]);
    expectUsageError(bogus, 'Invalid values:', 'harness exec --help');
    expect(bogus.stderr).toContain('Argument: sandbox-mode, Given: "bogus"');
    expectUsageError(
      await run(['exec', 'fix it', '--ouput-file', 'a.md', '--config', configFile]),
      'Unknown argument: ouput-file',
      'harness exec --help',
    );
    expectUsageError(
      await run(['exec', 'fix it', '--agnet', 'codex', '--config', configFile]),
      'Unknown argument: agnet',
      'harness exec --help',
    );
    expect(readFakeAgentLog(log)).toEqual([]);
    expect(existsSync(join(repo.path, 'a.md'))).toBe(false);
  });

  it('exec takes an unquoted prompt as its words joined by spaces', async () => {
    const result = await run(['exec', 'fix', 'the', 'bug', '--config', configFile]);
    expect(result).toMatchObject({ code: 0, stdout: 'ran\n' });
    expect(readFakeAgentLog(log).map((call) => call.prompt)).toEqual(['fix the bug']);
  });

  it('exec takes a prompt that starts with "-" after --', async () => {
    const quoted = await run(['exec', '--config', configFile, '--', '--verbose is broken']);
    expect(quoted).toMatchObject({ code: 0, stdout: 'ran\n' });
    const words = await run(['exec', '--config', configFile, '--', '--verbose', 'is', 'broken']);
    expect(words.code).toBe(0);
    expect(readFakeAgentLog(log).map((call) => call.prompt)).toEqual(['--verbose is broken', '--verbose is broken']);
  });

  it('serve with an unknown flag never listens and creates no data directory', async () => {
    const result = await run(['serve', '--port', '0', '--bogus']);
    expectUsageError(result, 'Unknown argument: bogus', 'harness serve --help');
    expect(existsSync(join(home.path, '.local', 'share', 'harness'))).toBe(false);
    expectUsageError(
      await run(['serve', '--port', '0', '--', 'extra']),
      'unexpected arguments after --: extra',
      'harness serve --help',
    );
  });

  it('config check with an unknown flag does not say "valid"', async () => {
    expectUsageError(
      await run(['config', 'check', '--bogus']),
      'Unknown argument: bogus',
      'harness config check --help',
    );
  });

  it('a missing command or subcommand is named, with the help hint of its level', async () => {
    expectUsageError(await run([]), 'name a command: serve, exec, tasks, config', 'harness --help');
    expectUsageError(
      await run(['tasks']),
      'name a tasks command: submit, list, show, watch, cancel',
      'harness tasks --help',
    );
    expectUsageError(await run(['config']), 'name a config command: show, check', 'harness config --help');
    expectUsageError(
      await run(['tasks', 'show']),
      'missing an argument: harness tasks show <id>',
      'harness tasks show --help',
    );
  });

  it('tasks submit with an unknown flag creates no task', async () => {
    const server = await startHarnessServer({
      cliPath,
      args: ['--project', `app=${repo.path}`],
      home: home.path,
      env: repo.gitEnv,
    });
    try {
      const result = await run([
        'tasks',
        'submit',
        '--server',
        server.url,
        '--project',
        'app',
        '--prompt',
        'x',
        '--bogus',
      ]);
      expectUsageError(result, 'Unknown argument: bogus', 'harness tasks submit --help');
      const listed = (await (await fetch(`${server.url}/tasks`)).json()) as TaskListResponse;
      expect(listed.total).toBe(0);
    } finally {
      await server.stop('SIGTERM');
    }
  });
});

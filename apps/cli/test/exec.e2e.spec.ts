import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { AgentEvent } from '@agent-harness/core';
import {
  createTempDir,
  createTempGitRepo,
  FAKE_AGENT_BIN_DIR,
  fakeAgentToml,
  fileWritingModel,
  isProcessRunning,
  killStartedHarnessProcesses,
  processesInDirectory,
  readFakeAgentLog,
  runHarness,
  sandboxAllowWriteToml,
  spawnHarness,
  startFakeAnthropicServer,
  type FakeAgentScenario,
  type TempDir,
  type TempGitRepo,
} from '@agent-harness/testing';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';

const cliPath = join(import.meta.dirname, '..', 'dist', 'main.js');

describe('harness exec (built CLI, scripted agents)', () => {
  let home: TempDir;
  let repo: TempGitRepo;
  let configFile: string;
  let log: string;
  /** The configuration's agents; `writeConfig` adds the scenario the scripted agents play. */
  let agents: string;

  beforeEach(async () => {
    home = await createTempDir('harness-home-');
    repo = await createTempGitRepo();
    configFile = join(home.path, 'harness.toml');
    log = join(home.path, 'agents.jsonl');
    agents = `[agents.claude]\ncli_path = "${FAKE_AGENT_BIN_DIR}/claude"\n[agents.codex]\ncli_path = "${FAKE_AGENT_BIN_DIR}/codex"\n`;
  });
  afterEach(async () => {
    await home.cleanup();
    await repo.cleanup();
  });
  afterAll(() => {
    killStartedHarnessProcesses();
  });

  // An agent gets only an allow-list of the environment: its scenario goes into the configuration.
  const writeConfig = (scenario: FakeAgentScenario): void => {
    writeFileSync(
      configFile,
      `${agents}${fakeAgentToml('claude', scenario, log)}${fakeAgentToml('codex', scenario, log)}${sandboxAllowWriteToml(home.path)}`,
    );
  };
  const exec = (args: string[], scenario: FakeAgentScenario = {}, env: Record<string, string> = {}) => {
    writeConfig(scenario);
    return runHarness({
      cliPath,
      args: ['exec', ...args, '--config', configFile],
      cwd: repo.path,
      home: home.path,
      env,
    });
  };

  it('runs claude in the current directory: a real edit, progress on stderr, the answer on stdout', async () => {
    const result = await exec(['Create hello.txt'], {
      edits: [{ path: 'hello.txt', content: 'hi\n' }],
      commands: ['false'],
      text: 'Created hello.txt.',
    });
    expect(result.code).toBe(0);
    expect(readFileSync(join(repo.path, 'hello.txt'), 'utf8')).toBe('hi\n');
    expect(result.stdout).toBe('Created hello.txt.\n');
    expect(result.stderr).toContain('→ Write hello.txt\n✎ add hello.txt\n→ Bash false\n  ✗ failed');
    expect(readFakeAgentLog(log)[0]?.prompt).toBe('Create hello.txt');
  });

  it('shows progress live, while the agent is still working', async () => {
    writeConfig({ edits: [{ path: 'a.txt', content: 'a' }], delayMs: 400 });
    const child = spawnHarness({
      cliPath,
      args: ['exec', 'slowly', '--config', configFile],
      cwd: repo.path,
      home: home.path,
    });
    const deadline = Date.now() + 15_000;
    while (!child.stderr().includes('→ Write a.txt') && Date.now() < deadline)
      await new Promise((r) => setTimeout(r, 20));
    expect(child.stderr()).toContain('→ Write a.txt');
    expect(child.stdout()).toBe('');
    const exit = await child.exited;
    expect(exit.code).toBe(0);
    expect(child.stdout()).toBe('Done.\n');
  });

  it("--json prints the agent's events one per line, as a task's stream carries them (role and agent too)", async () => {
    const result = await exec(['Create hello.txt', '--agent', 'codex', '--json', '--model', 'gpt-5.5'], {
      edits: [{ path: 'hello.txt', content: 'x' }],
      session: 't-1',
    });
    expect(result.code).toBe(0);
    const events = result.stdout
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as AgentEvent);
    expect(events.map((e) => e.type)).toEqual(['session_started', 'file_change', 'text', 'usage', 'completed']);
    expect(events.at(-1)).toMatchObject({
      role: 'implementer',
      agent: 'codex',
      type: 'completed',
      ok: true,
      sessionId: 't-1',
    });
    expect(readFakeAgentLog(log)[0]?.argv).toEqual(expect.arrayContaining(['-m', 'gpt-5.5']));
  });

  it('runs the anthropic-api agent against a local Messages API server', async () => {
    const server = await startFakeAnthropicServer(fileWritingModel('api.txt', 'from the api agent\n'));
    try {
      agents = `[agents.anthropic_api]\nbase_url = "${server.url}"\n`;
      const result = await exec(
        ['Create api.txt', '--agent', 'anthropic-api'],
        {},
        { ANTHROPIC_API_KEY: 'sk-ant-local' },
      );
      expect(result.stderr).toContain('→ write_file api.txt');
      expect(result).toMatchObject({ code: 0, stdout: 'Done: I created api.txt.\n' });
      expect(readFileSync(join(repo.path, 'api.txt'), 'utf8')).toBe('from the api agent\n');
    } finally {
      await server.close();
    }
  });

  it('exits 1 with the reason when the agent fails, even if its exit code was 0', async () => {
    const result = await exec(['x'], { outcome: 'rate_limit_in_success' });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('harness: claude ended: rate_limited: API Error: 429');
  });

  it('refuses an --output-file outside the project before running anything', async () => {
    const result = await exec(['x', '--output-file', '../outside.md']);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('refused: ../outside.md is outside');
    expect(readFakeAgentLog(log)).toEqual([]);
    const inside = await exec(['x', '--output-file', 'notes/answer.md'], { text: 'the answer' });
    expect(inside.code).toBe(0);
    expect(readFileSync(join(repo.path, 'notes', 'answer.md'), 'utf8')).toBe('the answer\n');
  });

  it('explains an unknown agent and a missing binary, exit 2', async () => {
    expect(await exec(['x', '--agent', 'gpt-pilot'])).toMatchObject({
      code: 2,
      stderr: expect.stringContaining('unknown agent "gpt-pilot"') as string,
    });
    agents = '[agents.claude]\ncli_path = "/opt/none/claude"\n';
    const missing = await exec(['x', '--agent', 'claude']);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain(
      'claude CLI not found: /opt/none/claude is not an executable file; install it or set [agents.claude] cli_path',
    );
  });

  it('Ctrl-C cancels the agent, ends its process group and exits 130', async () => {
    const pidFile = join(home.path, 'grandchild.pid');
    writeConfig({ hang: 'after_init', grandchildPidFile: pidFile });
    const child = spawnHarness({
      cliPath,
      args: ['exec', 'hang', '--config', configFile],
      cwd: repo.path,
      home: home.path,
    });
    const deadline = Date.now() + 15_000;
    while (!child.stderr().includes('● session') && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    // The agent and its grandchild wrote the PIDs they have in the sandbox; the host's are the
    // processes working in the repository: the sandbox, the agent, its sleep.
    expect(readFileSync(pidFile, 'utf8')).toMatch(/^\d+/);
    const started = processesInDirectory(repo.path);
    expect(started.length).toBeGreaterThanOrEqual(2);
    process.kill(child.pid, 'SIGINT');
    expect((await child.exited).code).toBe(130);
    expect(child.stderr()).toContain('harness: claude cancelled\n');
    expect(child.stderr().match(/cancelled/g)).toHaveLength(1);
    expect(started.filter(isProcessRunning)).toEqual([]);
  });
});

import { writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { join } from 'node:path';
import {
  FAKE_AGENT_BIN_DIR,
  createTempDir,
  createTempGitRepo,
  fakeAgentToml,
  killStartedHarnessProcesses,
  runHarness,
  spawnHarness,
  startHarnessServer,
  type HarnessProcess,
  type TempDir,
  type TempGitRepo,
} from '@agent-harness/testing';
import type { CreateTaskResponse, TaskDetail } from '@agent-harness/core';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';

// `harness serve` as a new user meets it: what it serves by default, what it says at start, what it
// logs per request, and how it refuses a busy port.
const cliPath = join(import.meta.dirname, '..', 'dist', 'main.js');

/** Waits (bounded) until the process printed `pattern` on stdout; fails with its output otherwise. */
async function waitForStdout(child: HarnessProcess, pattern: RegExp, ms = 30_000): Promise<RegExpExecArray> {
  const deadline = Date.now() + ms;
  for (;;) {
    const match = pattern.exec(child.stdout());
    if (match !== null) return match;
    const exit = await Promise.race([
      child.exited,
      new Promise<undefined>((r) =>
        setTimeout(() => {
          r(undefined);
        }, 5),
      ),
    ]);
    if (exit !== undefined || Date.now() > deadline)
      throw new Error(
        `no ${String(pattern)} (exit ${JSON.stringify(exit)})\nstdout:\n${child.stdout()}\nstderr:\n${child.stderr()}`,
      );
  }
}

describe('harness serve (built CLI)', () => {
  let home: TempDir;
  let repo: TempGitRepo;
  const file = (name: string) => join(home.path, name);

  beforeEach(async () => {
    home = await createTempDir('harness-home-');
    repo = await createTempGitRepo();
  });
  afterEach(async () => {
    await home.cleanup();
    await repo.cleanup();
  });
  afterAll(() => {
    killStartedHarnessProcesses();
  });

  const agentsToml = (claude: string) =>
    `[agents.claude]\ncli_path = "${claude}"\n[agents.codex]\ncli_path = "/nonexistent/codex"\n`;

  it('serves HTTP with a config file that names no transport and no --port', async () => {
    writeFileSync(file('harness.toml'), '[server]\nhttp_addr = "127.0.0.1:0"\n');
    const child = spawnHarness({
      cliPath,
      args: ['serve', '--config', file('harness.toml')],
      home: home.path,
      cwd: home.path,
    });
    try {
      const [, url] = await waitForStdout(child, /listening on (http:\/\/\S+)/);
      expect((await fetch(`${String(url)}/health`)).status).toBe(200);
    } finally {
      expect((await child.stop('SIGTERM')).code).toBe(0);
    }
  });

  it('starts with one block: URL, data directory, projects, agents with their versions', async () => {
    writeFileSync(file('harness.toml'), agentsToml(join(FAKE_AGENT_BIN_DIR, 'claude')));
    const server = await startHarnessServer({
      cliPath,
      args: ['--config', file('harness.toml'), '--project', `app=${repo.path}`],
      home: home.path,
      env: repo.gitEnv,
    });
    try {
      await waitForStdout(server, /^agent /m);
      expect(server.stdout()).toBe(
        [
          `Harness 0.1.0 listening on ${server.url}`,
          `data directory: ${join(home.path, '.local', 'share', 'harness')}`,
          `project app (default): ${repo.path}`,
          'sandbox: workspace-write (bubblewrap)',
          `agent claude 2.1.330 (Claude Code): ${join(FAKE_AGENT_BIN_DIR, 'claude')}`,
          '',
        ].join('\n'),
      );
    } finally {
      await server.stop('SIGTERM');
    }
  });

  it('warns at start when [agents] sandbox_mode turns the OS sandbox off, and says so in the task', async () => {
    writeFileSync(
      file('harness.toml'),
      `[agents]\nsandbox_mode = "danger-full-access"\n${agentsToml(join(FAKE_AGENT_BIN_DIR, 'claude'))}${fakeAgentToml('claude', { edits: [{ path: 'f.txt', content: 'f\n' }] })}[agents.review]\nenabled = false\n`,
    );
    const server = await startHarnessServer({
      cliPath,
      args: ['--config', file('harness.toml'), '--project', `app=${repo.path}`],
      home: home.path,
      env: repo.gitEnv,
    });
    try {
      await waitForStdout(server, /^agent /m);
      const warning =
        'warning: [agents] sandbox_mode = "danger-full-access": agents and project commands run without the OS sandbox (they can read your credentials, other checkouts and the network)';
      expect(server.stdout()).toContain(`\n${warning}\n`);
      const created = (await (
        await fetch(`${server.url}/tasks`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ project: 'app', prompt: 'Add f.txt' }),
        })
      ).json()) as { task_id: string };
      const stream = await (await fetch(`${server.url}/tasks/${created.task_id}/stream`)).text();
      expect(stream).toContain(JSON.stringify(warning).slice(1, -1));
    } finally {
      await server.stop('SIGTERM');
    }
  });

  it('says what to do when there is no project and no agent yet, and lists projects added through the API', async () => {
    writeFileSync(file('harness.toml'), agentsToml('/nonexistent/claude'));
    const first = await startHarnessServer({
      cliPath,
      args: ['--config', file('harness.toml')],
      home: home.path,
      env: repo.gitEnv,
    });
    try {
      await waitForStdout(first, /^no agent found/m);
      expect(first.stdout()).toContain('\nno project yet: add one with --project NAME=PATH or POST /api/projects\n');
      expect(first.stdout()).toContain(
        '\nno agent found: install Claude Code (claude) or Codex (codex) or OpenCode (opencode) or Gemini CLI (gemini), or set ANTHROPIC_API_KEY\n',
      );
      const added = await fetch(`${first.url}/api/projects`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ id: 'web', root: repo.path }),
      });
      expect(added.status).toBe(201);
    } finally {
      await first.stop('SIGTERM');
    }
    const second = await startHarnessServer({
      cliPath,
      args: ['--config', file('harness.toml')],
      home: home.path,
      env: repo.gitEnv,
    });
    try {
      await waitForStdout(second, /^no agent found/m);
      expect(second.stdout()).toMatch(/\nproject web( \(default\))?: /);
      expect(second.stdout()).not.toContain('no project yet');
    } finally {
      await second.stop('SIGTERM');
    }
  });

  it('logs one line per request: method, path without its query, status, duration; never headers', async () => {
    const server = await startHarnessServer({ cliPath, args: [], home: home.path });
    try {
      await fetch(`${server.url}/health?token=query-secret-123`, {
        headers: { authorization: 'Bearer header-secret-456', cookie: 'c=cookie-secret' },
      });
      await fetch(`${server.url}/no-such-route`);
      await waitForStdout(server, /GET \/no-such-route 404/);
      const lines = server
        .stdout()
        .split('\n')
        .filter((line) => line.includes('[HTTP]'));
      expect(lines).toHaveLength(2);
      expect(lines[0]).toMatch(/\[HTTP\] GET \/health 200 \d+ms$/);
      expect(lines[1]).toMatch(/\[HTTP\] GET \/no-such-route 404 \d+ms$/);
      for (const secret of ['query-secret-123', 'header-secret-456', 'cookie-secret'])
        expect(server.stdout() + server.stderr()).not.toContain(secret);
    } finally {
      await server.stop('SIGTERM');
    }
  });

  it('--log-format json (or [server] log_format) prints only JSON lines, requests with their fields', async () => {
    for (const args of [
      ['--log-format', 'json'],
      ['--config', file('json.toml')],
    ]) {
      writeFileSync(file('json.toml'), '[server]\nlog_format = "json"\n');
      const server = await startHarnessServer({ cliPath, args, home: home.path });
      await fetch(`${server.url}/health?token=query-secret-123`);
      await waitForStdout(server, /"context":"HTTP"/);
      expect((await server.stop('SIGTERM')).code).toBe(0);
      const records = server
        .stdout()
        .trim()
        .split('\n')
        .map((line) => JSON.parse(line) as Record<string, unknown>);
      expect(records[0]).toMatchObject({
        level: 'log',
        context: 'Harness',
        message: `Harness 0.1.0 listening on ${server.url}`,
        url: server.url,
      });
      expect(records).toContainEqual(
        expect.objectContaining({
          level: 'log',
          context: 'HTTP',
          method: 'GET',
          path: '/health',
          status: 200,
          message: expect.stringMatching(/^GET \/health 200 \d+ms$/) as string,
        }),
      );
      expect(records.map((r) => r['message']).slice(-2)).toEqual(['received SIGTERM, shutting down', 'stopped']);
      expect(server.stdout()).not.toContain('query-secret-123');
    }
  });

  it('one Ctrl-C delivered twice (by the terminal and by npm start) is one clean shutdown', async () => {
    // A running agent makes the shutdown last long enough for the repeat to land during it.
    writeFileSync(
      file('harness.toml'),
      `[server]\ndata_dir = "${file('data')}"\n${agentsToml(join(FAKE_AGENT_BIN_DIR, 'claude'))}${fakeAgentToml('claude', { hang: 'after_init' })}`,
    );
    const server = await startHarnessServer({
      cliPath,
      args: ['--config', file('harness.toml'), '--project', `app=${repo.path}`],
      home: home.path,
      env: repo.gitEnv,
    });
    const submitted = await fetch(`${server.url}/tasks`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ project: 'app', prompt: 'hang' }),
    });
    const { task_id: id } = (await submitted.json()) as CreateTaskResponse;
    const deadline = Date.now() + 30_000;
    while (
      ((await (await fetch(`${server.url}/tasks/${id}`)).json()) as TaskDetail).status !== 'running' &&
      Date.now() < deadline
    )
      await new Promise((r) => setTimeout(r, 20));
    process.kill(server.pid, 'SIGINT');
    await waitForStdout(server, /received SIGINT/, 10_000);
    process.kill(server.pid, 'SIGINT');
    expect(await server.exited).toEqual({ code: 0, signal: null });
    expect(server.stdout()).toMatch(/received SIGINT, shutting down\n(.*\n)*stopped\n$/);
  });

  it('refuses a busy port in one line naming the address and --port, without a stack trace', async () => {
    const taken: Server = createServer();
    await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', resolve));
    const address = taken.address();
    const port = typeof address === 'object' && address !== null ? address.port : 0;
    try {
      const result = await runHarness({
        cliPath,
        args: ['serve', '--port', String(port)],
        home: home.path,
        cwd: home.path,
      });
      expect(result.code).toBe(1);
      expect(result.stdout).toBe('');
      expect(result.stderr).toBe(
        `harness: cannot listen on 127.0.0.1:${String(port)}: the address is already in use (another Harness?); stop it, or choose another port with --port N (--port 0 picks a free one)\n`,
      );
    } finally {
      await new Promise((resolve) => taken.close(resolve));
    }
  });
});

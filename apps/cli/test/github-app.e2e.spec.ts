import { generateKeyPairSync } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  createTempDir,
  createTempGitRepo,
  FAKE_AGENT_BIN_DIR,
  killStartedHarnessProcesses,
  readFakeAgentLog,
  runHarness,
  sandboxAllowWriteToml,
  startFakeGitHub,
  startHarnessServer,
  type FakeGitHub,
  type HarnessServerProcess,
  type TempDir,
  type TempGitRepo,
} from '@agent-harness/testing';
import type { CreateTaskResponse, TaskDetail } from '@agent-harness/core';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';

// A server configured with `[github.app]` (no personal token) runs an issue to a pull request; the
// GitHub stand-in checks the App's JWTs and accepts only the installation tokens it issued.
const cliPath = join(import.meta.dirname, '..', 'dist', 'main.js');
const APP_ID = 90210;
const INSTALLATION = 31;

describe('GitHub App authentication (built server, GitHub stand-in, scripted agents)', () => {
  let home: TempDir;
  let repo: TempGitRepo;
  let github: FakeGitHub;
  let server: HarnessServerProcess | undefined;
  let privatePem: string;

  beforeEach(async () => {
    home = await createTempDir('harness-home-');
    repo = await createTempGitRepo({ withOrigin: true });
    // A key pair made for this test only, the private half in a temp file as GitHub hands it out.
    const { privateKey, publicKey } = generateKeyPairSync('rsa', {
      modulusLength: 2048,
      privateKeyEncoding: { type: 'pkcs1', format: 'pem' },
      publicKeyEncoding: { type: 'spki', format: 'pem' },
    });
    privatePem = privateKey;
    writeFileSync(file('app.pem'), privatePem, { mode: 0o600 });
    github = await startFakeGitHub({
      app: {
        id: APP_ID,
        publicKeyPem: publicKey,
        installations: { 'octo/app': INSTALLATION },
      },
    });
    github.addIssue('octo/app', 42, { title: 'Parser rejects valid input', body: 'It crashes on `x`.' });
  });
  afterEach(async () => {
    await server?.stop('SIGTERM', 15_000);
    server = undefined;
    await github.close();
    await home.cleanup();
    await repo.cleanup();
  });
  afterAll(() => {
    killStartedHarnessProcesses();
  });

  function file(name: string): string {
    return join(home.path, name);
  }
  const tomlEnv = (env: Record<string, string>) =>
    Object.entries(env)
      .map(([k, v]) => `${k} = ${JSON.stringify(v)}`)
      .join('\n');

  function writeConfig(keyPath: string): void {
    writeFileSync(
      file('harness.toml'),
      [
        '[server]',
        `data_dir = ${JSON.stringify(file('data'))}`,
        '[github]',
        `api_url = ${JSON.stringify(github.url)}`,
        'pace_writes = false',
        '[github.app]',
        `app_id = ${String(APP_ID)}`,
        `private_key_path = ${JSON.stringify(keyPath)}`,
        '[agents.review]',
        'reviewer_agent = "codex"',
        '[agents.claude]',
        `cli_path = ${JSON.stringify(join(FAKE_AGENT_BIN_DIR, 'claude'))}`,
        '[agents.claude.env]',
        tomlEnv({
          FAKE_AGENT_SCENARIO: JSON.stringify({ runs: [{ edits: [{ path: 'parser.txt', content: 'fixed\n' }] }] }),
          FAKE_AGENT_LOG: file('claude.jsonl'),
          FAKE_AGENT_COUNTER: file('claude.count'),
        }),
        '[agents.codex]',
        `cli_path = ${JSON.stringify(join(FAKE_AGENT_BIN_DIR, 'codex'))}`,
        '[agents.codex.env]',
        tomlEnv({
          FAKE_AGENT_SCENARIO: JSON.stringify({
            runs: [
              {
                text: `Fine.\n\`\`\`json\n${JSON.stringify({ verdict: 'approve', summary: 'ok', issues: [] })}\n\`\`\``,
              },
            ],
          }),
          FAKE_AGENT_LOG: file('codex.jsonl'),
          FAKE_AGENT_COUNTER: file('codex.count'),
        }),
        sandboxAllowWriteToml(home.path),
        '[[projects]]',
        'name = "app"',
        `root = ${JSON.stringify(repo.path)}`,
        'repo = "octo/app"',
        '',
      ].join('\n'),
    );
  }

  it('issue 42 ends with a PR; every repository request carried an installation token the stand-in issued', async () => {
    writeConfig(file('app.pem'));
    server = await startHarnessServer({
      cliPath,
      args: ['--config', file('harness.toml')],
      home: home.path,
      env: { ...repo.gitEnv },
    });
    expect(server.stdout()).toContain(`github: GitHub App ${String(APP_ID)} (installation per repository`);

    const created = await fetch(`${server.url}/tasks`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ project: 'app', issue: 42 }),
    });
    const { task_id: id } = (await created.json()) as CreateTaskResponse;
    let task: TaskDetail | undefined;
    for (let i = 0; i < 800; i++) {
      task = (await (await fetch(`${server.url}/tasks/${id}`)).json()) as TaskDetail;
      // With the pull request open, a task may wait on its CI (`[github] watch_ci`): the PR is what counts here.
      if (['done', 'failed', 'cancelled'].includes(task.status)) break;
      await new Promise((r) => setTimeout(r, 50));
    }
    // Done: its CI was looked at too (the repository has no workflow, so none), with the App's token.
    expect(task?.status, JSON.stringify({ task, stderr: server.stderr() })).toBe('done');
    expect(task?.error).toBeNull();
    const prs = github.pullRequests('octo/app');
    expect(prs).toHaveLength(1);
    expect(prs[0]?.body).toContain('Closes #42');

    const issued = github.issuedTokens();
    expect(issued.length).toBeGreaterThanOrEqual(1);
    expect(issued.every((t) => t.installationId === INSTALLATION)).toBe(true);
    const tokens = new Set(issued.map((t) => `token ${t.token}`));
    const appRoutes = github.requests.filter((r) => /^\/app\/|\/installation$/.test(r.path));
    const repositoryRequests = github.requests.filter(
      (r) => r.path.startsWith('/repos/') && !r.path.endsWith('/installation'),
    );
    expect(repositoryRequests.length).toBeGreaterThanOrEqual(3);
    for (const r of repositoryRequests) expect(tokens.has(r.authorization ?? ''), `${r.method} ${r.path}`).toBe(true);
    // The installation was asked once, and the App's own routes got its JWT, never a token.
    expect(github.requests.filter((r) => r.path === '/repos/octo/app/installation')).toHaveLength(1);
    for (const r of appRoutes) expect(r.authorization).toMatch(/^bearer ey/i);

    // The key reached no agent: not in its environment, not in its prompt.
    const bodyLine = privatePem.split('\n')[2] ?? 'x';
    for (const call of [...readFakeAgentLog(file('claude.jsonl')), ...readFakeAgentLog(file('codex.jsonl'))]) {
      expect(JSON.stringify(call)).not.toContain(bodyLine);
      expect(JSON.stringify(call)).not.toContain('ghs_');
    }
  });

  it('a key file that is not a PEM key stops the server before it starts, naming the key', async () => {
    writeFileSync(file('bad.pem'), 'not a key');
    writeConfig(file('bad.pem'));
    const result = await runHarness({
      cliPath,
      args: ['serve', '--config', file('harness.toml')],
      home: home.path,
      cwd: home.path,
    });
    expect(result.code).not.toBe(0);
    expect(result.stderr).toContain('github.app.private_key_path');
    expect(result.stderr).toContain('is not a PEM private key');
    expect(github.requests).toEqual([]);
    const doctor = await runHarness({
      cliPath,
      args: ['doctor', '--config', file('harness.toml')],
      home: home.path,
      cwd: home.path,
    });
    expect(doctor.stdout + doctor.stderr).toContain('github.app.private_key_path');
  });

  it('doctor names the App, says the key is readable and that GitHub takes its JWT, without printing the key', async () => {
    writeConfig(file('app.pem'));
    const result = await runHarness({
      cliPath,
      args: ['doctor', '--config', file('harness.toml')],
      home: home.path,
      cwd: home.path,
      env: { GITHUB_TOKEN: 'ghp_unused_because_the_app_wins' },
    });
    const out = result.stdout + result.stderr;
    expect(out).toContain(`GitHub App ${String(APP_ID)} (installation per repository`);
    expect(out).toContain('the App wins');
    expect(out).toContain('key readable, GitHub knows the App as Harness test app');
    expect(out).not.toContain(privatePem.split('\n')[2] ?? 'x');
    expect(github.requests.map((r) => `${r.method} ${r.path}`)).toEqual(['GET /app']);
  });
});

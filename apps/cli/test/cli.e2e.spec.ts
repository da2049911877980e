import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  createTempDir,
  createTempGitRepo,
  killStartedHarnessProcesses,
  runHarness,
  startHarnessServer,
  type TempDir,
  type TempGitRepo,
} from '@agent-harness/testing';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';

// These tests drive the built CLI as a user would: a child process, its output and exit code.
const cliPath = join(import.meta.dirname, '..', 'dist', 'main.js');
const repoRoot = join(import.meta.dirname, '..', '..', '..');

describe('harness CLI (built, as a child process)', () => {
  let home: TempDir;
  let repo: TempGitRepo;

  beforeEach(async () => {
    home = await createTempDir('harness-home-');
    repo = await createTempGitRepo({ withOrigin: true });
  });
  afterEach(async () => {
    await home.cleanup();
    await repo.cleanup();
  });
  afterAll(() => {
    killStartedHarnessProcesses();
  });

  const run = (args: string[], env: Record<string, string> = {}) =>
    runHarness({ cliPath, args, home: home.path, cwd: home.path, env: { ...repo.gitEnv, ...env } });

  it('prints its version', async () => {
    const result = await run(['--version']);
    expect(result).toMatchObject({ code: 0, stdout: '0.1.0\n' });
  });

  it('prints a shell completion script, and completes commands and subcommands through it', async () => {
    const script = await run(['completion']);
    expect(script.code).toBe(0);
    expect(script.stdout).toContain('_harness_yargs_completions');
    // What the script asks for each time Tab is pressed.
    const top = await run(['--get-yargs-completions', 'harness', '']);
    expect(top.stdout.split('\n')).toEqual(expect.arrayContaining(['serve', 'doctor', 'tasks', 'usage']));
    const sub = await run(['--get-yargs-completions', 'harness', 'tasks', '']);
    expect(sub.stdout.split('\n')).toEqual(expect.arrayContaining(['submit', 'list', 'show', 'watch', 'cancel']));
  });

  it('rejects an unknown command with usage and exit 2', async () => {
    const result = await run(['frobnicate']);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('Unknown argument: frobnicate');
  });

  it('reports all three mistakes of a config file with their paths and exits 2', async () => {
    const file = join(home.path, 'bad.toml');
    writeFileSync(
      file,
      [
        '[server]',
        'transport = "smoke-signals"',
        '[concurrency]',
        'max_concurrent_tasks = 0',
        '[agents.review]',
        'max_round = 5',
        '',
      ].join('\n'),
    );
    for (const command of [['config', 'check'], ['serve']]) {
      const result = await run([...command, '--config', file]);
      expect(result.code).toBe(2);
      expect(result.stderr).toContain(`invalid ${file} (3 problems)`);
      expect(result.stderr).toContain('server.transport: must be one of "stdio", "http", "web_socket"');
      expect(result.stderr).toContain('concurrency.max_concurrent_tasks: must be a positive integer');
      expect(result.stderr).toContain('agents.review.max_round: unknown key (did you mean "max_rounds"?)');
      expect(result.stdout).toBe('');
    }
  });

  it('config check accepts the shipped default.toml', async () => {
    const result = await run(['config', 'check', '--config', join(repoRoot, 'config', 'default.toml')]);
    expect(result).toMatchObject({ code: 0, stdout: 'configuration is valid: 0 project(s)\n' });
    const json = await run(['config', 'check', '--json', '--project', `app=${repo.path}`]);
    expect(JSON.parse(json.stdout)).toEqual({
      valid: true,
      projects: [{ name: 'app', root: repo.path, default: true }],
    });
  });

  it('refuses a project that is not a git repository, naming the path and why', async () => {
    const missing = await run(['serve', '--project', 'a=/not/a/repo']);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('--project a=/not/a/repo: /not/a/repo does not exist');

    const plain = join(home.path, 'plain');
    mkdirSync(plain);
    const notGit = await run(['serve', '--port', '0', '--project', `a=${plain}`]);
    expect(notGit.code).toBe(2);
    expect(notGit.stderr).toContain(`--project a=${plain}: ${plain} is not a git repository`);
  });

  it('serves JSON-RPC on stdio and stops cleanly when stdin closes, printing nothing but the protocol', async () => {
    // stdin is closed from the start: the session ends at once.
    const result = await run(['serve', '--transport', 'stdio', '--no-schedulers']);
    expect(result.code).toBe(0);
    expect(result.stdout).toBe('');
    expect(result.stderr).toContain('JSON-RPC on stdio');
    expect(result.stderr).toContain('stdin closed, shutting down');
  });

  it('refuses to listen beyond loopback without a token', async () => {
    const file = join(home.path, 'open.toml');
    writeFileSync(file, '[server]\nhttp_addr = "0.0.0.0:0"\n');
    const result = await run(['serve', '--config', file, '--port', '0']);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(
      'server.api_token: is required when server.http_addr (0.0.0.0:0) is not a loopback address',
    );
  });

  it('config show prints the resolved config with secrets redacted', async () => {
    const file = join(home.path, 'h.toml');
    writeFileSync(
      file,
      `[server]\napi_token = "tok-in-file-0123456789"\n[agents.claude.env]\nSECRET_THING = "hush"\n[[projects]]\nname = "app"\nroot = "${repo.path}"\n`,
    );
    const result = await run(['config', 'show', '--json', '--config', file], { GITHUB_TOKEN: 'ghp_should_not_show' });
    expect(result.code).toBe(0);
    for (const secret of ['tok-in-file-0123456789', 'hush', 'ghp_should_not_show'])
      expect(result.stdout).not.toContain(secret);
    const shown = JSON.parse(result.stdout) as {
      server: { api_token: string };
      github: { token: string };
      projects: { name: string; root: string; default: boolean }[];
    };
    expect(shown.server.api_token).toBe('***');
    expect(shown.github.token).toBe('***');
    expect(shown.projects).toEqual([expect.objectContaining({ name: 'app', root: repo.path, default: true })]);

    const toml = await run(['config', 'show', '--config', file]);
    expect(toml.stdout).toContain('api_token = "***"');
    expect(toml.stdout).toContain('[[projects]]');
  });

  it('serve --config config/default.toml answers /health, then stops cleanly on SIGTERM', async () => {
    const server = await startHarnessServer({
      cliPath,
      args: ['--config', join(repoRoot, 'config', 'default.toml'), '--project', `app=${repo.path}`],
      home: home.path,
      env: repo.gitEnv,
    });
    const health = await fetch(`${server.url}/health`);
    expect(health.status).toBe(200);
    expect(await health.json()).toMatchObject({ status: 'ok', version: '0.1.0' });
    // data_dir defaults to ~/.local/share/harness: here, the temporary HOME.
    expect(server.stdout()).toContain(`data directory: ${join(home.path, '.local', 'share', 'harness')}`);
    expect(server.stdout()).toContain(`project app (default): ${repo.path}`);
    const exit = await server.stop('SIGTERM');
    expect(exit).toEqual({ code: 0, signal: null });
    expect(server.stdout()).toContain('received SIGTERM, shutting down\nstopped\n');
    await expect(fetch(`${server.url}/health`)).rejects.toThrow();
  });

  it('with HARNESS_API_TOKEN: /health is open and other routes answer 401 without the token', async () => {
    const server = await startHarnessServer({
      cliPath,
      args: ['--config', join(repoRoot, 'config', 'default.toml')],
      home: home.path,
      env: { HARNESS_API_TOKEN: 'cli-token-123-0123456789' },
    });
    try {
      expect((await fetch(`${server.url}/health`)).status).toBe(200);
      expect((await fetch(`${server.url}/tasks`)).status).toBe(401);
      expect((await fetch(`${server.url}/api/dashboard`)).status).toBe(401);
      expect(
        (await fetch(`${server.url}/nothing-here`, { headers: { authorization: 'Bearer cli-token-123-0123456789' } }))
          .status,
      ).toBe(404);
      const listed = await fetch(`${server.url}/tasks`, {
        headers: { authorization: 'Bearer cli-token-123-0123456789' },
      });
      expect(listed.status).toBe(200);
      expect(await listed.json()).toMatchObject({ tasks: [], total: 0 });
      expect(server.stdout() + server.stderr()).not.toContain('cli-token-123-0123456789');
    } finally {
      const exit = await server.stop('SIGINT');
      expect(exit.code).toBe(0);
    }
  });
});

import { chmodSync, copyFileSync, existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import {
  createTempDir,
  createTempGitRepo,
  FAKE_AGENT_BIN_DIR,
  runHarness,
  startFakeGitHub,
  type FakeGitHub,
  type TempDir,
  type TempGitRepo,
} from '@agent-harness/testing';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';

const cliPath = join(import.meta.dirname, '..', 'dist', 'main.js');
const TOKEN = 'ghp_doctor_token_0123456789';

/** A port nothing listens on: bound, then closed. */
async function closedPort(): Promise<number> {
  const server: Server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

describe('harness doctor (built, as a child process)', () => {
  let home: TempDir;
  let repo: TempGitRepo;
  let github: FakeGitHub;

  beforeEach(async () => {
    home = await createTempDir('harness-home-');
    repo = await createTempGitRepo({ withOrigin: true });
    github = await startFakeGitHub({ token: TOKEN });
  });
  afterEach(async () => {
    await github.close();
    await home.cleanup();
    await repo.cleanup();
  });

  const write = (lines: string[]): string => {
    const file = join(home.path, 'harness.toml');
    writeFileSync(
      file,
      [...lines, '[[projects]]', 'name = "app"', `root = ${JSON.stringify(repo.path)}`, ''].join('\n'),
    );
    return file;
  };
  const doctor = (file: string, env: Record<string, string> = {}) =>
    runHarness({
      cliPath,
      args: ['doctor', '--config', file],
      home: home.path,
      cwd: home.path,
      env: { ...repo.gitEnv, ...env },
    });

  it('says each check in a line and exits 0 when nothing needed is missing; the token is never printed', async () => {
    const file = write([
      '[server]',
      `data_dir = ${JSON.stringify(join(home.path, 'data'))}`,
      '[github]',
      `api_url = ${JSON.stringify(github.url)}`,
      '[agents.claude]',
      `cli_path = ${JSON.stringify(join(FAKE_AGENT_BIN_DIR, 'claude'))}`,
      // An ACP agent from the file is listed like a built-in one, with its version.
      '[agents.custom.mine]',
      'protocol = "acp"',
      `command = [${JSON.stringify(join(FAKE_AGENT_BIN_DIR, 'codex'))}, "acp"]`,
    ]);
    const result = await doctor(file, { GITHUB_TOKEN: TOKEN });
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    const lines = result.stdout.trim().split('\n');
    expect(lines[0]).toBe('ok    config: 1 project(s): app');
    expect(lines).toContainEqual(expect.stringMatching(/^ok {4}git: git version \d/));
    expect(lines).toContainEqual(expect.stringMatching(/^ok {4}agent claude: .+ \(.+\/claude\)$/));
    expect(lines).toContainEqual(expect.stringMatching(/^ok {4}agent mine: .+ \(.+\/codex\)$/));
    expect(lines).toContainEqual(expect.stringMatching(/^ok {4}data_dir: .*\/data \(made at the first start\)/));
    expect(lines).toContain('ok    database: SQLite in data_dir');
    expect(lines).toContain('ok    github: token of harness-bot, scopes: repo, workflow');
    expect(lines).toContainEqual(expect.stringMatching(/^warn {2}webhooks: no \[server\] github_webhook_secret/));
    expect(lines.at(-1)).toBe('ready: nothing needed is missing');
    expect(result.stdout).not.toContain(TOKEN);
    // A check changes nothing: data_dir is made by the first start, and GitHub is only read.
    expect(existsSync(join(home.path, 'data'))).toBe(false);
    expect(github.requests.map((r) => `${r.method} ${r.path}`)).toEqual(['GET /user']);
  });

  it('names an agent under /tmp as a fix (the sandbox gives each agent its own /tmp), unless allow_write shows it', async () => {
    // A copy of the scripted agent in the temporary home, which is under /tmp.
    const copy = join(home.path, 'bin', 'claude');
    mkdirSync(join(home.path, 'bin'));
    copyFileSync(join(FAKE_AGENT_BIN_DIR, 'claude'), copy);
    chmodSync(copy, 0o755);
    const hidden = write([
      '[server]',
      `data_dir = ${JSON.stringify(join(home.path, 'data'))}`,
      '[agents.claude]',
      `cli_path = ${JSON.stringify(copy)}`,
    ]);
    if (!home.path.startsWith('/tmp/')) return; // the check is about /tmp: nothing to see elsewhere
    const result = await doctor(hidden);
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(
      /^fix {3}agent claude: .*is under \/tmp, which the sandbox gives every agent privately/m,
    );
    const shown = write([
      '[server]',
      `data_dir = ${JSON.stringify(join(home.path, 'data'))}`,
      '[sandbox]',
      `allow_write = [${JSON.stringify(join(home.path, 'bin'))}]`,
      '[agents.claude]',
      `cli_path = ${JSON.stringify(copy)}`,
    ]);
    expect((await doctor(shown)).stdout).toMatch(/^ok {4}agent claude: /m);
    // A harness.toml next to a command without --config is said, not silently passed over.
    const bare = await runHarness({ cliPath, args: ['doctor'], home: home.path, cwd: home.path, env: repo.gitEnv });
    expect(bare.stderr).toContain('./harness.toml is not read by itself: pass --config harness.toml');
  });

  it('exits 1 naming each fix: no agent can run, PostgreSQL does not answer, the token is refused', async () => {
    const port = await closedPort();
    const file = write([
      '[server]',
      `data_dir = ${JSON.stringify(join(home.path, 'data'))}`,
      '[database]',
      `url = "postgres://ann:db-password@127.0.0.1:${String(port)}/harness"`,
      '[github]',
      `api_url = ${JSON.stringify(github.url)}`,
      '[agents.claude]',
      `cli_path = ${JSON.stringify(join(home.path, 'no-such-claude'))}`,
      '[agents.codex]',
      `cli_path = ${JSON.stringify(join(home.path, 'no-such-codex'))}`,
      '[agents.custom.ghost]',
      'protocol = "acp"',
      'command = ["no-such-acp-agent"]',
    ]);
    const result = await doctor(file, { GITHUB_TOKEN: 'ghp_wrong_token_0123456789' });
    expect(result.code).toBe(1);
    const lines = result.stdout.trim().split('\n');
    expect(lines).toContainEqual(expect.stringMatching(/^fix {3}agents: none can run: install Claude Code/));
    expect(lines).toContain(
      `fix   database: PostgreSQL at 127.0.0.1:${String(port)}: ECONNREFUSED; start it, or fix [database] url`,
    );
    expect(lines).toContain('fix   github: GITHUB_TOKEN is refused by GitHub: make a new one');
    expect(lines).toContain(
      "fix   agent ghost: no-such-acp-agent not found (install: see ghost's own documentation, or set [agents.custom.ghost] command)",
    );
    expect(lines.at(-1)).toBe('4 thing(s) to fix');
    expect(result.stdout).not.toContain('db-password');
    const json = await runHarness({
      cliPath,
      args: ['doctor', '--config', file, '--json'],
      home: home.path,
      cwd: home.path,
      env: repo.gitEnv,
    });
    expect(json.code).toBe(1);
    const { checks } = JSON.parse(json.stdout) as { checks: { level: string; what: string }[] };
    expect(checks.filter((c) => c.level === 'fix').map((c) => c.what)).toEqual(['agent ghost', 'agents', 'database']);
  });
});

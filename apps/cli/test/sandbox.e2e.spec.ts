import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { join } from 'node:path';
import type { CreateTaskResponse, TaskDetail } from '@agent-harness/core';
import {
  FAKE_AGENT_BIN_DIR,
  createTempDir,
  createTempGitRepo,
  fakeAgentToml,
  killStartedHarnessProcesses,
  startHarnessServer,
  type HarnessServerProcess,
  type TempDir,
  type TempGitRepo,
} from '@agent-harness/testing';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';

// The OS sandbox end to end: the built server runs a scripted agent whose commands try every
// escape a hostile issue could ask for. Each attempt writes what it got into the worktree, which
// Harness commits; the test reads the attempts back from origin and checks the host is unchanged.
const cliPath = join(import.meta.dirname, '..', 'dist', 'main.js');

const SSH_KEY = '-----BEGIN OPENSSH PRIVATE KEY----- CANARY-ssh-key-0123456789';
const AWS_KEY = 'aws_secret_access_key = CANARY-aws-0123456789';
const OTHER_TASK_SECRET = 'CANARY-other-task-worktree-0123456789';
const CHECKOUT_SECRET = 'CANARY-main-checkout-untracked-0123456789';

/** A shell line that runs `attempt` and records what it printed and how it ended in probe/<name>. */
const probe = (name: string, attempt: string): string =>
  `{ ${attempt} ; } > probe/${name} 2>&1; echo "exit=$?" >> probe/${name}`;

describe('the sandbox around a task (built server, scripted agent trying to escape)', () => {
  let home: TempDir;
  let repo: TempGitRepo;
  let server: HarnessServerProcess | undefined;
  let forbidden: Server;
  let forbiddenPort: number;
  let forbiddenHits: number;

  beforeEach(async () => {
    home = await createTempDir('harness-home-');
    repo = await createTempGitRepo({ withOrigin: true });
    forbiddenHits = 0;
    forbidden = createServer((_req, res) => {
      forbiddenHits += 1;
      res.end('FORBIDDEN-PORT-ANSWERED\n');
    });
    await new Promise<void>((resolve) => forbidden.listen(0, '127.0.0.1', resolve));
    const address = forbidden.address();
    forbiddenPort = typeof address === 'object' && address !== null ? address.port : 0;
  });
  afterEach(async () => {
    await server?.stop('SIGTERM', 15_000);
    server = undefined;
    forbidden.close();
    await home.cleanup();
    await repo.cleanup();
  });
  afterAll(() => {
    killStartedHarnessProcesses();
  });

  it('refuses each escape attempt; the task still ends done; nothing outside its worktree changed', async () => {
    const file = (name: string): string => join(home.path, name);
    const dataDir = file('data');
    mkdirSync(join(home.path, '.ssh'), { recursive: true });
    writeFileSync(join(home.path, '.ssh', 'id_rsa'), `${SSH_KEY}\n`);
    mkdirSync(join(home.path, '.aws'), { recursive: true });
    writeFileSync(join(home.path, '.aws', 'credentials'), `[default]\n${AWS_KEY}\n`);
    // An untracked file in the user's own checkout: never part of a task's worktree.
    writeFileSync(join(repo.path, '.env.local'), `${CHECKOUT_SECRET}\n`);
    const gitConfigBefore = readFileSync(join(repo.path, '.git', 'config'), 'utf8');

    const attempts = [
      'mkdir -p probe',
      probe('ssh-key', 'cat "$HOME/.ssh/id_rsa"'),
      probe('aws', 'cat "$HOME/.aws/credentials"'),
      probe('database', `head -c 16 ${JSON.stringify(join(dataDir, 'harness.db'))}`),
      probe('other-worktree', `cat ${JSON.stringify(join(dataDir, 'worktrees', 'other-task', 'secret.txt'))}`),
      probe('checkout', `cat ${JSON.stringify(join(repo.path, '.env.local'))}`),
      probe('write-home', 'echo pwned > "$HOME/pwned.txt"'),
      probe('write-checkout', `echo pwned > ${JSON.stringify(join(repo.path, 'pwned.txt'))}`),
      probe(
        'write-git-config',
        `echo '[alias] x = !touch /tmp/pwned' >> ${JSON.stringify(join(repo.path, '.git', 'config'))}`,
      ),
      probe('write-git-hook', 'echo "#!/bin/sh" > "$(git rev-parse --git-common-dir)/hooks/pre-push"'),
      // Pointing the worktree at a repository the agent made: Harness's own git would read its config.
      probe('rewrite-dot-git', 'echo "gitdir: fake-git" > .git'),
      probe('write-commondir', 'echo "$PWD/fake-git" > "$(git rev-parse --git-dir)/commondir"'),
      probe('git-status', 'git status --short a.txt'),
      probe(
        'port',
        `node -e "require('node:net').connect(${String(forbiddenPort)}, '127.0.0.1').on('connect', () => console.log('CONNECTED')).on('error', (e) => { console.log('refused: ' + e.code); process.exitCode = 7; })"`,
      ),
      'true',
    ].join('\n');
    writeFileSync(
      file('harness.toml'),
      [
        '[server]',
        `data_dir = ${JSON.stringify(dataDir)}`,
        '[agents.claude]',
        `cli_path = ${JSON.stringify(join(FAKE_AGENT_BIN_DIR, 'claude'))}`,
        fakeAgentToml('claude', { edits: [{ path: 'a.txt', content: 'a\n' }], commands: [attempts] }),
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
      env: { ...repo.gitEnv },
    });
    // Another task's worktree, made once the server has started (its start tidies the worktrees dir).
    mkdirSync(join(dataDir, 'worktrees', 'other-task'), { recursive: true });
    writeFileSync(join(dataDir, 'worktrees', 'other-task', 'secret.txt'), `${OTHER_TASK_SECRET}\n`);

    const headers = { 'content-type': 'application/json' };
    const created = (await (
      await fetch(`${server.url}/tasks`, {
        method: 'POST',
        headers,
        body: JSON.stringify({ project: 'app', prompt: 'Add a.txt' }),
      })
    ).json()) as CreateTaskResponse;
    await (await fetch(`${server.url}/tasks/${created.task_id}/stream`)).text();
    const task = (await (await fetch(`${server.url}/tasks/${created.task_id}`)).json()) as TaskDetail;
    expect(task, JSON.stringify(task)).toMatchObject({ status: 'done' });

    // What each attempt got, as committed by Harness and pushed to origin.
    const committed = (name: string): string =>
      execFileSync('git', ['show', `${task.commit ?? ''}:probe/${name}`], {
        cwd: repo.path,
        encoding: 'utf8',
        env: { ...process.env, ...repo.gitEnv },
      });
    const seen = Object.fromEntries(
      [
        'ssh-key',
        'aws',
        'database',
        'other-worktree',
        'checkout',
        'write-home',
        'write-checkout',
        'write-git-config',
        'write-git-hook',
        'rewrite-dot-git',
        'write-commondir',
        'git-status',
        'port',
      ].map((name) => [name, committed(name)]),
    );
    console.log(
      `what each escape attempt got inside the sandbox:\n${Object.entries(seen)
        .map(([name, text]) => `  ${name}: ${text.trim().replace(/\n/g, ' | ')}`)
        .join('\n')}`,
    );
    // Every attempt failed, but the write to HOME: this test's HOME is under /tmp, which inside is
    // the sandbox's own tmpfs, so that write landed there and went with it (checked below).
    for (const [name, text] of Object.entries(seen))
      if (name !== 'write-home' && name !== 'git-status') expect(text, name).not.toMatch(/exit=0$/m);
    // Git still reads inside: the agent sees its change.
    expect(seen['git-status']).toBe('?? a.txt\nexit=0\n');
    const everything = Object.values(seen).join('\n');
    for (const secret of [SSH_KEY, AWS_KEY, OTHER_TASK_SECRET, CHECKOUT_SECRET, 'SQLite format'])
      expect(everything).not.toContain(secret);
    expect(seen['port']).toContain('refused: ECONNREFUSED');
    expect(forbiddenHits).toBe(0);

    // Nothing outside the worktree changed.
    expect(existsSync(join(home.path, 'pwned.txt'))).toBe(false);
    expect(existsSync(join(repo.path, 'pwned.txt'))).toBe(false);
    expect(readFileSync(join(repo.path, '.git', 'config'), 'utf8')).toBe(gitConfigBefore);
    expect(existsSync(join(repo.path, '.git', 'hooks', 'pre-push'))).toBe(false);
    expect(readFileSync(join(home.path, '.ssh', 'id_rsa'), 'utf8')).toBe(`${SSH_KEY}\n`);
    expect(readFileSync(join(dataDir, 'worktrees', 'other-task', 'secret.txt'), 'utf8')).toBe(`${OTHER_TASK_SECRET}\n`);
  }, 120_000);
});

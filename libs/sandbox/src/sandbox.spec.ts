import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, request, type Server } from 'node:http';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BubblewrapSandbox, NetworkBridge, type SandboxedCommand, type SandboxPolicy } from './index.js';

// The real bubblewrap, on real directories and real loopback servers: every escape an agent (or a
// repository's test script) might try is made from inside, and must fail.

function listen(): Promise<{ server: Server; port: number }> {
  return new Promise((resolve) => {
    const server = createServer((_req, res) => res.end('model says hi\n'));
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      resolve({ server, port: typeof address === 'object' && address !== null ? address.port : 0 });
    });
  });
}

function runSandboxed(cmd: SandboxedCommand): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd.command, [...cmd.args], { cwd: cmd.cwd, env: cmd.env, detached: true });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => {
      resolve({ code, stdout, stderr });
    });
  });
}

const sandbox = new BubblewrapSandbox();

describe('the bubblewrap sandbox', () => {
  let root: string;
  let home: string;
  let dataDir: string;
  let worktree: string;
  let otherWorktree: string;
  let checkout: string;
  let model: { server: Server; port: number };
  let forbidden: { server: Server; port: number };

  beforeAll(async () => {
    const availability = await sandbox.probe();
    // Missing bubblewrap fails here with the fix (tools/test/test-services.sh installs it).
    expect(availability).toEqual({ ok: true });
    root = mkdtempSync(join(tmpdir(), 'harness-sbx-test-'));
    home = join(root, 'home');
    mkdirSync(join(home, '.ssh'), { recursive: true });
    writeFileSync(join(home, '.ssh', 'id_rsa'), 'PRIVATE KEY\n');
    mkdirSync(join(home, '.claude'), { recursive: true });
    dataDir = join(root, 'data');
    worktree = join(dataDir, 'worktrees', 'task-a');
    otherWorktree = join(dataDir, 'worktrees', 'task-b');
    mkdirSync(worktree, { recursive: true });
    mkdirSync(otherWorktree, { recursive: true });
    writeFileSync(join(dataDir, 'harness.db'), 'SQLite format 3\n');
    writeFileSync(join(otherWorktree, 'secret.txt'), 'other task\n');
    checkout = join(root, 'checkout');
    mkdirSync(join(checkout, '.git', 'worktrees', 'task-a'), { recursive: true });
    writeFileSync(join(checkout, '.git', 'config'), '[core]\n');
    writeFileSync(join(checkout, 'README.md'), 'the user checkout\n');
    model = await listen();
    forbidden = await listen();
  });

  afterAll(() => {
    model.server.close();
    forbidden.server.close();
    rmSync(root, { recursive: true, force: true });
  });

  function policy(mode: SandboxPolicy['mode']): SandboxPolicy {
    return {
      mode,
      writable: [worktree, join(checkout, '.git', 'worktrees', 'task-a')],
      stateDirs: [join(home, '.claude')],
      denyRead: [join(home, '.ssh'), dataDir, checkout],
      readOnly: [join(checkout, '.git')],
      network: { kind: 'filtered', endpoints: [{ host: '127.0.0.1', port: model.port }], domains: [] },
    };
  }

  async function inside(mode: SandboxPolicy['mode'], script: string): Promise<Record<string, string>> {
    const cmd = await sandbox.wrap(policy(mode), {
      command: 'sh',
      args: ['-c', script],
      cwd: worktree,
      env: { PATH: process.env['PATH'] ?? '/usr/bin:/bin', HOME: home },
    });
    try {
      const result = await runSandboxed(cmd);
      expect(result.code, result.stderr).toBe(0);
      return Object.fromEntries(
        result.stdout
          .trim()
          .split('\n')
          .map((line) => line.split('=', 2) as [string, string]),
      );
    } finally {
      await cmd.dispose();
    }
  }

  /** `name=ok` when the shell command succeeded, `name=denied` when it failed. */
  const attempt = (name: string, command: string): string =>
    `if ${command} >/dev/null 2>&1; then echo ${name}=ok; else echo ${name}=denied; fi`;

  it('refuses every escape from a workspace-write sandbox, and the task still works', async () => {
    // A place on the host's own filesystem, outside /tmp (which is private inside).
    const outsidePath = join(process.cwd(), `escaped-${String(process.pid)}.txt`);
    const results = await inside(
      'workspace-write',
      [
        attempt('ssh_key', `cat ${join(home, '.ssh', 'id_rsa')}`),
        attempt('database', `cat ${join(dataDir, 'harness.db')}`),
        attempt('other_worktree', `cat ${join(otherWorktree, 'secret.txt')}`),
        attempt('user_checkout', `cat ${join(checkout, 'README.md')}`),
        attempt('write_outside', `sh -c 'echo x > ${outsidePath}'`),
        // /tmp inside is private: a write there succeeds but never reaches the host's /tmp.
        attempt('write_host_tmp', `sh -c 'echo x > ${join(root, 'escaped.txt')}'`),
        attempt('write_git_config', `sh -c 'echo x >> ${join(checkout, '.git', 'config')}'`),
        attempt('read_git_config', `cat ${join(checkout, '.git', 'config')}`),
        attempt('write_worktree', `sh -c 'echo done > ${join(worktree, 'out.txt')}'`),
        attempt('write_git_worktree_dir', `sh -c 'echo x > ${join(checkout, '.git', 'worktrees', 'task-a', 'index')}'`),
        attempt('write_state', `sh -c 'echo x > ${join(home, '.claude', 'session')}'`),
        attempt('write_tmp', `sh -c 'echo x > /tmp/scratch'`),
        attempt('model_port', `curl -sf -m 5 http://127.0.0.1:${String(model.port)}/`),
        attempt('other_port', `curl -sf -m 5 http://127.0.0.1:${String(forbidden.port)}/`),
        attempt('host_processes', `test -e /proc/${String(process.pid)}/environ`),
      ].join('\n'),
    );
    expect(results).toEqual({
      ssh_key: 'denied',
      database: 'denied',
      other_worktree: 'denied',
      user_checkout: 'denied',
      write_outside: 'denied',
      write_host_tmp: 'ok',
      write_git_config: 'denied',
      read_git_config: 'ok',
      write_worktree: 'ok',
      write_git_worktree_dir: 'ok',
      write_state: 'ok',
      write_tmp: 'ok',
      model_port: 'ok',
      other_port: 'denied',
      host_processes: 'denied',
    });
    // Nothing outside the writable places changed on the host.
    expect(existsSync(outsidePath)).toBe(false);
    expect(existsSync(join(root, 'escaped.txt'))).toBe(false);
    expect(readFileSync(join(checkout, '.git', 'config'), 'utf8')).toBe('[core]\n');
    expect(readFileSync(join(worktree, 'out.txt'), 'utf8')).toBe('done\n');
    expect(existsSync('/tmp/scratch')).toBe(false);
  });

  it('keeps a read-only sandbox from writing the worktree; its tmp and state stay private and usable', async () => {
    const results = await inside(
      'read-only',
      [
        attempt('write_worktree', `sh -c 'echo x > ${join(worktree, 'ro.txt')}'`),
        attempt('read_worktree', `cat ${join(worktree, 'out.txt')}`),
        attempt('write_tmp', `sh -c 'echo x > /tmp/scratch'`),
        attempt('write_state', `sh -c 'echo x > ${join(home, '.claude', 'ro-session')}'`),
      ].join('\n'),
    );
    expect(results).toEqual({ write_worktree: 'denied', read_worktree: 'ok', write_tmp: 'ok', write_state: 'ok' });
    expect(existsSync(join(worktree, 'ro.txt'))).toBe(false);
  });

  it('runs danger-full-access as the plain command, unsandboxed', async () => {
    const cmd = await sandbox.wrap(policy('danger-full-access'), {
      command: 'true',
      args: [],
      cwd: worktree,
      env: {},
    });
    expect(cmd).toMatchObject({ command: 'true', sandboxed: false });
  });

  it('ends everything inside when its process group is killed', async () => {
    const marker = `harness-sbx-${String(process.pid)}-${String(Date.now())}`;
    const cmd = await sandbox.wrap(policy('workspace-write'), {
      command: 'sh',
      args: ['-c', `sh -c 'sleep 600; echo ${marker}' & sleep 600`],
      cwd: worktree,
      env: { PATH: process.env['PATH'] ?? '/usr/bin:/bin', HOME: home },
    });
    const child = spawn(cmd.command, [...cmd.args], { cwd: cmd.cwd, env: cmd.env, detached: true, stdio: 'ignore' });
    const exited = new Promise<void>((resolve) =>
      child.on('exit', () => {
        resolve();
      }),
    );
    // The processes inside, found from the host by the marker in their command line.
    const inner = (): string[] =>
      readdirSync('/proc')
        .filter((name) => /^\d+$/.test(name))
        .filter((pid) => {
          try {
            return readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes(marker);
          } catch {
            return false;
          }
        });
    for (let i = 0; i < 200 && inner().length === 0; i++) await new Promise((r) => setTimeout(r, 50));
    expect(inner().length).toBeGreaterThan(0);
    process.kill(-(child.pid ?? 0), 'SIGKILL');
    await exited;
    for (let i = 0; i < 200 && inner().length > 0; i++) await new Promise((r) => setTimeout(r, 50));
    expect(inner()).toEqual([]);
    await cmd.dispose();
  });
});

describe('the network bridge proxy', () => {
  it('lets CONNECT through to allowed destinations only, and remembers what it refused', async () => {
    const upstream = await listen();
    const dir = mkdtempSync(join(tmpdir(), 'harness-bridge-test-'));
    const bridge = await NetworkBridge.open(dir, [], {
      endpoints: [{ host: '127.0.0.1', port: upstream.port }],
      domains: ['registry.npmjs.org', '*.example.com'],
    });
    try {
      const connectVia = (target: string): Promise<string> =>
        new Promise((resolve, reject) => {
          const socket = connect(join(dir, 'proxy.sock'));
          socket.on('error', reject);
          let answer = '';
          socket.on('data', (d: Buffer) => {
            answer += d.toString();
            if (answer.includes('\r\n\r\n')) {
              socket.destroy();
              resolve(answer.split('\r\n')[0] ?? '');
            }
          });
          socket.write(`CONNECT ${target} HTTP/1.1\r\nhost: ${target}\r\n\r\n`);
        });
      expect(await connectVia(`127.0.0.1:${String(upstream.port)}`)).toBe('HTTP/1.1 200 Connection Established');
      expect(await connectVia('127.0.0.1:22')).toBe('HTTP/1.1 403 Forbidden');
      expect(await connectVia('evil.test:443')).toBe('HTTP/1.1 403 Forbidden');
      expect(bridge.allows('registry.npmjs.org', 443)).toBe(true);
      expect(bridge.allows('api.example.com', 443)).toBe(true);
      expect(bridge.allows('example.com', 443)).toBe(false);
      expect(bridge.allows('registry.npmjs.org', 22)).toBe(false);
      expect(bridge.refused).toEqual(['127.0.0.1:22', 'evil.test:443']);
      // A plain HTTP request through the proxy to a refused host gets 403.
      const status = await new Promise<number>((resolve, reject) => {
        const req = request(
          { socketPath: join(dir, 'proxy.sock'), path: 'http://evil.test/x', headers: { host: 'evil.test' } },
          (res) => {
            res.resume();
            resolve(res.statusCode ?? 0);
          },
        );
        req.on('error', reject);
        req.end();
      });
      expect(status).toBe(403);
    } finally {
      await bridge.close();
      upstream.server.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

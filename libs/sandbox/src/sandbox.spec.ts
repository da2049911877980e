import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, request, type Server } from 'node:http';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { withLifeline } from '@agent-harness/core';
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
    const child = spawn(cmd.command, [...cmd.args], {
      cwd: cmd.cwd,
      env: cmd.env,
      detached: true,
      stdio: withLifeline(cmd, ['pipe', 'pipe', 'pipe']),
    });
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

  it('points every proxy setting a command may read at the filtering proxy, Yarn 2+ own ones too', async () => {
    const cmd = await sandbox.wrap(
      { ...policy('workspace-write'), network: { kind: 'filtered', endpoints: [], domains: ['registry.npmjs.org'] } },
      { command: 'true', args: [], cwd: worktree, env: { PATH: '/usr/bin:/bin', HTTPS_PROXY: 'http://corp:8080' } },
    );
    try {
      const proxy = cmd.env['HTTPS_PROXY'];
      expect(proxy).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      for (const name of ['HTTP_PROXY', 'http_proxy', 'https_proxy', 'YARN_HTTP_PROXY', 'YARN_HTTPS_PROXY'])
        expect(cmd.env[name], name).toBe(proxy);
    } finally {
      await cmd.dispose();
    }
  });

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

  /** Processes whose command line holds `marker`, found from the host: the ones inside a sandbox. */
  const withMarker = (marker: string): string[] =>
    readdirSync('/proc')
      .filter((name) => /^\d+$/.test(name))
      .filter((pid) => {
        try {
          return readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes(marker);
        } catch {
          return false;
        }
      });
  const until = async (done: () => boolean): Promise<void> => {
    for (let i = 0; i < 200 && !done(); i++) await new Promise((r) => setTimeout(r, 50));
  };

  it('ends everything inside when its process group is killed', async () => {
    const marker = `harness-sbx-${String(process.pid)}-${String(Date.now())}`;
    const cmd = await sandbox.wrap(policy('workspace-write'), {
      command: 'sh',
      args: ['-c', `sh -c 'sleep 600; echo ${marker}' & sleep 600`],
      cwd: worktree,
      env: { PATH: process.env['PATH'] ?? '/usr/bin:/bin', HOME: home },
    });
    const child = spawn(cmd.command, [...cmd.args], {
      cwd: cmd.cwd,
      env: cmd.env,
      detached: true,
      stdio: withLifeline(cmd, ['ignore', 'ignore', 'ignore']),
    });
    const exited = new Promise<void>((resolve) =>
      child.on('exit', () => {
        resolve();
      }),
    );
    await until(() => withMarker(marker).length > 0);
    expect(withMarker(marker).length).toBeGreaterThan(0);
    process.kill(-(child.pid ?? 0), 'SIGKILL');
    await exited;
    await until(() => withMarker(marker).length === 0);
    expect(withMarker(marker)).toEqual([]);
    await cmd.dispose();
  });

  it('ends everything inside, its own sessions too, once the lifeline closes, and the command never holds it', async () => {
    const marker = `harness-sbx-life-${String(process.pid)}-${String(Date.now())}`;
    const cmd = await sandbox.wrap(policy('workspace-write'), {
      command: 'sh',
      args: [
        '-c',
        `setsid sh -c 'sleep 600; : ${marker}' & [ -e /proc/$$/fd/3 ] && echo held || echo free; sleep 600; : ${marker}`,
      ],
      cwd: worktree,
      env: { PATH: process.env['PATH'] ?? '/usr/bin:/bin', HOME: home },
    });
    expect(cmd.lifeline).toBe(true);
    const child = spawn(cmd.command, [...cmd.args], {
      cwd: cmd.cwd,
      env: cmd.env,
      detached: true,
      stdio: withLifeline(cmd, ['ignore', 'pipe', 'ignore']),
    });
    let lifeline = '';
    child.stdout!.on('data', (d: Buffer) => (lifeline += d.toString()));
    const exited = new Promise<number | null>((resolve) =>
      child.on('exit', (code, signal) => {
        resolve(code ?? (signal === 'SIGKILL' ? 137 : null));
      }),
    );
    // A fork of the outer sh carries the marker before it has run anything, so the count alone
    // can be reached before the check has printed: wait for both.
    await until(() => withMarker(marker).length >= 2 && lifeline.trim() !== '');
    expect(withMarker(marker).length).toBeGreaterThanOrEqual(2);
    expect(lifeline.trim()).toBe('free');
    // Harness alive: its end open. Closing it is what Harness dying does, without killing the test.
    child.stdio[3]!.destroy();
    expect(await exited).toBe(137);
    await until(() => withMarker(marker).length === 0);
    expect(withMarker(marker)).toEqual([]);
    await cmd.dispose();
  });

  it('refuses to start without its lifeline', async () => {
    const cmd = await sandbox.wrap(policy('workspace-write'), {
      command: 'touch',
      args: [join(worktree, 'ran-without-lifeline')],
      cwd: worktree,
      env: { PATH: process.env['PATH'] ?? '/usr/bin:/bin', HOME: home },
    });
    const child = spawn(cmd.command, [...cmd.args], {
      cwd: cmd.cwd,
      env: cmd.env,
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
    expect({ code, stderr: stderr.trim() }).toEqual({ code: 125, stderr: 'sandbox: no lifeline on descriptor 3' });
    expect(existsSync(join(worktree, 'ran-without-lifeline'))).toBe(false);
    await cmd.dispose();
  });

  it('does not outlive a parent killed (-9) while its sandboxes were still starting', async () => {
    // A parent like Harness: it spawns a sandbox the way Harness does and is SIGKILLed a few
    // milliseconds later, often before bubblewrap has armed its death signal inside. Many mounts
    // widen that window (before the lifeline, most runs left the sandbox running).
    const hidden = Array.from({ length: 300 }, (_, i) => join(root, 'many', String(i)));
    for (const dir of hidden) mkdirSync(dir, { recursive: true });
    const marker = `harness-sbx-orphan-${String(process.pid)}-${String(Date.now())}`;
    const cmd = await sandbox.wrap(
      { ...policy('workspace-write'), denyRead: [...policy('workspace-write').denyRead, ...hidden] },
      {
        command: 'sh',
        args: ['-c', `sleep 30; : ${marker}`],
        cwd: worktree,
        env: { PATH: process.env['PATH'] ?? '/usr/bin:/bin', HOME: home },
      },
    );
    const parentScript = [
      "const { spawn } = require('node:child_process');",
      'const cmd = JSON.parse(process.argv[1]);',
      'spawn(cmd.command, cmd.args, { cwd: cmd.cwd, env: cmd.env, detached: true, stdio: cmd.stdio });',
      "process.stdout.write('spawned\\n');",
      'setInterval(() => undefined, 1000);',
    ].join('\n');
    const spec = JSON.stringify({ ...cmd, stdio: withLifeline(cmd, ['ignore', 'ignore', 'ignore']) });
    let survived = 0;
    try {
      for (let run = 0; run < 20; run++) {
        const parent = spawn(process.execPath, ['-e', parentScript, spec], { stdio: ['ignore', 'pipe', 'ignore'] });
        await new Promise((resolve) => parent.stdout.once('data', resolve));
        await new Promise((r) => setTimeout(r, run % 10));
        parent.kill('SIGKILL');
        await new Promise((resolve) => parent.once('exit', resolve));
        await until(() => withMarker(marker).length === 0);
        if (withMarker(marker).length > 0) survived += 1;
        for (const pid of withMarker(marker)) process.kill(Number(pid), 'SIGKILL');
      }
    } finally {
      for (const pid of withMarker(marker)) process.kill(Number(pid), 'SIGKILL');
      await cmd.dispose();
    }
    expect(survived).toBe(0);
  }, 120_000);
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

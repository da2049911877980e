import { describe, expect, it } from 'vitest';
import { bwrapArgs, type BwrapPlan } from './bwrap-command.js';
import type { SandboxPolicy } from './sandbox-policy.js';

const policy: SandboxPolicy = {
  mode: 'workspace-write',
  writable: ['/data/worktrees/t1', '/src/app/.git/worktrees/t1'],
  stateDirs: ['/home/u/.claude'],
  denyRead: ['/home/u/.ssh', '/data', '/src/app', '/home/u/.netrc', '/missing'],
  readOnly: ['/src/app/.git'],
  network: { kind: 'none' },
};

function plan(overrides: Partial<BwrapPlan> = {}): BwrapPlan {
  const files = new Set(['/home/u/.netrc']);
  return {
    policy,
    cwd: '/data/worktrees/t1',
    command: 'claude',
    args: ['-p'],
    kindOf: (path) => (path === '/missing' ? undefined : files.has(path) ? 'file' : 'dir'),
    forwards: [],
    socat: '/usr/bin/socat',
    ...overrides,
  };
}

/** The mount targets in the order bubblewrap makes them, after the fixed ones. */
function mountOrder(args: readonly string[]): string[] {
  const out: string[] = [];
  for (let i = args.indexOf('/var/tmp') + 1; i < args.length && args[i] !== '--chdir'; i++) {
    const flag = args[i];
    if (flag === '--tmpfs') out.push(`hide ${args[++i] ?? ''}`);
    else if (flag === '--bind') out.push(`rw ${args[(i += 2)] ?? ''}`);
    else if (flag === '--ro-bind') {
      const source = args[++i];
      out.push(`${source === '/dev/null' ? 'hide' : 'ro'} ${args[++i] ?? ''}`);
    } else if (flag === '--remount-ro') out.push(`remount-ro ${args[++i] ?? ''}`);
  }
  return out;
}

describe('bwrapArgs', () => {
  it('mounts shallow first so deeper paths win, a denial wins at the same depth, missing paths are skipped', () => {
    expect(mountOrder(bwrapArgs(plan()))).toEqual([
      'hide /data',
      'hide /src/app',
      'rw /home/u/.claude',
      'rw /data/worktrees/t1',
      'ro /src/app/.git',
      'hide /home/u/.ssh',
      'hide /home/u/.netrc',
      'rw /src/app/.git/worktrees/t1',
      'remount-ro /data',
      'remount-ro /src/app',
      'remount-ro /home/u/.ssh',
    ]);
  });

  it('mounts the workspace read-only in read-only mode, but keeps the agent state writable', () => {
    const order = mountOrder(bwrapArgs(plan({ policy: { ...policy, mode: 'read-only' } })));
    expect(order).toContain('ro /data/worktrees/t1');
    expect(order).toContain('rw /home/u/.claude');
  });

  it('unshares the network unless the policy keeps the host network', () => {
    expect(bwrapArgs(plan())).toContain('--unshare-net');
    expect(bwrapArgs(plan({ policy: { ...policy, network: { kind: 'host' } } }))).not.toContain('--unshare-net');
  });

  it('starts the lifeline watch and the forwards inside, then becomes the command without the lifeline', () => {
    const args = bwrapArgs(plan({ bridgeDir: '/tmp/harness-net-x', forwards: [{ port: 8080, socket: 'f0.sock' }] }));
    const dash = args.indexOf('--');
    expect(args.slice(dash + 1, dash + 3)).toEqual(['sh', '-c']);
    const script = args[dash + 3]!;
    expect(script).toContain('kill -9 -1) <&3');
    expect(script).toContain('TCP-LISTEN:8080,bind=127.0.0.1');
    expect(script).toContain(':1F90 00000000:0000 0A');
    expect(script.split('\n').at(-1)).toBe('exec "$@" 3<&-');
    expect(args.slice(dash + 4)).toEqual(['sh', 'claude', '-p']);
    // `kill -9 -1` stays inside only because the sandbox has its own PID namespace.
    expect(args).toContain('--unshare-pid');
  });

  it('has the lifeline watch without forwards too', () => {
    const args = bwrapArgs(plan());
    const dash = args.indexOf('--');
    expect(args.slice(dash + 1, dash + 3)).toEqual(['sh', '-c']);
    expect(args[dash + 3]).toContain('kill -9 -1) <&3');
    expect(args[dash + 3]).not.toContain('TCP-LISTEN');
    expect(args.slice(dash + 4)).toEqual(['sh', 'claude', '-p']);
  });

  it('refuses relative paths and has no command line for danger-full-access', () => {
    expect(() => bwrapArgs(plan({ policy: { ...policy, denyRead: ['relative'] } }))).toThrow(/absolute/);
    expect(() => bwrapArgs(plan({ policy: { ...policy, mode: 'danger-full-access' } }))).toThrow(/without a sandbox/);
  });
});

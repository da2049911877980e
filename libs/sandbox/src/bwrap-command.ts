import { isAbsolute, normalize, sep } from 'node:path';
import type { SandboxPolicy } from './sandbox-policy.js';

/** The descriptor of the lifeline pipe (`SandboxedCommand.lifeline`). */
export const LIFELINE_FD = 3;

/** Where the bridge's sockets appear inside the sandbox (on its private tmp). */
export const BRIDGE_DIR_INSIDE = '/tmp/.harness-net';

/** A loopback port inside the sandbox that leads to a socket of the bridge. */
export interface PortForward {
  readonly port: number;
  readonly socket: string;
}

/** What the command line is built from besides the policy. */
export interface BwrapPlan {
  readonly policy: SandboxPolicy;
  readonly cwd: string;
  readonly command: string;
  readonly args: readonly string[];
  /** Whether a path exists, and as what (mounts of missing paths are left out). */
  readonly kindOf: (path: string) => 'dir' | 'file' | undefined;
  /** The host directory holding the bridge's sockets, when the network is filtered. */
  readonly bridgeDir?: string | undefined;
  readonly forwards: readonly PortForward[];
  /** `socat`, for the forwards inside. */
  readonly socat: string;
}

interface Mount {
  readonly path: string;
  readonly rank: number;
  readonly args: readonly string[];
}

function depth(path: string): number {
  return path.split(sep).filter((p) => p !== '').length;
}

function clean(path: string): string {
  if (!isAbsolute(path)) throw new Error(`sandbox paths must be absolute: ${JSON.stringify(path)}`);
  const normalized = normalize(path);
  return normalized.length > 1 && normalized.endsWith(sep) ? normalized.slice(0, -1) : normalized;
}

/**
 * The mounts, shallow first so a deeper one wins (a worktree inside a hidden data dir stays
 * writable; a denied file inside a writable dir stays hidden). At the same path a denial wins.
 */
function mounts(plan: BwrapPlan): Mount[] {
  const { policy, kindOf } = plan;
  const out: Mount[] = [];
  for (const path of policy.stateDirs.map(clean))
    if (kindOf(path) !== undefined) out.push({ path, rank: 0, args: ['--bind', path, path] });
  // The workspace: writable in workspace-write, visible but read-only in read-only.
  const bind = policy.mode === 'workspace-write' ? '--bind' : '--ro-bind';
  for (const path of policy.writable.map(clean))
    if (kindOf(path) !== undefined) out.push({ path, rank: 0, args: [bind, path, path] });
  for (const path of policy.readOnly.map(clean))
    if (kindOf(path) !== undefined) out.push({ path, rank: 1, args: ['--ro-bind', path, path] });
  for (const path of policy.denyRead.map(clean)) {
    const kind = kindOf(path);
    if (kind === 'dir') out.push({ path, rank: 2, args: ['--tmpfs', path] });
    else if (kind === 'file') out.push({ path, rank: 2, args: ['--ro-bind', '/dev/null', path] });
  }
  return out.sort((a, b) => depth(a.path) - depth(b.path) || a.rank - b.rank);
}

/**
 * The shell bubblewrap starts inside, which ends by becoming the command.
 *
 * First the lifeline watch. Bubblewrap's own death signal (`--die-with-parent`) is armed in each of
 * its processes only once that process is set up: if Harness dies in that moment, the sandbox
 * lives on with nobody left to end it (seen under load: a kill -9 while sandboxes start). So
 * descriptor 3 is a pipe whose other end only Harness holds; a watcher reads it until it closes,
 * which happens when Harness is gone however it died, before or after this shell started, and then
 * kills everything in this PID namespace (`kill -9 -1` reaches no further: the sandbox always has
 * its own, `--unshare-pid`). The command and the forwards do not get the descriptor.
 *
 * Then each forward (socat on 127.0.0.1:port to a bridge socket) and a wait until every port
 * listens (read from /proc/net/tcp: no race with the command's first connect).
 *
 * Exit 125 when the lifeline is missing or a forward never comes up.
 */
export function launchScript(socat: string, forwards: readonly PortForward[]): string {
  const lifeline = [
    `true 2>/dev/null <&${String(LIFELINE_FD)} || { echo "sandbox: no lifeline on descriptor ${String(LIFELINE_FD)}" >&2; exit 125; }`,
    `(while read -r _; do :; done; kill -9 -1) <&${String(LIFELINE_FD)} >/dev/null 2>&1 &`,
  ];
  const starts = forwards.map(
    (f) =>
      `${socat} TCP-LISTEN:${String(f.port)},bind=127.0.0.1,fork,reuseaddr UNIX-CONNECT:${BRIDGE_DIR_INSIDE}/${f.socket} 2>/dev/null ${String(LIFELINE_FD)}<&- &`,
  );
  const waits = forwards.map((f) => {
    const hex = f.port.toString(16).toUpperCase().padStart(4, '0');
    return `i=0; while ! grep -q ':${hex} 00000000:0000 0A' /proc/net/tcp; do i=$((i+1)); [ "$i" -gt 2000 ] && { echo "sandbox: the forward to port ${String(f.port)} did not start" >&2; exit 125; }; sleep 0.005; done`;
  });
  return [...lifeline, ...starts, ...waits, `exec "$@" ${String(LIFELINE_FD)}<&-`].join('\n');
}

/**
 * The bubblewrap command line for a policy: the host's filesystem read-only, a private /tmp, /dev
 * and /proc (a new PID namespace, so other processes and their environments are out of sight),
 * the policy's mounts, and no network but the forwards. The sandbox dies with its parent (its
 * lifeline, `launchScript`); ending its process group ends everything in it.
 */
export function bwrapArgs(plan: BwrapPlan): string[] {
  const { policy } = plan;
  if (policy.mode === 'danger-full-access') throw new Error('danger-full-access runs without a sandbox');
  const args = ['--die-with-parent', '--unshare-pid', '--unshare-ipc', '--unshare-uts', '--unshare-cgroup-try'];
  if (policy.network.kind !== 'host') args.push('--unshare-net');
  args.push('--ro-bind', '/', '/', '--dev', '/dev', '--proc', '/proc', '--tmpfs', '/tmp', '--tmpfs', '/var/tmp');
  const hidden: string[] = [];
  for (const mount of mounts(plan)) {
    args.push(...mount.args);
    if (mount.args[0] === '--tmpfs') hidden.push(mount.path);
  }
  // A hidden directory is an empty tmpfs: read-only once the mounts inside it are made.
  for (const path of hidden) args.push('--remount-ro', path);
  if (plan.bridgeDir !== undefined) args.push('--ro-bind', plan.bridgeDir, BRIDGE_DIR_INSIDE);
  args.push('--chdir', clean(plan.cwd), '--');
  return [...args, 'sh', '-c', launchScript(plan.socat, plan.forwards), 'sh', plan.command, ...plan.args];
}

import { spawn, type ChildProcessByStdio } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import type { Readable } from 'node:stream';
import { withLifeline } from '@agent-harness/core';

/** How one guard process went. */
export interface GuardProcessOutcome {
  /** Its stdout, at most `maxOutputBytes` of it. */
  readonly stdout: string;
  readonly stderrTail: string;
  readonly exitCode: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly timedOut: boolean;
  readonly outputLimited: boolean;
  /** Set when the process could not be started at all. */
  readonly spawnError?: string;
  readonly durationMs: number;
}

export interface GuardProcessOptions {
  readonly executable: string;
  readonly args: readonly string[];
  readonly cwd: string;
  readonly env: Readonly<Record<string, string>>;
  /** A sandbox's launcher that wants its lifeline pipe (`SandboxedCommand.lifeline`). */
  readonly lifeline?: boolean | undefined;
  readonly timeoutMs: number;
  readonly maxOutputBytes: number;
  /** How long SIGTERM has before SIGKILL. */
  readonly killGraceMs: number;
}

const STDERR_TAIL_CHARS = 4000;
const NOT_STARTED = {
  stdout: '',
  stderrTail: '',
  exitCode: null,
  signal: null,
  timedOut: false,
  outputLimited: false,
} as const;

/**
 * Runs one guard with an argument array (no shell), stdin closed, in its own process group, so a
 * timeout or an output flood ends it and everything it started. After it exits the group is ended
 * too: a guard must not leave background processes behind.
 */
export function runGuardProcess(options: GuardProcessOptions): Promise<GuardProcessOutcome> {
  const started = Date.now();
  return new Promise((resolve) => {
    const stdout: Buffer[] = [];
    let stdoutBytes = 0;
    let stderr = '';
    let timedOut = false;
    let outputLimited = false;
    let spawnError: string | undefined;
    let settled = false;
    let child: ChildProcessByStdio<null, Readable, Readable>;
    try {
      child = spawn(options.executable, [...options.args], {
        cwd: options.cwd,
        env: options.env,
        stdio: withLifeline(options, ['ignore', 'pipe', 'pipe']),
        detached: true,
      }) as ChildProcessByStdio<null, Readable, Readable>;
      child.stdio[3]?.on('error', () => undefined);
    } catch (error) {
      // Arguments Node refuses before any process exists (a NUL byte, say).
      const message = error instanceof Error ? error.message : String(error);
      resolve({ ...NOT_STARTED, spawnError: message, durationMs: Date.now() - started });
      return;
    }
    let abandon: NodeJS.Timeout | undefined;
    const stop = (): void => {
      if (child.pid !== undefined) void killProcessGroup(child.pid, options.killGraceMs);
      // Every wait has a cap: if something unkillable still holds the pipes, stop reading them.
      abandon ??= setTimeout(
        () => {
          for (const stream of child.stdio) stream?.destroy();
          finish(child.exitCode, child.signalCode);
        },
        options.killGraceMs * 3 + 1000,
      );
    };
    const finish = (exitCode: number | null, signal: NodeJS.Signals | null): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      clearTimeout(abandon);
      const done = (): void => {
        resolve({
          stdout: Buffer.concat(stdout).toString('utf8'),
          stderrTail: stderr.slice(-STDERR_TAIL_CHARS),
          exitCode,
          signal,
          timedOut,
          outputLimited,
          ...(spawnError === undefined ? {} : { spawnError }),
          durationMs: Date.now() - started,
        });
      };
      if (child.pid === undefined) done();
      else void killProcessGroup(child.pid, options.killGraceMs).then(done);
    };
    const timer = setTimeout(() => {
      timedOut = true;
      stop();
    }, options.timeoutMs);
    child.stdout.on('data', (chunk: Buffer) => {
      if (outputLimited) return;
      const room = options.maxOutputBytes - stdoutBytes;
      if (chunk.length <= room) {
        stdout.push(chunk);
        stdoutBytes += chunk.length;
        return;
      }
      // Keep whole lines only: the cut line would be a fragment.
      const all = Buffer.concat([...stdout, chunk.subarray(0, room)]);
      stdout.splice(0, stdout.length, all.subarray(0, all.lastIndexOf(10) + 1));
      outputLimited = true;
      stop();
    });
    child.stderr.on('data', (chunk: Buffer) => {
      stderr = (stderr + chunk.toString('utf8')).slice(-STDERR_TAIL_CHARS * 2);
    });
    child.once('error', (error) => {
      spawnError = error.message;
      // A process that never started emits no close of its own to wait for.
      if (child.pid === undefined) finish(null, null);
    });
    child.once('close', finish);
  });
}

/** Whether a process of the group runs; a zombie left to init (by the sandbox's launcher) does not. */
function isGroupAlive(pid: number): boolean {
  try {
    process.kill(-pid, 0);
  } catch (error) {
    // EPERM: the group exists but is not ours to signal; it is alive all the same.
    return error instanceof Error && 'code' in error && error.code === 'EPERM';
  }
  if (process.platform !== 'linux') return true;
  try {
    return readdirSync('/proc').some((entry) => {
      if (!/^\d+$/.test(entry)) return false;
      try {
        const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
        const [state, , group] = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
        return Number(group) === pid && state !== 'Z' && state !== 'X';
      } catch {
        return false;
      }
    });
  } catch {
    return true;
  }
}

function signalGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal);
  } catch {
    // Already gone.
  }
}

/** SIGTERM to the group led by `pid`, SIGKILL after `graceMs`; resolves once it is gone (bounded). */
async function killProcessGroup(pid: number, graceMs: number): Promise<void> {
  if (!isGroupAlive(pid)) return;
  signalGroup(pid, 'SIGTERM');
  if (await waitForGroupExit(pid, graceMs)) return;
  signalGroup(pid, 'SIGKILL');
  await waitForGroupExit(pid, Math.max(graceMs, 1000));
}

async function waitForGroupExit(pid: number, ms: number): Promise<boolean> {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    if (!isGroupAlive(pid)) return true;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  return !isGroupAlive(pid);
}

import { spawn, type ChildProcess } from 'node:child_process';

/** A `harness` child process started by a test. @public */
export interface HarnessProcess {
  readonly pid: number;
  /** Everything it printed so far. */
  stdout(): string;
  stderr(): string;
  /** Resolves with how it ended. */
  readonly exited: Promise<ProcessExit>;
  /**
   * Sends `signal` (SIGTERM by default) and waits up to `graceMs` for the exit; past that, kills its
   * whole process group. Resolves with how it ended.
   */
  stop(signal?: NodeJS.Signals, graceMs?: number): Promise<ProcessExit>;
}

/** A started server, with the URL it reported. @public */
export interface HarnessServerProcess extends HarnessProcess {
  readonly url: string;
}

/** @public */
export interface ProcessExit {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
}

/** @public */
export interface HarnessRunOptions {
  /** Path of the built CLI entry (`apps/cli/dist/main.js`). */
  readonly cliPath: string;
  readonly args: readonly string[];
  /** Added to a minimal environment (PATH, HOME=`home` or the temp dir, NO_COLOR). */
  readonly env?: Readonly<Record<string, string>>;
  readonly cwd?: string;
  /** HOME of the child; defaults to the system temp directory so nothing reads the user's files. */
  readonly home?: string;
  /** Longest wait for the process (run) or for its "listening" line (server). Default 30 s. */
  readonly timeoutMs?: number;
  /** Flags for node itself, before the CLI's path (e.g. `--cpu-prof` in a benchmark). */
  readonly nodeArgs?: readonly string[];
}

const started = new Set<ChildProcess>();

function childEnv(options: HarnessRunOptions): Record<string, string> {
  return {
    PATH: process.env['PATH'] ?? '/usr/bin:/bin',
    HOME: options.home ?? process.env['TMPDIR'] ?? '/tmp',
    NO_COLOR: '1',
    ...options.env,
  };
}

/**
 * Starts `harness <args>` and returns at once, to watch its output while it runs.
 * @public
 */
export function spawnHarness(options: HarnessRunOptions): HarnessProcess {
  return launch(options);
}

function launch(options: HarnessRunOptions): HarnessProcess {
  // Its own process group, so stop() can end it and anything it started, by PID.
  const child = spawn(process.execPath, [...(options.nodeArgs ?? []), options.cliPath, ...options.args], {
    cwd: options.cwd,
    env: childEnv(options),
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  if (child.pid === undefined) throw new Error(`could not start ${options.cliPath}`);
  const pid = child.pid;
  started.add(child);
  let out = '';
  let errOut = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
    out += chunk;
  });
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
    errOut += chunk;
  });
  const exited = new Promise<ProcessExit>((resolve) => {
    child.once('exit', (code, signal) => {
      started.delete(child);
      resolve({ code, signal });
    });
  });
  return {
    pid,
    stdout: () => out,
    stderr: () => errOut,
    exited,
    async stop(signal: NodeJS.Signals = 'SIGTERM', graceMs = 10_000) {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      const timer = setTimeout(() => {
        killGroup(pid);
      }, graceMs);
      try {
        return await exited;
      } finally {
        clearTimeout(timer);
      }
    },
  };
}

function killGroup(pid: number): void {
  try {
    process.kill(-pid, 'SIGKILL');
  } catch {
    // Already gone.
  }
}

/**
 * Runs `harness <args>` to completion and returns its exit code and output. A run that outlives
 * `timeoutMs` is killed (its whole group) and reported as a failure.
 * @public
 */
export async function runHarness(
  options: HarnessRunOptions,
): Promise<ProcessExit & { stdout: string; stderr: string }> {
  const child = launch(options);
  const timeoutMs = options.timeoutMs ?? 30_000;
  const timer = setTimeout(() => {
    killGroup(child.pid);
  }, timeoutMs);
  try {
    const exit = await child.exited;
    return { ...exit, stdout: child.stdout(), stderr: child.stderr() };
  } finally {
    clearTimeout(timer);
  }
}

// Also inside a JSON log line (`--log-format json`), where a quote ends the URL.
const LISTENING = /listening on (http:\/\/[^\s"]+)/;

/**
 * Starts `harness serve <args>` (with `--port 0` unless a port is given, so the system picks a free
 * one) and resolves once it reports the URL it listens on. Rejects, with its output, if it exits
 * or stays silent for `timeoutMs` first.
 * @public
 */
export async function startHarnessServer(options: HarnessRunOptions): Promise<HarnessServerProcess> {
  const args = options.args.includes('--port') ? options.args : [...options.args, '--port', '0'];
  const child = launch({ ...options, args: ['serve', ...args] });
  const timeoutMs = options.timeoutMs ?? 30_000;
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const match = LISTENING.exec(child.stdout());
    if (match?.[1] !== undefined) return { ...child, url: match[1] };
    const exit = await Promise.race([
      child.exited,
      new Promise<undefined>((r) =>
        setTimeout(() => {
          r(undefined);
        }, 25),
      ),
    ]);
    if (exit !== undefined) {
      throw new Error(
        `harness serve exited (code ${String(exit.code)}, signal ${String(exit.signal)}) before listening\nstdout:\n${child.stdout()}\nstderr:\n${child.stderr()}`,
      );
    }
  }
  await child.stop('SIGKILL');
  throw new Error(
    `harness serve did not report a URL within ${String(timeoutMs)} ms\nstdout:\n${child.stdout()}\nstderr:\n${child.stderr()}`,
  );
}

/** Kills every process these helpers started that is still running (use in `afterAll`). @public */
export function killStartedHarnessProcesses(): void {
  for (const child of started) if (child.pid !== undefined) killGroup(child.pid);
}

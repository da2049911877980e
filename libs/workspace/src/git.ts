import { spawn } from 'node:child_process';
import { AppError, gitEnv } from '@agent-harness/core';

/**
 * Set on every git call Harness makes. A repository's hooks and its fsmonitor program are code
 * an agent can plant (in `.git/hooks`, or `core.hooksPath` in a config it edits); Harness's own
 * commits and pushes never run them. `ext::` remotes run arbitrary commands.
 */
const SAFE_OVERRIDES = [
  '-c',
  'core.hooksPath=/dev/null',
  '-c',
  'core.fsmonitor=false',
  '-c',
  'protocol.ext.allow=never',
];

/** What git may print on stdout before it is stopped (a diff of a huge change). */
const MAX_STDOUT_BYTES = 64 * 1024 * 1024;
/** The end of stderr kept for the error message. */
const STDERR_TAIL_CHARS = 64 * 1024;
/** Between SIGTERM and SIGKILL when git's process group is ended. */
const KILL_GRACE_MS = 2000;

/** @public */
export interface GitOptions {
  readonly cwd: string;
  /** The environment to derive git's from: only an allow-list of it reaches git (`gitEnv`). */
  readonly env: Readonly<Record<string, string | undefined>>;
  /** Added after the allow-list (e.g. a credential for one push). */
  readonly extraEnv?: Readonly<Record<string, string>>;
  /** More `-c key=value` pairs, before the subcommand. */
  readonly config?: readonly string[];
  readonly timeoutMs?: number;
  /**
   * Ends git at once when it aborts (a cancelled task): git and everything it started (a remote's
   * hooks, filters, ssh) go with their process group, and the call fails.
   */
  readonly signal?: AbortSignal | undefined;
  /** What git reads on stdin (`update-ref --stdin`); without it, stdin is closed at once. */
  readonly input?: string | undefined;
}

/**
 * Runs git and returns its trimmed stdout; a failure throws with git's own message. git runs in a
 * process group of its own: past the timeout, or on the abort signal, the whole group is ended
 * (SIGTERM, then SIGKILL), so nothing it started outlives the call.
 */
export function git(args: readonly string[], options: GitOptions): Promise<string> {
  const configArgs = (options.config ?? []).flatMap((pair) => ['-c', pair]);
  const what = `git ${args.join(' ')}`;
  const timeoutMs = options.timeoutMs ?? 60_000;
  return new Promise((resolve, reject) => {
    if (options.signal?.aborted === true) {
      reject(new AppError('GIT_FAILED', `${what} was not run in ${options.cwd}: its task was stopped`));
      return;
    }
    const child = spawn('git', [...SAFE_OVERRIDES, ...configArgs, ...args], {
      cwd: options.cwd,
      env: { ...gitEnv(options.env), ...options.extraEnv, GIT_TERMINAL_PROMPT: '0' },
      stdio: ['pipe', 'pipe', 'pipe'],
      detached: true,
    });
    // stdin is closed at once, or after `input`. A git that exits before reading it all (a bad
    // command) is answered by its exit, not EPIPE.
    child.stdin.on('error', () => undefined);
    child.stdin.end(options.input);
    const stdout: Buffer[] = [];
    let stdoutBytes = 0;
    let stderr = '';
    let spawnError: Error | undefined;
    let stopped: 'timeout' | 'aborted' | 'too much output' | undefined;
    // 'close' waits for every holder of the pipes: once the group is gone, stop reading.
    const stopReading = (): void => {
      child.stdout.destroy();
      child.stderr.destroy();
    };
    const stop = (why: NonNullable<typeof stopped>): void => {
      if (stopped !== undefined || child.pid === undefined) return;
      stopped = why;
      void endProcessGroup(child.pid, KILL_GRACE_MS).then(stopReading);
    };
    child.stdout.on('data', (chunk: Buffer) => {
      stdoutBytes += chunk.length;
      if (stdoutBytes > MAX_STDOUT_BYTES) stop('too much output');
      else stdout.push(chunk);
    });
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
      stderr = (stderr + chunk).slice(-STDERR_TAIL_CHARS);
    });
    const timer = setTimeout(() => {
      stop('timeout');
    }, timeoutMs);
    const onAbort = (): void => {
      stop('aborted');
    };
    options.signal?.addEventListener('abort', onAbort, { once: true });
    child.once('error', (error) => {
      spawnError = error;
    });
    let pipesTimer: NodeJS.Timeout | undefined;
    child.once('exit', () => {
      pipesTimer = setTimeout(stopReading, KILL_GRACE_MS + 1000);
    });
    child.once('close', (code, signal) => {
      clearTimeout(timer);
      clearTimeout(pipesTimer);
      options.signal?.removeEventListener('abort', onAbort);
      if (stopped === 'aborted') {
        reject(new AppError('GIT_FAILED', `${what} was stopped in ${options.cwd}: its task was stopped`));
        return;
      }
      if (stopped === undefined && spawnError === undefined && code === 0) {
        resolve(Buffer.concat(stdout).toString('utf8').trim());
        return;
      }
      const how =
        stopped === 'timeout'
          ? `timed out after ${String(Math.round(timeoutMs / 1000))} s`
          : stopped === 'too much output'
            ? `printed more than ${String(MAX_STDOUT_BYTES)} bytes`
            : (spawnError?.message ?? (signal === null ? `exit code ${String(code)}` : `killed by ${signal}`));
      const detail =
        stopped === undefined ? stderr.trim() || how : `${how}${stderr.trim() === '' ? '' : `: ${stderr.trim()}`}`;
      reject(new AppError('GIT_FAILED', `${what} failed in ${options.cwd}: ${detail}`, { cause: spawnError }));
    });
  });
}

/**
 * Ends the process group led by `pid`: SIGTERM, then SIGKILL for what is still alive after
 * `graceMs`; resolves once it is gone (bounded). The same as the agents' killProcessGroup: this
 * lib depends on core alone.
 */
async function endProcessGroup(pid: number, graceMs: number): Promise<void> {
  const alive = (): boolean => {
    try {
      process.kill(-pid, 0);
      return true;
    } catch {
      return false;
    }
  };
  const gone = async (ms: number): Promise<boolean> => {
    const deadline = Date.now() + ms;
    while (alive()) {
      if (Date.now() >= deadline) return false;
      await new Promise((r) => setTimeout(r, 25));
    }
    return true;
  };
  const send = (signal: NodeJS.Signals): void => {
    try {
      process.kill(-pid, signal);
    } catch {
      // Already gone.
    }
  };
  send('SIGTERM');
  if (await gone(graceMs)) return;
  send('SIGKILL');
  await gone(Math.max(graceMs, 1000));
}

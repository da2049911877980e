import { spawn, type ChildProcessByStdio } from 'node:child_process';
import type { Readable } from 'node:stream';
import { withLifeline, type CommandSpec, type SandboxedCommand } from '@agent-harness/core';
import { killProcessGroup } from './process-group.js';

/** The end of a command's output kept for the record and for the agent. */
const OUTPUT_TAIL_CHARS = 4000;

/** How long the pipes of an ended command are still read before they are let go. */
const PIPE_DRAIN_MS = 200;
/** Between SIGTERM and SIGKILL when a command's group is ended (timeout or abort). */
const KILL_GRACE_MS = 2000;

/** @public */
export interface ShellCommandOutcome {
  readonly command: string;
  readonly exitCode: number | null;
  readonly timedOut: boolean;
  readonly output: string;
  readonly durationMs: number;
  /** Ended by the caller's abort signal (a cancelled task), not by itself or the timeout. */
  readonly cancelled?: boolean | undefined;
}

/**
 * Runs `bash -c <command>` in a directory, in its own process group, with stdin closed; past the
 * timeout, or at once on the abort signal, the whole group is ended (SIGTERM, then SIGKILL after
 * 2 s). Keeps the end of stdout and stderr together. The outcome never waits on a process that left
 * the group (`setsid`) and holds the pipes: the task's cleanup ends it by its marker.
 *
 * The commands are code Harness does not control (`npm test` runs what the agent wrote), so the
 * environment given here must be an allow-list (`commandEnv` of @agent-harness/core), never the
 * server's own.
 * @public
 */
export class ShellCommandRunner {
  /**
   * `sandbox` puts each command into its OS sandbox (`CommandSandbox.wrapCommand`); a sandbox that
   * cannot start fails the command (exit 126 and why), it never runs unconfined.
   */
  constructor(
    private readonly env: Readonly<Record<string, string | undefined>>,
    private readonly sandbox?: (command: CommandSpec) => Promise<SandboxedCommand>,
  ) {}

  run(
    command: string,
    options: {
      cwd: string;
      timeoutMs: number;
      signal?: AbortSignal | undefined;
      env?: Readonly<Record<string, string>> | undefined;
    },
  ): Promise<ShellCommandOutcome> {
    const started = Date.now();
    const cancelled = { command, exitCode: null, timedOut: false, cancelled: true, output: '', durationMs: 0 };
    if (options.signal?.aborted === true) return Promise.resolve(cancelled);
    const spec: CommandSpec = {
      command: 'bash',
      args: ['-c', command],
      cwd: options.cwd,
      env: Object.fromEntries(
        Object.entries({ ...this.env, ...options.env }).filter((e): e is [string, string] => e[1] !== undefined),
      ),
    };
    if (this.sandbox === undefined) return this.spawn(command, spec, options, started);
    return this.sandbox(spec).then(
      async (wrapped) => {
        if (options.signal?.aborted === true) {
          await wrapped.dispose();
          return cancelled;
        }
        return this.spawn(command, wrapped, options, started).finally(() => wrapped.dispose());
      },
      (error: unknown) => ({
        command,
        exitCode: 126,
        timedOut: false,
        output: `the command cannot start in its sandbox: ${error instanceof Error ? error.message : String(error)}`,
        durationMs: Date.now() - started,
      }),
    );
  }

  private spawn(
    command: string,
    spec: CommandSpec & Pick<SandboxedCommand, 'lifeline'>,
    options: { timeoutMs: number; signal?: AbortSignal | undefined },
    started: number,
  ): Promise<ShellCommandOutcome> {
    return new Promise((resolve) => {
      const child = spawn(spec.command, [...spec.args], {
        cwd: spec.cwd,
        env: spec.env,
        stdio: withLifeline(spec, ['ignore', 'pipe', 'pipe']),
        detached: true,
      }) as ChildProcessByStdio<null, Readable, Readable>;
      child.stdio[3]?.on('error', () => undefined);
      let output = '';
      let stopped: 'timeout' | 'cancelled' | undefined;
      const collect = (chunk: Buffer): void => {
        output = (output + chunk.toString('utf8')).slice(-OUTPUT_TAIL_CHARS * 4);
      };
      child.stdout.on('data', collect);
      child.stderr.on('data', collect);
      // 'close' waits for every holder of the pipes; past this, they are let go (see below).
      const stopReading = (): void => {
        for (const stream of child.stdio) stream?.destroy();
      };
      let pipesTimer: NodeJS.Timeout | undefined;
      let drainTimer: NodeJS.Timeout | undefined;
      const stop = (why: 'timeout' | 'cancelled'): void => {
        if (stopped !== undefined || child.pid === undefined) return;
        stopped = why;
        // Once the group is gone, what it printed is still read (its pipes end by themselves); a
        // process outside the group that holds them is let go a moment later.
        void killProcessGroup(child.pid, KILL_GRACE_MS).then(() => {
          drainTimer = setTimeout(stopReading, PIPE_DRAIN_MS);
        });
      };
      const timer = setTimeout(() => {
        stop('timeout');
      }, options.timeoutMs);
      const onAbort = (): void => {
        stop('cancelled');
      };
      options.signal?.addEventListener('abort', onAbort, { once: true });
      child.once('error', (error) => {
        output += `\n${error.message}`;
      });
      child.once('exit', () => {
        pipesTimer = setTimeout(stopReading, KILL_GRACE_MS + 1000);
      });
      child.once('close', (code) => {
        clearTimeout(timer);
        clearTimeout(pipesTimer);
        clearTimeout(drainTimer);
        options.signal?.removeEventListener('abort', onAbort);
        if (child.pid !== undefined) void killProcessGroup(child.pid, KILL_GRACE_MS);
        resolve({
          command,
          exitCode: code,
          timedOut: stopped === 'timeout',
          ...(stopped === 'cancelled' ? { cancelled: true } : {}),
          output: output.slice(-OUTPUT_TAIL_CHARS),
          durationMs: Date.now() - started,
        });
      });
    });
  }
}

import { spawn } from 'node:child_process';
import { killProcessGroup } from './process-group.js';

/** The end of a command's output kept for the record and for the agent. */
const OUTPUT_TAIL_CHARS = 4000;

/** @public */
export interface ShellCommandOutcome {
  readonly command: string;
  readonly exitCode: number | null;
  readonly timedOut: boolean;
  readonly output: string;
  readonly durationMs: number;
}

/**
 * Runs `bash -c <command>` in a directory, in its own process group, with stdin closed; past the
 * timeout the whole group is ended. Keeps the end of stdout and stderr together.
 *
 * The commands are code Harness does not control (`npm test` runs what the agent wrote), so the
 * environment given here must be an allow-list (`commandEnv` of @agent-harness/core), never the
 * server's own.
 * @public
 */
export class ShellCommandRunner {
  constructor(private readonly env: Readonly<Record<string, string | undefined>>) {}

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
    return new Promise((resolve) => {
      const env = { ...this.env, ...options.env };
      const child = spawn('bash', ['-c', command], {
        cwd: options.cwd,
        env,
        stdio: ['ignore', 'pipe', 'pipe'],
        detached: true,
      });
      let output = '';
      let timedOut = false;
      const collect = (chunk: Buffer): void => {
        output = (output + chunk.toString('utf8')).slice(-OUTPUT_TAIL_CHARS * 4);
      };
      child.stdout.on('data', collect);
      child.stderr.on('data', collect);
      const timer = setTimeout(() => {
        timedOut = true;
        if (child.pid !== undefined) void killProcessGroup(child.pid, 2000);
      }, options.timeoutMs);
      const onAbort = (): void => {
        if (child.pid !== undefined) void killProcessGroup(child.pid, 2000);
      };
      options.signal?.addEventListener('abort', onAbort, { once: true });
      child.once('error', (error) => {
        output += `\n${error.message}`;
      });
      child.once('close', (code) => {
        clearTimeout(timer);
        options.signal?.removeEventListener('abort', onAbort);
        if (child.pid !== undefined) void killProcessGroup(child.pid, 2000);
        resolve({
          command,
          exitCode: code,
          timedOut,
          output: output.slice(-OUTPUT_TAIL_CHARS),
          durationMs: Date.now() - started,
        });
      });
    });
  }
}

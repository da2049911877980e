import { execFile } from 'node:child_process';
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
}

/** Runs git and returns its trimmed stdout; a failure throws with git's own message. */
export function git(args: readonly string[], options: GitOptions): Promise<string> {
  const configArgs = (options.config ?? []).flatMap((pair) => ['-c', pair]);
  return new Promise((resolve, reject) => {
    execFile(
      'git',
      [...SAFE_OVERRIDES, ...configArgs, ...args],
      {
        cwd: options.cwd,
        env: { ...gitEnv(options.env), ...options.extraEnv, GIT_TERMINAL_PROMPT: '0' },
        timeout: options.timeoutMs ?? 60_000,
        maxBuffer: 64 * 1024 * 1024,
      },
      (error, stdout, stderr) => {
        if (error !== null) {
          const detail = stderr.trim() || error.message;
          reject(
            new AppError('GIT_FAILED', `git ${args.join(' ')} failed in ${options.cwd}: ${detail}`, { cause: error }),
          );
          return;
        }
        resolve(stdout.trim());
      },
    );
  });
}

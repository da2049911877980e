import { execFile } from 'node:child_process';
import { AppError } from '@agent-harness/core';

/** Runs git and returns its trimmed stdout; a failure throws with git's own message. */
export function git(args: readonly string[], options: { cwd: string; env: Readonly<Record<string, string | undefined>>; timeoutMs?: number }): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(
      'git',
      [...args],
      { cwd: options.cwd, env: { ...options.env, GIT_TERMINAL_PROMPT: '0' }, timeout: options.timeoutMs ?? 60_000, maxBuffer: 64 * 1024 * 1024 },
      (error, stdout, stderr) => {
        if (error !== null) {
          const detail = stderr.trim() || error.message;
          reject(new AppError('INTERNAL', `git ${args.join(' ')} failed in ${options.cwd}: ${detail}`, { cause: error }));
          return;
        }
        resolve(stdout.trim());
      },
    );
  });
}

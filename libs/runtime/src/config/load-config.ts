import { execFileSync } from 'node:child_process';
import { readFileSync, realpathSync, statSync } from 'node:fs';
import { isAbsolute, resolve } from 'node:path';
import {
  ConfigError,
  err,
  resolveConfig,
  type CliOverrides,
  type ConfigResult,
  type DirectoryInspection,
} from '@agent-harness/core';
import { githubAppKeyProblem } from './github-app-key.js';

export { describeGitHubAuth, readGitHubAppKey } from './github-app-key.js';

/** @public */
export interface LoadConfigInput {
  /** `--config`: the TOML file to read. Without it, built-in defaults apply. */
  readonly configPath?: string | undefined;
  readonly cli?: CliOverrides | undefined;
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly cwd: string;
  readonly homeDir: string;
}

/**
 * Reads the config file (if any), resolves it with the environment and flags, and checks every
 * project root on disk. Returns all problems at once.
 * @public
 */
export function loadConfig(input: LoadConfigInput): ConfigResult {
  let file: { path: string; text: string } | undefined;
  if (input.configPath !== undefined) {
    const path = resolve(input.cwd, expandHome(input.configPath, input.homeDir));
    try {
      file = { path, text: readFileSync(path, 'utf8') };
    } catch (error) {
      const reason = (error as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (error as Error).message;
      return err(new ConfigError([{ path: '--config', message: `cannot read ${path}: ${reason}` }]));
    }
  }
  const result = resolveConfig({
    file,
    env: input.env,
    homeDir: input.homeDir,
    cwd: input.cwd,
    cli: input.cli,
    inspectDirectory: (path) => inspectProjectDirectory(path, input.env),
  });
  // `[github.app]`'s key file is read now, so a bad one is a config error before anything starts.
  const keyProblem = result.ok ? githubAppKeyProblem(result.value) : undefined;
  return keyProblem === undefined ? result : err(new ConfigError([keyProblem], file?.path));
}

function expandHome(path: string, home: string): string {
  return path === '~' ? home : path.startsWith('~/') ? `${home}/${path.slice(2)}` : path;
}

/** Where git is looked for when the caller's environment has no PATH. */
const DEFAULT_PATH = '/usr/local/bin:/usr/bin:/bin';

/** `git rev-parse --show-toplevel` run in `dir`, with only PATH and HOME from `env`; undefined when git says no. */
function gitTopLevel(dir: string, env: Readonly<Record<string, string | undefined>>): string | undefined {
  try {
    const top = execFileSync('git', ['-c', 'core.fsmonitor=false', 'rev-parse', '--show-toplevel'], {
      cwd: dir,
      // Nothing else of the caller's: GIT_DIR or GIT_WORK_TREE there would make git answer about another repository.
      env: { PATH: env['PATH'] ?? DEFAULT_PATH, ...(env['HOME'] === undefined ? {} : { HOME: env['HOME'] }) },
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
      timeout: 10_000,
    }).trim();
    return top === '' ? undefined : realpathSync(top);
  } catch {
    return undefined;
  }
}

/**
 * What is at `path`: the top directory of a git repository (git itself says so: `rev-parse
 * --show-toplevel` is this very directory, so a subdirectory or a bare repository is not), or not.
 * Only absolute paths are looked at: a relative one would be resolved against this process's
 * working directory, which no caller means.
 * @public
 */
export function inspectProjectDirectory(
  path: string,
  env: Readonly<Record<string, string | undefined>> = {},
): DirectoryInspection {
  if (!isAbsolute(path)) return { kind: 'missing' };
  let realPath: string;
  try {
    if (!statSync(path).isDirectory()) return { kind: 'not-a-directory' };
    realPath = realpathSync(path);
  } catch {
    return { kind: 'missing' };
  }
  return gitTopLevel(realPath, env) === realPath
    ? { kind: 'git-repository', realPath }
    : { kind: 'not-a-git-repository' };
}

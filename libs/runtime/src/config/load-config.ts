import { readFileSync, realpathSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import {
  ConfigError,
  err,
  resolveConfig,
  type CliOverrides,
  type DirectoryInspection,
  type HarnessConfig,
  type Result,
} from '@agent-harness/core';

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
export function loadConfig(input: LoadConfigInput): Result<HarnessConfig, ConfigError> {
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
  return resolveConfig({
    file,
    env: input.env,
    homeDir: input.homeDir,
    cwd: input.cwd,
    cli: input.cli,
    inspectDirectory: inspectProjectDirectory,
  });
}

function expandHome(path: string, home: string): string {
  return path === '~' ? home : path.startsWith('~/') ? `${home}/${path.slice(2)}` : path;
}

/** What is at `path`: a git repository's top directory (a `.git` directory or worktree file), or not. */
export function inspectProjectDirectory(path: string): DirectoryInspection {
  try {
    if (!statSync(path).isDirectory()) return { kind: 'not-a-directory' };
  } catch {
    return { kind: 'missing' };
  }
  try {
    statSync(resolve(path, '.git'));
  } catch {
    return { kind: 'not-a-git-repository' };
  }
  return { kind: 'git-repository', realPath: realpathSync(path) };
}

import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { createTempDir, type TempDir } from './temp-dir.js';

/** A temporary git repository, optionally with a bare `origin` it has pushed `main` to. @public */
export interface TempGitRepo {
  /** Working tree of the repository. */
  readonly path: string;
  /** The bare `origin` repository, when created with `withOrigin`. */
  readonly originPath: string | undefined;
  /**
   * Environment that keeps git away from the user's own configuration: pass it to any process
   * (a Harness server, an agent) that runs git against this repository.
   */
  readonly gitEnv: Readonly<Record<string, string>>;
  /** Runs git in the working tree and returns its trimmed stdout; throws on a non-zero exit. */
  git(...args: string[]): string;
  /** Writes a file (creating folders) and commits it. Returns the new commit's id. */
  commitFile(relativePath: string, content: string, message?: string): string;
  cleanup(): Promise<void>;
}

/** @public */
export interface CreateTempGitRepoOptions {
  /** Also create a bare repository, add it as `origin` and push `main` to it. */
  readonly withOrigin?: boolean;
  /** Files of the first commit; defaults to a README. */
  readonly files?: Readonly<Record<string, string>>;
}

/**
 * Environment for git with no access to `~/.gitconfig` or `/etc/gitconfig`: a private global config
 * file with an identity, no signing and `main` as the default branch.
 * @public
 */
export function isolatedGitEnv(dir: string): Record<string, string> {
  const globalConfig = join(dir, 'gitconfig');
  writeFileSync(
    globalConfig,
    [
      '[user]',
      '\tname = Harness Test',
      '\temail = harness-test@example.invalid',
      '[commit]',
      '\tgpgsign = false',
      '[tag]',
      '\tgpgsign = false',
      '[init]',
      '\tdefaultBranch = main',
      '',
    ].join('\n'),
  );
  return {
    GIT_CONFIG_GLOBAL: globalConfig,
    GIT_CONFIG_NOSYSTEM: '1',
    GIT_TERMINAL_PROMPT: '0',
  };
}

function run(cwd: string, env: Readonly<Record<string, string>>, args: string[]): string {
  return execFileSync('git', args, {
    cwd,
    env: { PATH: process.env['PATH'] ?? '/usr/bin:/bin', HOME: dirname(env['GIT_CONFIG_GLOBAL'] ?? cwd), ...env },
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
  }).trim();
}

/**
 * Creates a real git repository on `main` with one commit, in a temporary directory.
 * @public
 */
export async function createTempGitRepo(options: CreateTempGitRepoOptions = {}): Promise<TempGitRepo> {
  const root: TempDir = await createTempDir('harness-repo-');
  const gitEnv = isolatedGitEnv(root.path);
  const path = join(root.path, 'work');
  mkdirSync(path);
  const git = (...args: string[]): string => run(path, gitEnv, args);
  git('init', '--quiet', '--initial-branch=main');
  const files = options.files ?? { 'README.md': '# test repository\n' };
  for (const [file, content] of Object.entries(files)) {
    mkdirSync(dirname(join(path, file)), { recursive: true });
    writeFileSync(join(path, file), content);
  }
  git('add', '--all');
  git('commit', '--quiet', '-m', 'initial commit');

  let originPath: string | undefined;
  if (options.withOrigin === true) {
    originPath = join(root.path, 'origin.git');
    run(root.path, gitEnv, ['init', '--quiet', '--bare', '--initial-branch=main', originPath]);
    git('remote', 'add', 'origin', originPath);
    git('push', '--quiet', '-u', 'origin', 'main');
  }

  return {
    path,
    originPath,
    gitEnv,
    git,
    commitFile(relativePath, content, message = `update ${relativePath}`) {
      mkdirSync(dirname(join(path, relativePath)), { recursive: true });
      writeFileSync(join(path, relativePath), content);
      git('add', '--', relativePath);
      git('commit', '--quiet', '-m', message);
      return git('rev-parse', 'HEAD');
    },
    cleanup: () => root.cleanup(),
  };
}

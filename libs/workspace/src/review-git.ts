import { execFile } from 'node:child_process';
import { rm } from 'node:fs/promises';
import { AppError, gitEnv, isSafeBranchName } from '@agent-harness/core';

/** A commit id as git prints it (SHA-1 or SHA-256). */
const COMMIT = /^[0-9a-f]{40}([0-9a-f]{24})?$/;
/** Commits the log of a review lists at most. */
const MAX_LOG_COMMITS = 50;
/** Folders the structure summary lists at most. */
const MAX_STRUCTURE_LINES = 150;
/** The most bytes read from one git command (a repository with a huge history or tree). */
const MAX_OUTPUT_BYTES = 8 * 1024 * 1024;
const GIT_TIMEOUT_MS = 30_000;

/** What the review prompt is given of the repository. */
export interface ReviewRepositoryFacts {
  readonly structure: string;
  readonly commitLog: string;
  readonly diffStat: string;
  /** The last reviewed commit, when the repository still has it (history may have been rewritten). */
  readonly previousHead: string | undefined;
}

export const isCommitId = (text: string): boolean => COMMIT.test(text);

/** Control characters of hostile file names shown as `?`: one name, one line. */
// eslint-disable-next-line no-control-regex
const printable = (text: string): string => text.replace(/[\u0000-\u001f\u007f]/g, '?');

/**
 * Reads a project's repository for the periodic review with git, read-only: the environment is
 * the allow-list of `gitEnv`, fsmonitor is off, every revision given is a checked commit id or
 * branch name, and output is bounded.
 */
export class ReviewGit {
  private readonly env: Record<string, string>;

  constructor(env: Readonly<Record<string, string | undefined>>) {
    this.env = gitEnv(env);
  }

  /** The commit the review looks at: `base_branch` when the project names one, else HEAD. */
  async head(root: string, baseBranch: string | undefined): Promise<string> {
    if (baseBranch !== undefined && !isSafeBranchName(baseBranch))
      throw new AppError('INVALID_ARGUMENT', `base_branch ${JSON.stringify(baseBranch)} is not a usable branch name`);
    const revision = baseBranch ?? 'HEAD';
    let out: string;
    try {
      out = await this.git(root, ['rev-parse', '--verify', '--end-of-options', `${revision}^{commit}`]);
    } catch (error) {
      throw new AppError(
        'GIT_FAILED',
        `cannot review ${root}: ${revision} is not a commit there (${error instanceof Error ? error.message : String(error)})`,
      );
    }
    const head = out.trim();
    if (!isCommitId(head))
      throw new AppError('GIT_FAILED', `git rev-parse answered ${JSON.stringify(head)} for ${revision}`);
    return head;
  }

  /**
   * A detached worktree of `head` at `path`, for the review to read: never the user's own checkout
   * (their uncommitted work, their build output). Hooks are off: checking out runs none of the
   * repository's code.
   */
  async checkout(root: string, head: string, path: string): Promise<void> {
    if (!isCommitId(head)) throw new AppError('INVALID_ARGUMENT', `not a commit id: ${JSON.stringify(head)}`);
    await this.git(root, ['-c', 'core.hooksPath=/dev/null', 'worktree', 'add', '--detach', '--quiet', path, head]);
  }

  /** Removes a worktree `checkout` made; never throws (a leftover is pruned by the next removal). */
  async removeCheckout(root: string, path: string): Promise<void> {
    await this.git(root, ['worktree', 'remove', '--force', path]).catch(() => undefined);
    await rm(path, { recursive: true, force: true }).catch(() => undefined);
    await this.git(root, ['worktree', 'prune']).catch(() => undefined);
  }

  /** Structure, commits and diff stat since `previous` (when the repository still has it). */
  async facts(root: string, head: string, previous: string | undefined): Promise<ReviewRepositoryFacts> {
    const known = previous !== undefined && isCommitId(previous) && (await this.isCommit(root, previous));
    const [structure, commitLog, diffStat] = await Promise.all([
      this.structure(root, head),
      this.git(root, [
        'log',
        '--no-color',
        '--no-decorate',
        '--format=%h %s',
        `--max-count=${String(MAX_LOG_COMMITS)}`,
        '--end-of-options',
        ...(known ? [`${previous}..${head}`] : [head]),
      ]),
      known ? this.git(root, ['diff', '--no-color', '--no-ext-diff', '--stat=120', previous, head, '--']) : '',
    ]);
    return { structure, commitLog, diffStat, previousHead: known ? previous : undefined };
  }

  /** Tracked files of the commit counted per folder (two levels deep), the biggest first. */
  private async structure(root: string, head: string): Promise<string> {
    const listing = await this.git(root, ['ls-tree', '-r', '-z', '--name-only', '--end-of-options', head]);
    const files = listing.split('\0').filter((name) => name !== '');
    const counts = new Map<string, number>();
    for (const file of files) {
      const parts = file.split('/');
      const folders = parts.length === 1 ? ['.'] : [`${parts[0] ?? ''}/`];
      if (parts.length > 2) folders.push(`${parts.slice(0, 2).join('/')}/`);
      for (const folder of folders) counts.set(folder, (counts.get(folder) ?? 0) + 1);
    }
    const lines = [...counts.entries()]
      .sort((a, b) => a[0].localeCompare(b[0]))
      .slice(0, MAX_STRUCTURE_LINES)
      .map(([folder, n]) => `${printable(folder)} (${String(n)} file${n === 1 ? '' : 's'})`);
    const more =
      counts.size > MAX_STRUCTURE_LINES ? [`… and ${String(counts.size - MAX_STRUCTURE_LINES)} more folders`] : [];
    return [`${String(files.length)} tracked files`, ...lines, ...more].join('\n');
  }

  private async isCommit(root: string, id: string): Promise<boolean> {
    try {
      await this.git(root, ['cat-file', '-e', '--end-of-options', `${id}^{commit}`]);
      return true;
    } catch {
      return false;
    }
  }

  private git(root: string, args: readonly string[]): Promise<string> {
    return new Promise((resolve, reject) => {
      execFile(
        'git',
        ['-c', 'core.fsmonitor=false', '-c', 'core.quotePath=true', '-C', root, ...args],
        { env: this.env, encoding: 'utf8', maxBuffer: MAX_OUTPUT_BYTES, timeout: GIT_TIMEOUT_MS },
        (error, stdout, stderr) => {
          if (error === null) resolve(stdout);
          else reject(new Error(stderr.trim().split('\n')[0] ?? error.message));
        },
      );
    });
  }
}

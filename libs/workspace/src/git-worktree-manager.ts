import { createHash, randomUUID } from 'node:crypto';
import {
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  realpathSync,
  renameSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { rm } from 'node:fs/promises';
import { basename, dirname, isAbsolute, join, resolve } from 'node:path';
import { AppError, isSafeBranchName } from '@agent-harness/core';
import { git } from './git.js';
import { nestedRepositories } from './nested-repositories.js';
import { patchPaths, withPatchFile, writeSeedFiles, type SeedFileInput } from './seed-worktree.js';
import { SharedGitState } from './shared-git-state.js';

/** A task's worktree. @public */
export interface Worktree {
  readonly path: string;
  readonly branch: string;
  /** What it was created from, e.g. `origin/main`. */
  readonly base: string;
  /**
   * Set when a finished task's worktree was reused: cleaned of everything but its dependency
   * folders, which were made under `setupKey` (undefined: no setup finished in it).
   */
  readonly reused?: { readonly setupKey: string | undefined } | undefined;
}

/** How a repository's finished worktrees are kept for its next tasks. @public */
export interface WorktreeReuse {
  /** Finished worktrees kept; 0: none, every task checks out afresh. */
  readonly idle: number;
  /** Folders a reused worktree keeps (gitignore patterns: `node_modules` matches at any depth). */
  readonly keep: readonly string[];
}

/**
 * The token for `repo` (`owner/repo` of an `https://host/owner/repo(.git)` remote), asked at each
 * fetch or push, so a short-lived one (a GitHub App's installation token) is always fresh.
 * @public
 */
export type GitTokenProvider = (repo: { readonly owner: string; readonly repo: string }) => Promise<string>;

/** A token (or its provider) for HTTPS remotes on `hosts`. @public */
export interface GitCredentials {
  readonly token: string | GitTokenProvider;
  readonly hosts: readonly string[];
}

/** @public */
export interface GitWorktreeManagerDeps {
  /** Folder holding one worktree per task (under `data_dir`). */
  readonly worktreesDir: string;
  /** Environment git's is derived from: only an allow-list reaches git (no secrets). */
  readonly env: Readonly<Record<string, string | undefined>>;
  /**
   * A GitHub token for fetching from and pushing to `origin` over HTTPS on these hosts (e.g.
   * github.com), handed to that one git process through a credential helper; never to hooks. The
   * token may be a provider asked at each fetch or push for the repository of the URL (a GitHub
   * App's short-lived installation token).
   */
  readonly credentials?: GitCredentials | undefined;
  /**
   * Where the recorded shared git state of repositories with running tasks is kept, so a restart
   * can restore it. Default: `git-state` beside `worktreesDir`.
   */
  readonly sharedStateDir?: string | undefined;
  /**
   * How long a fetched base branch stays fresh for the next task of the same repository: tasks
   * that start together share one fetch. Default 2 s; 0 fetches for every task.
   */
  readonly baseFetchIntervalMs?: number | undefined;
  /** The clock of that interval (milliseconds). Default `Date.now`. */
  readonly nowMs?: (() => number) | undefined;
  /** Whether and how a repository's finished worktrees are reused (see `release`). Default: never. */
  readonly reuse?: ((repoRoot: string) => WorktreeReuse) | undefined;
  /** Where finished worktrees wait for reuse. Default: `worktree-pool` beside `worktreesDir`. */
  readonly poolDir?: string | undefined;
}

/** How long checking out a task's files may take (a large repository's first checkout). */
const CHECKOUT_TIMEOUT_MS = 10 * 60_000;

/** A branch name from outside (config, request, GitHub) that git will see; refused when unsafe. */
function checkedBranch(name: string, what: string): string {
  if (!isSafeBranchName(name))
    throw new AppError('INVALID_ARGUMENT', `${what} ${JSON.stringify(name)} is not a valid git branch name`);
  return name;
}

/**
 * The only credential helper of a fetch or push that uses the token: the empty value first clears
 * every helper configured elsewhere (a `store` helper would otherwise write the token to disk, a
 * planted one would read it). It answers `get` only, from the environment git gave it, so the
 * token is on no command line.
 */
const CREDENTIAL_CONFIG = [
  'credential.helper=',
  'credential.helper=!f() { test "$1" = get && printf "username=x-access-token\\npassword=%s\\n" "$HARNESS_GIT_TOKEN"; }; f',
];

/** `url` parsed when it is HTTPS on one of `hosts`; undefined otherwise. */
function credentialUrl(url: string | undefined, hosts: readonly string[]): URL | undefined {
  if (url === undefined) return undefined;
  try {
    const parsed = new URL(url);
    return parsed.protocol === 'https:' && hosts.includes(parsed.hostname) ? parsed : undefined;
  } catch {
    // scp-style (git@host:owner/repo) and paths are not URLs.
    return undefined;
  }
}

/**
 * The git config a fetch or push to `url` runs with: the token's credential helper when the URL is
 * HTTPS on one of the token's hosts, else nothing (ssh and local remotes use their own means).
 * @public
 */
export function remoteCredentialConfig(
  url: string | undefined,
  credentials: { readonly token: string; readonly hosts: readonly string[] } | undefined,
): { config: string[]; extraEnv: Record<string, string> } | undefined {
  if (credentials === undefined || credentialUrl(url, credentials.hosts) === undefined) return undefined;
  return { config: [...CREDENTIAL_CONFIG], extraEnv: { HARNESS_GIT_TOKEN: credentials.token } };
}

/**
 * `remoteCredentialConfig` for a token or a provider: the provider is asked for the token of the
 * URL's repository (`https://host/owner/repo(.git)`); a URL naming none gets no credential.
 * @public
 */
export async function resolveRemoteCredential(
  url: string | undefined,
  credentials: GitCredentials | undefined,
): Promise<{ config: string[]; extraEnv: Record<string, string> } | undefined> {
  if (credentials === undefined) return undefined;
  const { token, hosts } = credentials;
  if (typeof token === 'string') return remoteCredentialConfig(url, { token, hosts });
  const parsed = credentialUrl(url, hosts);
  const match = parsed === undefined ? null : /^\/([^/]+)\/([^/]+?)(?:\.git)?\/?$/.exec(parsed.pathname);
  if (match?.[1] === undefined || match[2] === undefined) return undefined;
  const repo = { owner: decodeURIComponent(match[1]), repo: decodeURIComponent(match[2]) };
  return remoteCredentialConfig(url, { token: await token(repo), hosts });
}

/** `harness/<first 8 of the id>-<slug of the title>`. @public */
export function taskBranchName(taskId: string, title: string): string {
  const slug = title
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 40)
    .replace(/-+$/, '');
  return `harness/${taskId.slice(0, 8)}${slug === '' ? '' : `-${slug}`}`;
}

/** One file of a diff stat; binary files count no lines (null). @public */
export interface DiffStatFile {
  readonly path: string;
  readonly insertions: number | null;
  readonly deletions: number | null;
}

/** What a change touched: `git diff --numstat`, file by file, with the line totals. @public */
export interface DiffStat {
  readonly files: readonly DiffStatFile[];
  readonly insertions: number;
  readonly deletions: number;
}

/**
 * Reads `git diff --numstat -z` output: `added<TAB>deleted<TAB>path<NUL>` per file, `-` for binary;
 * a rename is `added<TAB>deleted<TAB><NUL>old<NUL>new<NUL>`, counted under its new path. Reading
 * stops at the first text that is not a record (what `--stat --patch` print after the records).
 */
export function parseNumstat(output: string): DiffStat {
  return readNumstat(output).stat;
}

/** `parseNumstat`, with where the records end in `output`. */
function readNumstat(output: string): { readonly stat: DiffStat; readonly end: number } {
  const files: DiffStatFile[] = [];
  const record = /(\d+|-)\t(\d+|-)\t/y;
  let at = 0;
  for (;;) {
    record.lastIndex = at;
    const match = record.exec(output);
    if (match?.[1] === undefined || match[2] === undefined) break;
    let pathEnd = output.indexOf('\0', record.lastIndex);
    if (pathEnd === -1) break;
    let path = output.slice(record.lastIndex, pathEnd);
    if (path === '') {
      // A rename: the old path, then the new one.
      const oldEnd = output.indexOf('\0', pathEnd + 1);
      pathEnd = oldEnd === -1 ? -1 : output.indexOf('\0', oldEnd + 1);
      if (pathEnd === -1) break;
      path = output.slice(oldEnd + 1, pathEnd);
    }
    const count = (value: string): number | null => (value === '-' ? null : Number(value));
    files.push({ path, insertions: count(match[1]), deletions: count(match[2]) });
    at = pathEnd + 1;
  }
  const stat = {
    files,
    insertions: files.reduce((sum, f) => sum + (f.insertions ?? 0), 0),
    deletions: files.reduce((sum, f) => sum + (f.deletions ?? 0), 0),
  };
  return { stat, end: at };
}

/**
 * No external diff or textconv programs: they come from config a task could have written. Renames
 * found whatever the repository's `diff.renames` says (a renamed file counts once, as GitHub shows it).
 */
const DIFF_ARGS = ['diff', '--no-color', '--no-ext-diff', '--no-textconv', '--find-renames'];

/** `base...HEAD`, then the end of options. */
function diffRange(base: string): string[] {
  return [`${checkedBranch(base, 'base')}...HEAD`, '--'];
}

function cutDiff(text: string, maxChars: number): string {
  return text.length <= maxChars ? text : `${text.slice(0, maxChars)}\n… diff cut at ${String(maxChars)} characters`;
}

/** A committer identity for repositories that have none configured. */
const FALLBACK_IDENTITY = ['-c', 'user.name=Harness', '-c', 'user.email=harness@localhost'];

/**
 * One git worktree per task, on its own branch, under `worktreesDir`. The branch outlives the
 * worktree: it holds the task's commit.
 * @public
 */
export class GitWorktreeManager {
  /** Per repository: git's own locks (refs, worktree metadata) make concurrent fetch/add/remove fail. */
  private readonly repoLocks = new Map<string, Promise<unknown>>();
  /** Per repository with running tasks: its shared git state before the first of them started. */
  private readonly guarded = new Map<string, { readonly state: SharedGitState; tasks: number }>();
  /** Per repository and asked-for base: where tasks started from, and when it was fetched. */
  private readonly freshBases = new Map<string, { readonly at: number; readonly value: Promise<string> }>();
  /** Per repository: its `origin` URL, and when it was read (see originUrl). */
  private readonly origins = new Map<string, { readonly at: number; readonly value: Promise<string | undefined> }>();
  /** Per repository: whether git has a committer identity (see hasCommitIdentity). */
  private readonly commitIdentities = new Map<string, boolean>();
  /** Per repository: its common git directory, which does not move under a running server. */
  private readonly commonDirs = new Map<string, string>();

  constructor(private readonly deps: GitWorktreeManagerDeps) {}

  /**
   * Runs `work` after every earlier locked operation on the same repository. With `signal`, the
   * wait ends at its abort (a cancelled task does not wait behind another task's push), and `work`
   * is skipped when its turn comes.
   */
  private locked<T>(repoRoot: string, work: () => Promise<T>, signal?: AbortSignal): Promise<T> {
    const previous = this.repoLocks.get(repoRoot) ?? Promise.resolve();
    const guarded = (): Promise<T> => (signal?.aborted === true ? Promise.reject(stoppedError()) : work());
    const next = previous.then(guarded, guarded);
    const settled = next.catch(() => undefined);
    this.repoLocks.set(repoRoot, settled);
    void settled.then(() => {
      if (this.repoLocks.get(repoRoot) === settled) this.repoLocks.delete(repoRoot);
    });
    return signal === undefined ? next : untilAborted(next, signal);
  }

  private run(cwd: string, args: readonly string[], signal?: AbortSignal): Promise<string> {
    return git(args, { cwd, env: this.deps.env, signal });
  }

  /**
   * A fetch or push to `origin`, after the shared git state is put back: with the token when the
   * URL git will really use (the push URL for a push, after insteadOf rewrites) is HTTPS on a known host.
   */
  private async runRemote(
    repoRoot: string,
    cwd: string,
    direction: 'fetch' | 'push',
    args: readonly string[],
    signal: AbortSignal | undefined,
  ): Promise<string> {
    this.restoreSharedStateUnlocked(repoRoot);
    const url =
      this.deps.credentials === undefined
        ? undefined
        : await this.run(cwd, ['remote', 'get-url', ...(direction === 'push' ? ['--push'] : []), 'origin']).catch(
            () => undefined,
          );
    const credential = await resolveRemoteCredential(url, this.deps.credentials);
    return git(args, { cwd, env: this.deps.env, timeoutMs: 120_000, signal, ...credential });
  }

  /** The repository's common git directory (absolute), asked of git once per repository. */
  private async commonDir(repoRoot: string): Promise<string> {
    const known = this.commonDirs.get(repoRoot);
    if (known !== undefined) return known;
    const dir = await this.run(repoRoot, ['rev-parse', '--git-common-dir']);
    const absolute = isAbsolute(dir) ? dir : resolve(repoRoot, dir);
    this.commonDirs.set(repoRoot, absolute);
    return absolute;
  }

  private sharedStateFile(repoRoot: string): string {
    const dir = this.deps.sharedStateDir ?? join(dirname(this.deps.worktreesDir), 'git-state');
    return join(dir, `${createHash('sha256').update(repoRoot).digest('hex').slice(0, 24)}.json`);
  }

  /**
   * A task of `repoRoot` starts: the first of its running tasks records the repository's shared
   * config and hooks (in memory and on disk); the others share that record. Anything running in a
   * worktree can change them (see SharedGitState); `restoreSharedState` puts them back.
   */
  guardSharedState(repoRoot: string): Promise<void> {
    return this.locked(repoRoot, async () => {
      const held = this.guarded.get(repoRoot);
      if (held !== undefined) {
        held.tasks += 1;
        return;
      }
      // A record left by a crash is the state before that crash's tasks: restore it first.
      this.recoverSharedStateUnlocked(repoRoot);
      const state = SharedGitState.capture(await this.commonDir(repoRoot));
      const file = this.sharedStateFile(repoRoot);
      mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
      writeFileSync(file, JSON.stringify(state), { mode: 0o600 });
      this.guarded.set(repoRoot, { state, tasks: 1 });
    });
  }

  /** Puts the recorded shared git state of `repoRoot` back; returns what had changed. */
  restoreSharedState(repoRoot: string): Promise<string[]> {
    return this.locked(repoRoot, () => Promise.resolve(this.restoreSharedStateUnlocked(repoRoot)));
  }

  private restoreSharedStateUnlocked(repoRoot: string): string[] {
    return this.guarded.get(repoRoot)?.state.restore() ?? [];
  }

  /** A task of `repoRoot` ended: restore, and forget the record when it was the last one running. */
  releaseSharedState(repoRoot: string): Promise<string[]> {
    return this.locked(repoRoot, () => {
      const held = this.guarded.get(repoRoot);
      const changed = held?.state.restore() ?? [];
      if (held !== undefined && --held.tasks === 0) {
        this.guarded.delete(repoRoot);
        rmSync(this.sharedStateFile(repoRoot), { force: true });
      }
      return Promise.resolve(changed);
    });
  }

  /** After a crash: restores the state recorded before the dead server's tasks of `repoRoot` ran. */
  recoverSharedState(repoRoot: string): Promise<string[]> {
    return this.locked(repoRoot, () =>
      Promise.resolve(this.guarded.has(repoRoot) ? [] : this.recoverSharedStateUnlocked(repoRoot)),
    );
  }

  private recoverSharedStateUnlocked(repoRoot: string): string[] {
    const file = this.sharedStateFile(repoRoot);
    if (!existsSync(file)) return [];
    const changed = SharedGitState.fromJSON(readFileSync(file, 'utf8')).restore();
    rmSync(file, { force: true });
    return changed;
  }

  /** The worktree path a task gets. */
  pathFor(taskId: string): string {
    return join(this.deps.worktreesDir, taskId);
  }

  /**
   * Creates the task's worktree on a fresh branch from the base branch: `baseBranch`, else
   * `origin`'s default branch, else the repository's current branch. The base is fetched from
   * `origin` first when there is one. The branch is `branch` when given, else `taskBranchName`. An
   * existing branch of the same name (a retried task) is reset. `signal` stops the fetch.
   */
  async create(
    repoRoot: string,
    taskId: string,
    title: string,
    baseBranch?: string,
    branch?: string,
    signal?: AbortSignal,
  ): Promise<Worktree> {
    if (baseBranch !== undefined) checkedBranch(baseBranch, 'base branch');
    const name = checkedBranch(branch ?? taskBranchName(taskId, title), 'task branch');
    const startPoint = await untilAborted(this.freshStartPoint(repoRoot, baseBranch), signal);
    return this.materialize(repoRoot, taskId, name, startPoint, signal);
  }

  /**
   * The task's worktree at `startPoint` on `branch` (made or reset). Only git's worktree
   * bookkeeping holds the repository's lock; checking out the files (seconds on a large
   * repository) does not, so other tasks' git goes on meanwhile. A finished worktree of the
   * repository is reused when one waits (see `release`), else one is added.
   */
  private async materialize(
    repoRoot: string,
    taskId: string,
    branch: string,
    startPoint: string,
    signal: AbortSignal | undefined,
  ): Promise<Worktree> {
    mkdirSync(this.deps.worktreesDir, { recursive: true, mode: 0o700 });
    const path = this.pathFor(taskId);
    const reused = await this.locked(
      repoRoot,
      async () => {
        if (existsSync(path)) this.discardLater(await this.detachUnlocked(repoRoot, path));
        const idle = await this.takeIdleUnlocked(repoRoot, path);
        if (idle === undefined)
          await this.run(repoRoot, ['worktree', 'add', '--quiet', '--no-checkout', '--detach', '--', path, startPoint]);
        return idle;
      },
      signal,
    );
    try {
      // --force: the files become the start point's, whatever the worktree held (a reused one, or
      // none yet); --no-track: the branch must not write upstream config (a shared file).
      await git(['checkout', '--quiet', '--force', '--no-track', '-B', branch, startPoint], {
        cwd: path,
        env: this.deps.env,
        timeoutMs: CHECKOUT_TIMEOUT_MS,
        signal,
      });
      if (reused !== undefined) await this.clean(path, this.reuseOf(repoRoot).keep, signal);
    } catch (error) {
      await this.remove(repoRoot, path).catch(() => undefined);
      throw error;
    }
    return { path, branch, base: startPoint, ...(reused === undefined ? {} : { reused }) };
  }

  /**
   * Removes from a worktree every file git does not track (ignored ones too, and repositories in
   * it), but for the folders `keep` names: what an earlier task left is gone.
   */
  async clean(path: string, keep: readonly string[], signal?: AbortSignal): Promise<void> {
    await git(['clean', '-ffdxq', ...keep.map((pattern) => `--exclude=${pattern}`)], {
      cwd: path,
      env: this.deps.env,
      timeoutMs: CHECKOUT_TIMEOUT_MS,
      signal,
    });
  }

  private reuseOf(repoRoot: string): WorktreeReuse {
    return this.deps.reuse?.(repoRoot) ?? { idle: 0, keep: [] };
  }

  /** Where the finished worktrees of `repoRoot` wait. */
  private poolFor(repoRoot: string): string {
    const dir = this.deps.poolDir ?? join(dirname(this.deps.worktreesDir), 'worktree-pool');
    return join(dir, createHash('sha256').update(repoRoot).digest('hex').slice(0, 24));
  }

  /**
   * Moves a waiting worktree of `repoRoot` to `path` (`git worktree move`: a rename and git's
   * bookkeeping), with the setup key it was parked with; undefined when none waits. One git cannot
   * move (a submodule in it, a folder git lost) is discarded.
   */
  private async takeIdleUnlocked(
    repoRoot: string,
    path: string,
  ): Promise<{ readonly setupKey: string | undefined } | undefined> {
    const pool = this.poolFor(repoRoot);
    if (!existsSync(pool)) return undefined;
    for (const entry of readdirSync(pool).filter((name) => !name.endsWith('.json'))) {
      const parked = join(pool, entry);
      const meta = `${parked}.json`;
      let setupKey: string | undefined;
      try {
        const recorded: unknown = JSON.parse(readFileSync(meta, 'utf8'));
        if (typeof recorded === 'object' && recorded !== null && 'setupKey' in recorded)
          setupKey = typeof recorded.setupKey === 'string' ? recorded.setupKey : undefined;
      } catch {
        setupKey = undefined;
      }
      rmSync(meta, { force: true });
      try {
        await this.run(repoRoot, ['worktree', 'move', '--', parked, path]);
        return { setupKey };
      } catch {
        this.discardLater(await this.detachUnlocked(repoRoot, parked));
      }
    }
    return undefined;
  }

  /**
   * A task is over with its worktree: it waits for the repository's next task (detached, so its
   * branch can go, with the setup key its dependency folders were made under) while fewer than
   * `[workspace] idle_worktrees` wait; else it is removed. `deleteBranch` goes too, with its
   * remote-tracking copy, as `deleteBranch` would delete it. Answers whether the worktree was kept,
   * and whether the branch was settled here (deleted, or kept because a worktree has it checked out).
   */
  async release(
    repoRoot: string,
    path: string,
    options: { readonly setupKey?: string | undefined; readonly deleteBranch?: string | undefined } = {},
  ): Promise<{ kept: boolean; branchSettled: boolean }> {
    const { setupKey, deleteBranch: branch } = options;
    if (branch !== undefined) checkedBranch(branch, 'branch');
    const { idle } = this.reuseOf(repoRoot);
    let kept = false;
    let deleted = false;
    if (idle > 0 && existsSync(path)) {
      try {
        // Detached at its commit (HEAD only, no checkout): its branch is free to be deleted or
        // taken. The branch goes in the same git process, in a second transaction (git refuses to
        // move HEAD and delete the branch it names in one), when this worktree alone has it
        // checked out; else `deleteBranch` below decides.
        const alone =
          branch !== undefined &&
          this.worktreeBranch(path) === `refs/heads/${branch}` &&
          (await this.checkedOutBranches(repoRoot, path))?.has(`refs/heads/${branch}`) === false;
        const deletes = alone
          ? `start\ndelete refs/heads/${branch}\ndelete refs/remotes/origin/${branch}\ncommit\n`
          : '';
        await git(['update-ref', '--stdin'], {
          cwd: path,
          env: this.deps.env,
          input: `start\noption no-deref\nupdate HEAD HEAD\ncommit\n${deletes}`,
        });
        deleted = alone;
        kept = await this.locked(repoRoot, async () => {
          const pool = this.poolFor(repoRoot);
          mkdirSync(pool, { recursive: true, mode: 0o700 });
          if (readdirSync(pool).filter((name) => !name.endsWith('.json')).length >= idle) return false;
          const parked = join(pool, basename(path));
          await this.run(repoRoot, ['worktree', 'move', '--', path, parked]);
          writeFileSync(`${parked}.json`, JSON.stringify({ setupKey }), { mode: 0o600 });
          return true;
        });
      } catch {
        // Not reusable (a submodule, a broken HEAD): removed below.
      }
    }
    if (!kept) await this.remove(repoRoot, path);
    if (branch === undefined) return { kept, branchSettled: false };
    if (!deleted) await this.deleteBranch(repoRoot, branch);
    return { kept, branchSettled: true };
  }

  /** A worktree's own git directory (its `.git` file names it, absolutely or relative to the worktree). */
  private worktreeGitDir(path: string): string | undefined {
    try {
      const gitFile = readFileSync(join(path, '.git'), 'utf8').trim();
      return gitFile.startsWith('gitdir: ') ? resolve(path, gitFile.slice('gitdir: '.length)) : undefined;
    } catch {
      return undefined;
    }
  }

  /** The branch a worktree has checked out (`refs/heads/…`), read from its HEAD file; undefined when detached or unreadable. */
  private worktreeBranch(path: string): string | undefined {
    const gitDir = this.worktreeGitDir(path);
    if (gitDir === undefined) return undefined;
    try {
      const head = readFileSync(join(gitDir, 'HEAD'), 'utf8').trim();
      return head.startsWith('ref: refs/heads/') ? head.slice('ref: '.length) : undefined;
    } catch {
      return undefined;
    }
  }

  /**
   * The ref a new task branch starts from: `origin/<base>` fetched just now, or within
   * `baseFetchIntervalMs` for an earlier task of the same repository; `<base>` without an origin.
   */
  private freshStartPoint(repoRoot: string, baseBranch: string | undefined): Promise<string> {
    // Shared by the tasks that start together: no one task's abort stops it (each stops waiting).
    return this.fresh(this.freshBases, `${repoRoot}\0${baseBranch ?? ''}`, () =>
      this.fetchStartPoint(repoRoot, baseBranch, undefined),
    );
  }

  /** Finds the base (asked for, else origin's default, else the current branch) and fetches it. */
  private async fetchStartPoint(
    repoRoot: string,
    baseBranch: string | undefined,
    signal: AbortSignal | undefined,
  ): Promise<string> {
    const hasOrigin = (await this.run(repoRoot, ['remote'])).split('\n').includes('origin');
    const base = checkedBranch(baseBranch ?? (await this.findDefaultBranch(repoRoot, hasOrigin)), 'base branch');
    let startPoint = base;
    if (hasOrigin) {
      // A full refspec: whatever the name, git reads it as a refspec, never as an option.
      await this.runRemote(
        repoRoot,
        repoRoot,
        'fetch',
        ['fetch', '--quiet', '--no-write-fetch-head', 'origin', `+refs/heads/${base}:refs/remotes/origin/${base}`],
        signal,
      );
      startPoint = `origin/${base}`;
    }
    return startPoint;
  }

  /**
   * `load`'s answer for `key`, kept for `baseFetchIntervalMs` (a repository's base and origin do not
   * change under the tasks that start together). Timed from when it was asked, not answered.
   */
  private fresh<T>(
    cache: Map<string, { readonly at: number; readonly value: Promise<T> }>,
    key: string,
    load: () => Promise<T>,
  ): Promise<T> {
    const now = (this.deps.nowMs ?? Date.now)();
    const known = cache.get(key);
    if (known !== undefined && now - known.at < (this.deps.baseFetchIntervalMs ?? 2000)) return known.value;
    // Callers that ask while it loads share the load (tasks that start together share one fetch).
    const value = load();
    const entry = { at: now, value };
    cache.set(key, entry);
    value.catch(() => {
      if (cache.get(key) === entry) cache.delete(key);
    });
    return value;
  }

  /**
   * A worktree on an existing remote branch (a pull request's head, or a task branch pushed
   * before a restart), checked out as a local branch of the same name. `signal` stops the fetch.
   */
  async checkoutRemoteBranch(
    repoRoot: string,
    taskId: string,
    branch: string,
    signal?: AbortSignal,
  ): Promise<Worktree> {
    checkedBranch(branch, 'branch');
    // Fetches of different branches run side by side: each locks only its own ref.
    await this.runRemote(
      repoRoot,
      repoRoot,
      'fetch',
      ['fetch', '--quiet', '--no-write-fetch-head', 'origin', `+refs/heads/${branch}:refs/remotes/origin/${branch}`],
      signal,
    );
    return this.materialize(repoRoot, taskId, branch, `origin/${branch}`, signal);
  }

  /**
   * The task's worktree on its own local branch as it is (a change held for approval before its
   * push: the branch is its only copy). A branch that is gone is a NOT_FOUND naming it.
   */
  async checkoutLocalBranch(repoRoot: string, taskId: string, branch: string, signal?: AbortSignal): Promise<Worktree> {
    checkedBranch(branch, 'branch');
    const commit = await this.run(repoRoot, [
      'rev-parse',
      '--verify',
      '--quiet',
      `refs/heads/${branch}^{commit}`,
    ]).catch(() => undefined);
    if (commit === undefined || commit === '')
      throw new AppError(
        'NOT_FOUND',
        `branch ${branch} is not in ${repoRoot} here: a change held before its push lives only in the clone of the server that held it (in a fleet, that server must run it), or the branch was deleted`,
      );
    return this.materialize(repoRoot, taskId, branch, commit, signal);
  }

  /** The commit checked out in a worktree. */
  head(worktreePath: string): Promise<string> {
    return this.run(worktreePath, ['rev-parse', 'HEAD']);
  }

  /**
   * The URL of `origin`, or undefined when the repository has none. Asked twice per task (its
   * GitHub repository, then whether to push): kept for `baseFetchIntervalMs`, like the base.
   */
  async originUrl(repoRoot: string): Promise<string | undefined> {
    return this.fresh(this.origins, repoRoot, () =>
      this.run(repoRoot, ['remote', 'get-url', 'origin']).catch(() => undefined),
    );
  }

  /**
   * Pushes the worktree's HEAD to `branch` on `origin`. `force` is for branches Harness owns (a
   * retried task rebuilds its branch); a pull request's own branch is never force-pushed.
   * `signal` ends the push (and the remote's hooks it runs) at once.
   */
  async push(
    repoRoot: string,
    worktreePath: string,
    branch: string,
    force: boolean,
    signal?: AbortSignal,
  ): Promise<void> {
    checkedBranch(branch, 'branch');
    // Outside the repository's lock: a push writes only its own branch's refs.
    await this.runRemote(
      repoRoot,
      worktreePath,
      'push',
      ['push', '--quiet', '--no-verify', ...(force ? ['--force'] : []), 'origin', `HEAD:refs/heads/${branch}`],
      signal,
    );
  }

  /**
   * The commit `branch` points at on `origin` (asked of origin now, `git ls-remote`), or undefined
   * when origin has no such branch or the repository has no origin. Throws when origin cannot be
   * asked: then nobody knows, and the caller must not assume the branch is absent.
   */
  async remoteBranch(repoRoot: string, branch: string): Promise<string | undefined> {
    checkedBranch(branch, 'branch');
    if ((await this.originUrl(repoRoot)) === undefined) return undefined;
    const listed = await this.runRemote(
      repoRoot,
      repoRoot,
      'fetch',
      ['ls-remote', '--heads', 'origin', `refs/heads/${branch}`],
      undefined,
    );
    const line = listed.split('\n').find((l) => l.endsWith(`\trefs/heads/${branch}`));
    return line?.split('\t')[0];
  }

  /**
   * Deletes a task's local branch and its remote-tracking copy (`origin/<branch>`, left by its fetch
   * or push): origin holds what was pushed, and refs kept for every task would slow every fetch and
   * push. Missing is fine.
   */
  async deleteBranch(repoRoot: string, branch: string): Promise<void> {
    checkedBranch(branch, 'branch');
    return this.locked(repoRoot, async () => {
      // A branch some worktree has checked out (the user's own checkout, say) stays.
      const checkedOut = (await this.checkedOutBranches(repoRoot))?.has(`refs/heads/${branch}`) ?? true;
      // One transaction; a ref that is not there is no error.
      const refs = [...(checkedOut ? [] : [`refs/heads/${branch}`]), `refs/remotes/origin/${branch}`];
      await git(['update-ref', '--stdin'], {
        cwd: repoRoot,
        env: this.deps.env,
        input: refs.map((ref) => `delete ${ref}\n`).join(''),
      }).catch(() => undefined);
    });
  }

  /**
   * The branches the repository's worktrees (its main one too) have checked out, but `except`'s,
   * read from their HEAD files as `git worktree list` does, without a process; asked of git when a
   * HEAD is not a plain file (the reftable format). Undefined when neither can tell.
   */
  private async checkedOutBranches(repoRoot: string, except?: string): Promise<Set<string> | undefined> {
    const same = (a: string, b: string | undefined): boolean => {
      try {
        return b !== undefined && realpathSync(a) === realpathSync(b);
      } catch {
        return false;
      }
    };
    try {
      const commonDir = await this.commonDir(repoRoot);
      const worktrees = join(commonDir, 'worktrees');
      const gitDirs = [
        commonDir,
        ...(existsSync(worktrees) ? readdirSync(worktrees).map((n) => join(worktrees, n)) : []),
      ];
      const skipped = except === undefined ? undefined : this.worktreeGitDir(except);
      const branches = new Set<string>();
      for (const gitDir of gitDirs) {
        if (same(gitDir, skipped)) continue;
        const head = join(gitDir, 'HEAD');
        const text = existsSync(head) ? readFileSync(head, 'utf8').trim() : '';
        if (text === 'ref: refs/heads/.invalid') throw new Error('reftable');
        if (text.startsWith('ref: ')) branches.add(text.slice('ref: '.length));
      }
      return branches;
    } catch {
      const listed = await this.run(repoRoot, ['worktree', 'list', '--porcelain']).catch(() => undefined);
      if (listed === undefined) return undefined;
      const branches = new Set<string>();
      for (const block of listed.split('\n\n')) {
        const lines = block.split('\n');
        const worktree = lines.find((line) => line.startsWith('worktree '))?.slice('worktree '.length);
        const ref = lines.find((line) => line.startsWith('branch '))?.slice('branch '.length);
        if (ref !== undefined && !(except !== undefined && worktree !== undefined && same(worktree, except)))
          branches.add(ref);
      }
      return branches;
    }
  }

  /** Lets the repository forget worktrees whose folders are gone (after a crash). */
  prune(repoRoot: string): Promise<void> {
    return this.locked(repoRoot, async () => {
      await this.run(repoRoot, ['worktree', 'prune']);
    });
  }

  /** The change of the worktree against `base` (`git diff base...HEAD`), cut at `maxChars`. */
  async diff(worktreePath: string, base: string, maxChars: number, signal?: AbortSignal): Promise<string> {
    return cutDiff(
      await this.run(worktreePath, [...DIFF_ARGS, '--stat', '--patch', ...diffRange(base)], signal),
      maxChars,
    );
  }

  /** Files and lines the worktree's commits changed against `base` (`git diff --numstat base...HEAD`). */
  async diffStat(worktreePath: string, base: string, signal?: AbortSignal): Promise<DiffStat> {
    return parseNumstat(await this.run(worktreePath, [...DIFF_ARGS, '--numstat', '-z', ...diffRange(base)], signal));
  }

  /**
   * `diffStat` and `diff` from one git process (a commit reads both). When the change is past what
   * git may print, the stat alone, without the patch.
   */
  async diffWithStat(
    worktreePath: string,
    base: string,
    maxChars: number,
    signal?: AbortSignal,
  ): Promise<{ readonly stat: DiffStat; readonly patch: string | undefined }> {
    let output: string;
    try {
      output = await this.run(
        worktreePath,
        [...DIFF_ARGS, '--numstat', '-z', '--stat', '--patch', ...diffRange(base)],
        signal,
      );
    } catch (error) {
      if (signal?.aborted === true) throw error;
      return { stat: await this.diffStat(worktreePath, base, signal), patch: undefined };
    }
    const { stat, end } = readNumstat(output);
    // With -z, the stat and the patch are parted by a NUL where `git diff` prints a blank line.
    const rest = output.slice(end).trimStart();
    const parting = rest.indexOf('\0');
    const patch = parting === -1 ? rest : `${rest.slice(0, parting)}\n${rest.slice(parting + 1)}`;
    return { stat, patch: cutDiff(patch, maxChars) };
  }

  /** The branch tasks start from when a project names none: origin's default, else the current one. */
  async defaultBranch(repoRoot: string): Promise<string> {
    const hasOrigin = (await this.run(repoRoot, ['remote'])).split('\n').includes('origin');
    return this.findDefaultBranch(repoRoot, hasOrigin);
  }

  private async findDefaultBranch(repoRoot: string, hasOrigin: boolean): Promise<string> {
    if (hasOrigin) {
      try {
        const head = await this.run(repoRoot, ['symbolic-ref', '--quiet', '--short', 'refs/remotes/origin/HEAD']);
        if (head.startsWith('origin/')) return head.slice('origin/'.length);
      } catch {
        // origin/HEAD is not set in every clone; fall back to the current branch.
      }
    }
    return this.run(repoRoot, ['rev-parse', '--abbrev-ref', 'HEAD']);
  }

  /**
   * Commits everything changed in the worktree of `repoRoot`. Returns the commit id, or undefined
   * when nothing changed.
   */
  /**
   * Starts a new worktree with files and patches (a GC draft's artifacts): the files are written
   * (confined, symlinks never followed), then each patch is checked and applied with `git apply`.
   */
  async seed(
    path: string,
    seed: { readonly files: readonly SeedFileInput[]; readonly patches: readonly string[] },
  ): Promise<void> {
    writeSeedFiles(path, seed.files);
    for (const patch of seed.patches) {
      patchPaths(patch);
      await withPatchFile(patch, (file) => this.run(path, ['apply', '--whitespace=nowarn', '--', file]));
    }
  }

  /** `signal` ends the commit's git (and the filters it runs) at once. */
  async commitAll(repoRoot: string, path: string, message: string, signal?: AbortSignal): Promise<string | undefined> {
    // Filters (`git add` runs clean filters) come from config: the recorded one, not a planted one.
    await this.restoreSharedState(repoRoot);
    // Outside the repository's lock: a commit writes only its worktree's index and its own branch.
    return this.commitUnlocked(repoRoot, path, message, signal);
  }

  private async commitUnlocked(
    repoRoot: string,
    path: string,
    message: string,
    signal: AbortSignal | undefined,
  ): Promise<string | undefined> {
    await this.refuseNestedRepositories(path, signal);
    await this.run(path, ['add', '--all'], signal);
    const identity = (await this.hasCommitIdentity(repoRoot, path)) ? [] : FALLBACK_IDENTITY;
    try {
      // No automatic maintenance after the commit: it is a process more on every task, and the
      // fetch before each task (at most every `baseFetchIntervalMs`) runs it for the repository.
      await this.run(
        path,
        [...identity, '-c', 'maintenance.auto=false', 'commit', '--quiet', '--no-verify', '-m', message],
        signal,
      );
    } catch (error) {
      // Nothing staged is an answer, not a failure; asked only then, so a commit costs one process less.
      const nothingStaged = await this.run(path, ['diff', '--cached', '--quiet']).then(
        () => true,
        () => false,
      );
      if (nothingStaged) return undefined;
      throw error;
    }
    return (await this.committedHead(repoRoot, path)) ?? this.run(path, ['rev-parse', 'HEAD'], signal);
  }

  /**
   * The commit a worktree's branch points at, read from the files git just wrote (the worktree's
   * HEAD names its branch, the commit updated the branch's loose ref), without a process; undefined
   * when they do not tell (a packed or reftable ref, a detached HEAD), and then git is asked.
   */
  private async committedHead(repoRoot: string, path: string): Promise<string | undefined> {
    try {
      const branch = this.worktreeBranch(path);
      if (branch === undefined || !isSafeBranchName(branch.slice('refs/heads/'.length))) return undefined;
      const commit = readFileSync(join(await this.commonDir(repoRoot), branch), 'utf8').trim();
      return /^(?:[0-9a-f]{40}|[0-9a-f]{64})$/.test(commit) ? commit : undefined;
    } catch {
      return undefined;
    }
  }

  /** Refuses to commit a worktree that holds a git repository the agent made (see `nestedRepositories`). */
  private async refuseNestedRepositories(path: string, signal: AbortSignal | undefined): Promise<void> {
    // One listing of both: untracked paths, tagged `?`, and index entries with their modes (a
    // submodule's is 160000). The tag comes before anything a file's name can hold.
    const listed = await this.run(
      path,
      ['ls-files', '-z', '-t', '--stage', '--others', '--exclude-standard', '--directory'],
      signal,
    );
    const untracked: string[] = [];
    const submodules: string[] = [];
    for (const entry of listed.split('\0')) {
      const body = entry.slice(2);
      if (entry.startsWith('? ')) untracked.push(body);
      else if (body.startsWith('160000 ')) submodules.push(body.slice(body.indexOf('\t') + 1));
    }
    const nested = nestedRepositories(path, untracked, submodules);
    if (nested.length > 0)
      throw new AppError(
        'GIT_FAILED',
        `refused to commit: the worktree holds a git repository that the agent or a command made (${nested.join(', ')}); Harness's git would run its config. Remove it, or ignore it in .gitignore`,
      );
  }

  /**
   * Whether git has a committer identity of its own for this worktree (else Harness's fallback is
   * used). Asked once per repository: the answer does not change under a running server.
   */
  private async hasCommitIdentity(repoRoot: string, path: string): Promise<boolean> {
    const known = this.commitIdentities.get(repoRoot);
    if (known !== undefined) return known;
    const has = await this.run(path, ['config', 'user.email']).then(
      (email) => email !== '',
      () => false,
    );
    this.commitIdentities.set(repoRoot, has);
    return has;
  }

  /**
   * Removes a worktree (its branch stays). Works even when git has lost track of it. Under the
   * repository's lock the folder is only moved aside and git forgets it; its files (a large
   * repository's, with its dependencies) are deleted after, without holding up other tasks' git.
   */
  async remove(repoRoot: string, path: string): Promise<void> {
    const aside = await this.locked(repoRoot, () => this.detachUnlocked(repoRoot, path));
    await discard(aside);
  }

  /**
   * Moves a worktree's folder aside (to the trash beside `worktreesDir`) and lets the repository
   * forget it; answers where it went, for `discard`, or undefined when it was not there.
   */
  private async detachUnlocked(repoRoot: string, path: string): Promise<string | undefined> {
    const trash = this.trashDir();
    mkdirSync(trash, { recursive: true, mode: 0o700 });
    const aside = join(trash, randomUUID());
    let moved: string | undefined;
    try {
      renameSync(path, aside);
      moved = aside;
    } catch {
      // Not there, or on another device: git removes it itself.
      await this.run(repoRoot, ['worktree', 'remove', '--force', '--', path]).catch(() => {
        rmSync(path, { recursive: true, force: true });
      });
    }
    await this.run(repoRoot, ['worktree', 'prune']).catch(() => undefined);
    return moved;
  }

  /** Deletes what was moved aside, in the background (its errors only leave trash for the next sweep). */
  private discardLater(aside: string | undefined): void {
    void discard(aside);
  }

  private trashDir(): string {
    return join(dirname(this.deps.worktreesDir), 'worktree-trash');
  }

  /**
   * Removes the worktrees of this manager (under `worktreesDir`) that a repository still has
   * registered, e.g. after a crash, except those of `keepTaskIds`; then lets git forget them.
   */
  removeStaleWorktrees(repoRoot: string, keepTaskIds: ReadonlySet<string> = new Set()): Promise<string[]> {
    return this.locked(repoRoot, async () => {
      const listed = await this.run(repoRoot, ['worktree', 'list', '--porcelain']);
      const paths = listed
        .split('\n')
        .flatMap((line) => (line.startsWith('worktree ') ? [line.slice('worktree '.length)] : []));
      // git lists real paths; the configured folder may be reached through a symlink.
      const dir = existsSync(this.deps.worktreesDir) ? realpathSync(this.deps.worktreesDir) : this.deps.worktreesDir;
      const pool = existsSync(this.poolFor(repoRoot)) ? realpathSync(this.poolFor(repoRoot)) : undefined;
      const ours = paths.filter(
        (p) =>
          (p.startsWith(`${dir}/`) && !keepTaskIds.has(p.slice(dir.length + 1))) ||
          (pool !== undefined && p.startsWith(`${pool}/`)),
      );
      for (const path of ours) this.discardLater(await this.detachUnlocked(repoRoot, path));
      if (pool !== undefined) rmSync(pool, { recursive: true, force: true });
      await this.run(repoRoot, ['worktree', 'prune']);
      return ours;
    });
  }

  /**
   * Removes every worktree folder that no live task owns (left by a crash), and lets each
   * repository forget them. Returns the removed paths.
   */
  async sweepOrphans(
    repoRoots: readonly string[],
    liveTaskIds: ReadonlySet<string>,
    beforeRemove: (path: string) => Promise<void> = () => Promise.resolve(),
  ): Promise<string[]> {
    // What a crash left moved aside but not yet deleted.
    await rm(this.trashDir(), { recursive: true, force: true });
    if (!existsSync(this.deps.worktreesDir)) return [];
    const removed: string[] = [];
    for (const entry of readdirSync(this.deps.worktreesDir)) {
      if (liveTaskIds.has(entry)) continue;
      const path = join(this.deps.worktreesDir, entry);
      await beforeRemove(path);
      rmSync(path, { recursive: true, force: true });
      removed.push(path);
    }
    for (const root of repoRoots) await this.run(root, ['worktree', 'prune']).catch(() => undefined);
    return removed;
  }
}

/** Deletes a folder moved aside; never throws (what stays is swept at the next start). */
async function discard(aside: string | undefined): Promise<void> {
  if (aside !== undefined) await rm(aside, { recursive: true, force: true }).catch(() => undefined);
}

/** What a git operation of a stopped task answers when it never ran. */
function stoppedError(): AppError {
  return new AppError('GIT_FAILED', 'git was not run: its task was stopped');
}

/** `work`'s answer, or the stopped error as soon as `signal` aborts (work goes on, unawaited). */
function untilAborted<T>(work: Promise<T>, signal: AbortSignal | undefined): Promise<T> {
  if (signal === undefined) return work;
  if (signal.aborted) return Promise.reject(stoppedError());
  return new Promise<T>((resolve, reject) => {
    const onAbort = (): void => {
      reject(stoppedError());
    };
    signal.addEventListener('abort', onAbort, { once: true });
    work.then(
      (value) => {
        signal.removeEventListener('abort', onAbort);
        resolve(value);
      },
      (error: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(error instanceof Error ? error : new Error(String(error)));
      },
    );
  });
}

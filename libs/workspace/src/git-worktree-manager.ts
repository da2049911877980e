import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, isAbsolute, join, resolve } from 'node:path';
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
}

/** @public */
export interface GitWorktreeManagerDeps {
  /** Folder holding one worktree per task (under `data_dir`). */
  readonly worktreesDir: string;
  /** Environment git's is derived from: only an allow-list reaches git (no secrets). */
  readonly env: Readonly<Record<string, string | undefined>>;
  /**
   * A GitHub token for fetching from and pushing to `origin` over HTTPS on these hosts (e.g.
   * github.com), handed to that one git process through a credential helper; never to hooks.
   */
  readonly credentials?: { readonly token: string; readonly hosts: readonly string[] } | undefined;
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
}

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

/**
 * The git config a fetch or push to `url` runs with: the token's credential helper when the URL is
 * HTTPS on one of the token's hosts, else nothing (ssh and local remotes use their own means).
 * @public
 */
export function remoteCredentialConfig(
  url: string | undefined,
  credentials: GitWorktreeManagerDeps['credentials'],
): { config: string[]; extraEnv: Record<string, string> } | undefined {
  if (url === undefined || credentials === undefined) return undefined;
  let host: string | undefined;
  try {
    const parsed = new URL(url);
    host = parsed.protocol === 'https:' ? parsed.hostname : undefined;
  } catch {
    // scp-style (git@host:owner/repo) and paths are not URLs.
  }
  if (host === undefined || !credentials.hosts.includes(host)) return undefined;
  return { config: [...CREDENTIAL_CONFIG], extraEnv: { HARNESS_GIT_TOKEN: credentials.token } };
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

/** Reads `git diff --numstat -z` output: `added<TAB>deleted<TAB>path<NUL>` per file, `-` for binary. */
export function parseNumstat(output: string): DiffStat {
  const files: DiffStatFile[] = [];
  for (const record of output.split('\0')) {
    const match = /^(\d+|-)\t(\d+|-)\t([\s\S]+)$/.exec(record);
    if (match?.[1] === undefined || match[2] === undefined || match[3] === undefined) continue;
    const count = (value: string): number | null => (value === '-' ? null : Number(value));
    files.push({ path: match[3], insertions: count(match[1]), deletions: count(match[2]) });
  }
  return {
    files,
    insertions: files.reduce((sum, f) => sum + (f.insertions ?? 0), 0),
    deletions: files.reduce((sum, f) => sum + (f.deletions ?? 0), 0),
  };
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
  private readonly freshBases = new Map<string, { readonly at: number; readonly value: string }>();
  /** Per repository: its `origin` URL, and when it was read (see originUrl). */
  private readonly origins = new Map<string, { readonly at: number; readonly value: string | undefined }>();
  /** Per repository: whether git has a committer identity (see hasCommitIdentity). */
  private readonly commitIdentities = new Map<string, boolean>();

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
    const credential = remoteCredentialConfig(url, this.deps.credentials);
    return git(args, { cwd, env: this.deps.env, timeoutMs: 120_000, signal, ...credential });
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
      const commonDir = await this.run(repoRoot, ['rev-parse', '--git-common-dir']);
      const state = SharedGitState.capture(isAbsolute(commonDir) ? commonDir : resolve(repoRoot, commonDir));
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
  create(
    repoRoot: string,
    taskId: string,
    title: string,
    baseBranch?: string,
    branch?: string,
    signal?: AbortSignal,
  ): Promise<Worktree> {
    return this.locked(
      repoRoot,
      () => this.createUnlocked(repoRoot, taskId, title, baseBranch, branch, signal),
      signal,
    );
  }

  private async createUnlocked(
    repoRoot: string,
    taskId: string,
    title: string,
    baseBranch: string | undefined,
    branchName: string | undefined,
    signal: AbortSignal | undefined,
  ): Promise<Worktree> {
    mkdirSync(this.deps.worktreesDir, { recursive: true, mode: 0o700 });
    if (baseBranch !== undefined) checkedBranch(baseBranch, 'base branch');
    const startPoint = await this.freshStartPoint(repoRoot, baseBranch, signal);
    const path = this.pathFor(taskId);
    if (existsSync(path)) await this.removeUnlocked(repoRoot, path);
    const branch = checkedBranch(branchName ?? taskBranchName(taskId, title), 'task branch');
    // --no-track: the task branch must not write upstream config (a shared file) or follow the base.
    await this.run(repoRoot, ['worktree', 'add', '--quiet', '--no-track', '-B', branch, '--', path, startPoint]);
    return { path, branch, base: startPoint };
  }

  /**
   * The ref a new task branch starts from: `origin/<base>` fetched just now, or within
   * `baseFetchIntervalMs` for an earlier task of the same repository; `<base>` without an origin.
   */
  private freshStartPoint(
    repoRoot: string,
    baseBranch: string | undefined,
    signal: AbortSignal | undefined,
  ): Promise<string> {
    return this.fresh(this.freshBases, `${repoRoot}\0${baseBranch ?? ''}`, () =>
      this.fetchStartPoint(repoRoot, baseBranch, signal),
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
        ['fetch', '--quiet', 'origin', `+refs/heads/${base}:refs/remotes/origin/${base}`],
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
  private async fresh<T>(
    cache: Map<string, { readonly at: number; readonly value: T }>,
    key: string,
    load: () => Promise<T>,
  ): Promise<T> {
    const now = (this.deps.nowMs ?? Date.now)();
    const known = cache.get(key);
    if (known !== undefined && now - known.at < (this.deps.baseFetchIntervalMs ?? 2000)) return known.value;
    const value = await load();
    cache.set(key, { at: now, value });
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
    return this.locked(
      repoRoot,
      async () => {
        mkdirSync(this.deps.worktreesDir, { recursive: true, mode: 0o700 });
        await this.runRemote(
          repoRoot,
          repoRoot,
          'fetch',
          ['fetch', '--quiet', 'origin', `+refs/heads/${branch}:refs/remotes/origin/${branch}`],
          signal,
        );
        const path = this.pathFor(taskId);
        if (existsSync(path)) await this.removeUnlocked(repoRoot, path);
        await this.run(repoRoot, [
          'worktree',
          'add',
          '--quiet',
          '--no-track',
          '-B',
          branch,
          '--',
          path,
          `origin/${branch}`,
        ]);
        return { path, branch, base: `origin/${branch}` };
      },
      signal,
    );
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
    return this.locked(
      repoRoot,
      async () => {
        await this.runRemote(
          repoRoot,
          worktreePath,
          'push',
          ['push', '--quiet', '--no-verify', ...(force ? ['--force'] : []), 'origin', `HEAD:refs/heads/${branch}`],
          signal,
        );
      },
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
    const listed = await this.locked(repoRoot, () =>
      this.runRemote(
        repoRoot,
        repoRoot,
        'fetch',
        ['ls-remote', '--heads', 'origin', `refs/heads/${branch}`],
        undefined,
      ),
    );
    const line = listed.split('\n').find((l) => l.endsWith(`\trefs/heads/${branch}`));
    return line?.split('\t')[0];
  }

  /** Deletes a local branch of the repository (a task's that never got a commit); missing is fine. */
  async deleteBranch(repoRoot: string, branch: string): Promise<void> {
    checkedBranch(branch, 'branch');
    return this.locked(repoRoot, async () => {
      await this.run(repoRoot, ['branch', '--quiet', '-D', '--', branch]).catch(() => undefined);
    });
  }

  /** Lets the repository forget worktrees whose folders are gone (after a crash). */
  prune(repoRoot: string): Promise<void> {
    return this.locked(repoRoot, async () => {
      await this.run(repoRoot, ['worktree', 'prune']);
    });
  }

  /** The change of the worktree against `base` (`git diff base...HEAD`), cut at `maxChars`. */
  async diff(worktreePath: string, base: string, maxChars: number, signal?: AbortSignal): Promise<string> {
    // No external diff or textconv programs: they come from config a task could have written.
    const text = await this.run(
      worktreePath,
      [
        'diff',
        '--no-color',
        '--no-ext-diff',
        '--no-textconv',
        '--stat',
        '--patch',
        `${checkedBranch(base, 'base')}...HEAD`,
        '--',
      ],
      signal,
    );
    return text.length <= maxChars ? text : `${text.slice(0, maxChars)}\n… diff cut at ${String(maxChars)} characters`;
  }

  /** Files and lines the worktree's commits changed against `base` (`git diff --numstat base...HEAD`). */
  async diffStat(worktreePath: string, base: string, signal?: AbortSignal): Promise<DiffStat> {
    const output = await this.run(
      worktreePath,
      [
        'diff',
        '--numstat',
        '-z',
        '--no-renames',
        '--no-color',
        '--no-ext-diff',
        '--no-textconv',
        `${checkedBranch(base, 'base')}...HEAD`,
        '--',
      ],
      signal,
    );
    return parseNumstat(output);
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
      await this.run(path, [...identity, 'commit', '--quiet', '--no-verify', '-m', message], signal);
    } catch (error) {
      // Nothing staged is an answer, not a failure; asked only then, so a commit costs one process less.
      const nothingStaged = await this.run(path, ['diff', '--cached', '--quiet']).then(
        () => true,
        () => false,
      );
      if (nothingStaged) return undefined;
      throw error;
    }
    return this.run(path, ['rev-parse', 'HEAD'], signal);
  }

  /** Refuses to commit a worktree that holds a git repository the agent made (see `nestedRepositories`). */
  private async refuseNestedRepositories(path: string, signal: AbortSignal | undefined): Promise<void> {
    const untracked = (
      await this.run(path, ['ls-files', '-z', '--others', '--exclude-standard', '--directory'], signal)
    )
      .split('\0')
      .filter((p) => p !== '');
    const submodules = (await this.run(path, ['ls-files', '-z', '--stage'], signal))
      .split('\0')
      .flatMap((line) => (line.startsWith('160000 ') ? [line.slice(line.indexOf('\t') + 1)] : []));
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

  /** Removes a worktree (its branch stays). Works even when git has lost track of it. */
  remove(repoRoot: string, path: string): Promise<void> {
    return this.locked(repoRoot, () => this.removeUnlocked(repoRoot, path));
  }

  private async removeUnlocked(repoRoot: string, path: string): Promise<void> {
    try {
      await this.run(repoRoot, ['worktree', 'remove', '--force', '--', path]);
    } catch {
      // git lost track of it (or it is half made): remove the folder, then let git forget it.
      rmSync(path, { recursive: true, force: true });
      await this.run(repoRoot, ['worktree', 'prune']).catch(() => undefined);
    }
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
      const ours = paths.filter((p) => p.startsWith(`${dir}/`) && !keepTaskIds.has(p.slice(dir.length + 1)));
      for (const path of ours) await this.removeUnlocked(repoRoot, path);
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

/** What a git operation of a stopped task answers when it never ran. */
function stoppedError(): AppError {
  return new AppError('GIT_FAILED', 'git was not run: its task was stopped');
}

/** `work`'s answer, or the stopped error as soon as `signal` aborts (work goes on, unawaited). */
function untilAborted<T>(work: Promise<T>, signal: AbortSignal): Promise<T> {
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

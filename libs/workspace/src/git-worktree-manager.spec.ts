import { execFileSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import {
  createTempDir,
  createTempGitRepo,
  isProcessRunning,
  type TempDir,
  type TempGitRepo,
} from '@agent-harness/testing';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { GitWorktreeManager, remoteCredentialConfig } from './git-worktree-manager.js';

const CANARY = 'ghp_canary_0123456789abcdef';

let repo: TempGitRepo;
let data: TempDir;
let manager: GitWorktreeManager;

beforeEach(async () => {
  repo = await createTempGitRepo({ withOrigin: true });
  data = await createTempDir('harness-wt-');
  // The server's environment holds secrets; git must see none of them.
  const env = {
    PATH: process.env['PATH'],
    HOME: data.path,
    ...repo.gitEnv,
    GITHUB_TOKEN: CANARY,
    HARNESS_API_TOKEN: CANARY,
    ANTHROPIC_API_KEY: CANARY,
  };
  manager = new GitWorktreeManager({ worktreesDir: join(data.path, 'worktrees'), env });
});

afterEach(async () => {
  await repo.cleanup();
  await data.cleanup();
});

/** A hook that records that it ran, and with which environment. */
function plantHook(dir: string, name: string, proof: string): void {
  mkdirSync(dir, { recursive: true });
  const hook = join(dir, name);
  writeFileSync(hook, `#!/bin/sh\nenv > '${proof}'\n`);
  chmodSync(hook, 0o755);
}

describe('GitWorktreeManager', () => {
  it('refuses to commit a repository the agent made inside the worktree: its config never runs; an ignored one is left alone', async () => {
    const tree = await manager.create(repo.path, '0123abcd-task', 'Nested');
    const proof = join(data.path, 'filter-ran');
    // A repository with a clean filter that would run on the host, at any depth of a new directory.
    const nested = join(tree.path, 'vendor', 'evil');
    mkdirSync(nested, { recursive: true });
    execFileSync('git', ['init', '--quiet', nested], { env: { ...process.env, ...repo.gitEnv } });
    writeFileSync(join(nested, '.git', 'config'), `[filter "x"]\n\tclean = sh -c 'touch ${proof}; cat'\n`, {
      flag: 'a',
    });
    writeFileSync(join(nested, '.gitattributes'), '* filter=x\n');
    writeFileSync(join(nested, 'a.txt'), 'a\n');
    writeFileSync(join(tree.path, 'new.txt'), 'hello\n');
    await expect(manager.commitAll(repo.path, tree.path, 'Add new.txt')).rejects.toThrow(
      "refused to commit: the worktree holds a git repository that the agent or a command made (vendor/evil/.git); Harness's git would run its config",
    );
    expect(existsSync(proof)).toBe(false);
    // Ignored, it is not git's to look at: the commit goes through without it.
    writeFileSync(join(tree.path, '.gitignore'), 'vendor/\n');
    const commit = await manager.commitAll(repo.path, tree.path, 'Add new.txt');
    expect(commit).toMatch(/^[0-9a-f]{40}$/);
    expect(
      repo
        .git('show', '--name-only', '--format=', commit ?? '')
        .split('\n')
        .sort(),
    ).toEqual(['.gitignore', 'new.txt']);
    expect(existsSync(proof)).toBe(false);
  });

  it('refuses a repository made at a submodule path, and is not fooled by a file named like an index entry', async () => {
    const tree = await manager.create(repo.path, '4567cdef-task', 'Gitlink');
    const env = { ...process.env, ...repo.gitEnv };
    const head = execFileSync('git', ['rev-parse', 'HEAD'], { cwd: tree.path, env }).toString().trim();
    // A submodule path in the index (a gitlink, mode 160000), not checked out.
    execFileSync('git', ['update-index', '--add', '--cacheinfo', `160000,${head},lib`], { cwd: tree.path, env });
    // Named like `ls-files --stage` output for a gitlink: it is an untracked file, nothing more.
    writeFileSync(join(tree.path, `160000 ${head} 0\tfake`), 'x\n');
    expect(await manager.commitAll(repo.path, tree.path, 'Gitlink and a file')).toMatch(/^[0-9a-f]{40}$/);
    // The agent makes a repository where the submodule goes: git would look into it.
    execFileSync('git', ['init', '--quiet', join(tree.path, 'lib')], { env });
    writeFileSync(join(tree.path, 'more.txt'), 'more\n');
    await expect(manager.commitAll(repo.path, tree.path, 'More')).rejects.toThrow(
      'refused to commit: the worktree holds a git repository that the agent or a command made (lib/.git)',
    );
  });

  it('creates a worktree on a task branch from origin, commits in it, pushes, diffs and removes it', async () => {
    const tree = await manager.create(repo.path, '0123abcd-task', 'Fix the parser');
    expect(tree).toMatchObject({ branch: 'harness/0123abcd-fix-the-parser', base: 'origin/main' });
    writeFileSync(join(tree.path, 'new.txt'), 'hello\n');
    const commit = await manager.commitAll(repo.path, tree.path, 'Add new.txt');
    expect(commit).toMatch(/^[0-9a-f]{40}$/);
    // Read from the branch's ref file, it is the commit git has checked out.
    expect(commit).toBe(repo.git('-C', tree.path, 'rev-parse', 'HEAD'));
    expect(await manager.commitAll(repo.path, tree.path, 'nothing')).toBeUndefined();
    expect(await manager.remoteBranch(repo.path, tree.branch)).toBeUndefined();
    await manager.push(repo.path, tree.path, tree.branch, true);
    expect(repo.git('ls-remote', 'origin', tree.branch)).toContain(commit);
    // Asked of origin itself, by exact name (not a branch whose name merely ends the same).
    expect(await manager.remoteBranch(repo.path, tree.branch)).toBe(commit);
    expect(await manager.remoteBranch(repo.path, 'fix-the-parser')).toBeUndefined();
    expect(await manager.diff(tree.path, tree.base, 10_000)).toContain('+hello');
    await manager.remove(repo.path, tree.path);
    expect(existsSync(tree.path)).toBe(false);
    await manager.deleteBranch(repo.path, tree.branch);
    expect(repo.git('branch', '--list', tree.branch)).toBe('');
  });

  it('answers no remote branch in a repository without origin, and throws when origin cannot be asked', async () => {
    const alone = await createTempGitRepo();
    try {
      expect(await manager.remoteBranch(alone.path, 'harness/x')).toBeUndefined();
      alone.git('remote', 'add', 'origin', join(alone.path, 'no-such-origin.git'));
      const fresh = new GitWorktreeManager({
        worktreesDir: join(data.path, 'w2'),
        env: { PATH: process.env['PATH'], ...alone.gitEnv },
      });
      await expect(fresh.remoteBranch(alone.path, 'harness/x')).rejects.toMatchObject({ code: 'GIT_FAILED' });
    } finally {
      await alone.cleanup();
    }
  });

  it('fetches the base once for tasks that start within the interval, and again after it', async () => {
    let now = 1_000_000;
    const fresh = new GitWorktreeManager({
      worktreesDir: join(data.path, 'worktrees'),
      env: { PATH: process.env['PATH'], HOME: data.path, ...repo.gitEnv },
      baseFetchIntervalMs: 2000,
      nowMs: () => now,
    });
    const first = await fresh.create(repo.path, '00000001-task', 'one');
    // Someone pushes to origin's main meanwhile.
    const pushed = repo.commitFile('later.txt', 'later\n');
    repo.git('push', '--quiet', 'origin', 'main');
    repo.git('update-ref', 'refs/remotes/origin/main', 'HEAD~1');
    now += 1999;
    const second = await fresh.create(repo.path, '00000002-task', 'two');
    expect(await fresh.head(second.path)).toBe(await fresh.head(first.path));
    now += 1;
    const third = await fresh.create(repo.path, '00000003-task', 'three');
    expect(await fresh.head(third.path)).toBe(pushed);
  });

  it('refuses a base branch that git would read as an option, and runs nothing', async () => {
    const proof = join(data.path, 'pwned');
    await expect(manager.create(repo.path, 'task-1', 'x', `--upload-pack=touch ${proof}`)).rejects.toThrow(
      /not a valid git branch name/,
    );
    await expect(manager.checkoutRemoteBranch(repo.path, 'task-2', `--upload-pack=touch ${proof}`)).rejects.toThrow(
      /not a valid git branch name/,
    );
    await expect(manager.push(repo.path, repo.path, '-f', true)).rejects.toThrow(/not a valid git branch name/);
    expect(existsSync(proof)).toBe(false);
  });

  it('never runs hooks an agent planted, in .git/hooks or through core.hooksPath', async () => {
    const tree = await manager.create(repo.path, 'task-3', 'hooks');
    const proofs = ['pre-commit', 'commit-msg', 'post-commit', 'pre-push', 'reference-transaction'].map((hook) => {
      const proof = join(data.path, `ran-${hook}`);
      plantHook(join(repo.path, '.git', 'hooks'), hook, proof);
      plantHook(join(tree.path, 'hooks'), hook, proof);
      return proof;
    });
    repo.git('config', 'core.hooksPath', join(tree.path, 'hooks'));
    writeFileSync(join(tree.path, 'f.txt'), 'x\n');
    await manager.commitAll(repo.path, tree.path, 'change');
    await manager.push(repo.path, tree.path, tree.branch, true);
    for (const proof of proofs) expect(existsSync(proof), proof).toBe(false);
  });

  it('removes the worktrees a crash left registered in the repository, keeping live ones', async () => {
    const stale = await manager.create(repo.path, 'task-dead', 'stale');
    const live = await manager.create(repo.path, 'task-live', 'live');
    expect(await manager.removeStaleWorktrees(repo.path, new Set(['task-live']))).toEqual([stale.path]);
    const listed = repo.git('worktree', 'list');
    expect(listed).not.toContain(stale.path);
    expect(listed).toContain(live.path);
    expect(existsSync(stale.path)).toBe(false);
  });

  it('puts back the shared config and hooks that work in a worktree changed, for as long as one of its tasks runs', async () => {
    await manager.guardSharedState(repo.path);
    await manager.guardSharedState(repo.path); // a second task of the same repository shares the record
    const tree = await manager.create(repo.path, 'task-4', 'config');
    const before = readFileSync(join(repo.path, '.git', 'config'), 'utf8');
    // From inside the worktree, as an agent would: these land in the repository's shared .git.
    execGit(tree.path, ['config', 'core.fsmonitor', 'touch /tmp/x']);
    plantHook(join(repo.path, '.git', 'hooks'), 'pre-commit', join(data.path, 'never'));
    mkdirSync(join(repo.path, '.git', 'hooks', 'odd-dir'));
    expect(await manager.restoreSharedState(repo.path)).toEqual(['config', 'hooks/odd-dir', 'hooks/pre-commit']);
    expect(readFileSync(join(repo.path, '.git', 'config'), 'utf8')).toBe(before);
    expect(existsSync(join(repo.path, '.git', 'hooks', 'pre-commit'))).toBe(false);
    expect(await manager.restoreSharedState(repo.path)).toEqual([]);
    // The first task ends: the record stays for the second; the last one's end removes it.
    expect(await manager.releaseSharedState(repo.path)).toEqual([]);
    execGit(tree.path, ['config', 'alias.x', '!true']);
    expect(await manager.releaseSharedState(repo.path)).toEqual(['config']);
    execGit(tree.path, ['config', 'alias.y', '!true']);
    expect(await manager.restoreSharedState(repo.path)).toEqual([]);
  });

  it('restores the shared state a crashed server recorded, in a new manager', async () => {
    await manager.guardSharedState(repo.path);
    const before = readFileSync(join(repo.path, '.git', 'config'), 'utf8');
    execGit(repo.path, ['config', 'credential.helper', '!env > /tmp/leak']);
    // The server dies here; a new one starts with the same data directory.
    const next = new GitWorktreeManager({
      worktreesDir: join(data.path, 'worktrees'),
      env: { PATH: process.env['PATH'], ...repo.gitEnv },
    });
    expect(await next.recoverSharedState(repo.path)).toEqual(['config']);
    expect(readFileSync(join(repo.path, '.git', 'config'), 'utf8')).toBe(before);
    expect(await next.recoverSharedState(repo.path)).toEqual([]);
  });

  it('restores the recorded config before its own commit, so a planted filter never runs; git gets no secret', async () => {
    await manager.guardSharedState(repo.path);
    const tree = await manager.create(repo.path, 'task-5', 'filters');
    const planted = join(data.path, 'planted-filter-ran');
    writeFileSync(join(tree.path, '.gitattributes'), '* filter=spy\n');
    execGit(tree.path, ['config', 'filter.spy.clean', `sh -c 'env > ${planted}; cat'`]);
    writeFileSync(join(tree.path, 'f.txt'), 'x\n');
    await manager.commitAll(repo.path, tree.path, 'change');
    expect(existsSync(planted)).toBe(false);
    // A filter the user configured (as git-lfs does) still runs, and sees no secret of the server.
    await manager.releaseSharedState(repo.path);
    const seen = join(data.path, 'user-filter-env');
    repo.git('config', 'filter.user.clean', `sh -c 'env > ${seen}; cat'`);
    await manager.guardSharedState(repo.path);
    const other = await manager.create(repo.path, 'task-6', 'user filter');
    writeFileSync(join(other.path, '.gitattributes'), '* filter=user\n');
    writeFileSync(join(other.path, 'g.txt'), 'y\n');
    await manager.commitAll(repo.path, other.path, 'change');
    const env = readFileSync(seen, 'utf8');
    expect(env).toMatch(/^PATH=/m);
    expect(env).not.toContain(CANARY);
  });

  it('hands the token only to HTTPS remotes on its hosts, clearing every other credential helper', () => {
    const credentials = { token: 't0ken', hosts: ['github.com'] };
    expect(remoteCredentialConfig('https://github.com/o/r.git', credentials)?.config[0]).toBe('credential.helper=');
    expect(remoteCredentialConfig('https://github.com/o/r.git', credentials)?.extraEnv).toEqual({
      HARNESS_GIT_TOKEN: 't0ken',
    });
    for (const url of [
      'http://github.com/o/r',
      'https://evil.example/o/r',
      'git@github.com:o/r.git',
      '/srv/git/r.git',
      undefined,
    ]) {
      expect(remoteCredentialConfig(url, credentials), String(url)).toBeUndefined();
    }
    expect(remoteCredentialConfig('https://github.com/o/r', undefined)).toBeUndefined();
  });

  it("ends a push and the hook its remote runs at once when the signal aborts; other tasks' git never waits behind it", async () => {
    // The remote runs its own hooks (Harness's overrides stop only local ones): this one hangs on
    // the first task's branch only.
    const pidFile = join(data.path, 'hook.pid');
    writeFileSync(
      join(repo.originPath ?? '', 'hooks', 'pre-receive'),
      `#!/bin/sh\ngrep -q 0123abcd || exit 0\nsleep 600 & echo $! > '${pidFile}'; wait\n`,
    );
    chmodSync(join(repo.originPath ?? '', 'hooks', 'pre-receive'), 0o755);
    const tree = await manager.create(repo.path, '0123abcd-task', 'Hang');
    writeFileSync(join(tree.path, 'new.txt'), 'hello\n');
    await manager.commitAll(repo.path, tree.path, 'Add new.txt');
    const controller = new AbortController();
    const pushing = manager.push(repo.path, tree.path, tree.branch, true, controller.signal);
    for (let i = 0; i < 600 && !(existsSync(pidFile) && readFileSync(pidFile, 'utf8') !== ''); i++)
      await new Promise((r) => setTimeout(r, 50));
    const hookPid = Number(readFileSync(pidFile, 'utf8'));
    expect(isProcessRunning(hookPid)).toBe(true);
    // Meanwhile another task pushes, and git's bookkeeping goes on: nothing waits for the hung push.
    const other = await manager.create(repo.path, '4567cdef-task', 'Other');
    writeFileSync(join(other.path, 'other.txt'), 'other\n');
    await manager.commitAll(repo.path, other.path, 'Add other.txt');
    await manager.push(repo.path, other.path, other.branch, true);
    await manager.deleteBranch(repo.path, 'nothing');
    expect(repo.git('ls-remote', 'origin', other.branch)).not.toBe('');
    controller.abort();
    await expect(pushing).rejects.toThrow(/stopped/);
    for (let i = 0; i < 100 && isProcessRunning(hookPid); i++) await new Promise((r) => setTimeout(r, 50));
    expect(isProcessRunning(hookPid)).toBe(false);
    expect(repo.git('ls-remote', 'origin', tree.branch)).toBe('');
    // A push whose signal aborted before its turn runs nothing.
    await expect(manager.push(repo.path, tree.path, tree.branch, true, controller.signal)).rejects.toThrow(/not run/);
  });

  it('ends a commit and the filter git runs at once when the signal aborts', async () => {
    const pidFile = join(data.path, 'filter.pid');
    repo.commitFile('.gitattributes', 'new.txt filter=slow\n');
    repo.git('push', '--quiet', 'origin', 'HEAD:main');
    repo.git('config', 'filter.slow.clean', `sleep 600 & echo $! > '${pidFile}'; wait; cat`);
    const tree = await manager.create(repo.path, '0123abcd-task', 'Hang');
    writeFileSync(join(tree.path, 'new.txt'), 'hello\n');
    const controller = new AbortController();
    const committing = manager.commitAll(repo.path, tree.path, 'Add new.txt', controller.signal);
    for (let i = 0; i < 600 && !(existsSync(pidFile) && readFileSync(pidFile, 'utf8') !== ''); i++)
      await new Promise((r) => setTimeout(r, 50));
    const filterPid = Number(readFileSync(pidFile, 'utf8'));
    controller.abort();
    await expect(committing).rejects.toThrow(/stopped/);
    expect(isProcessRunning(filterPid)).toBe(false);
    // An aborted signal runs nothing.
    await expect(manager.diff(tree.path, tree.base, 1000, controller.signal)).rejects.toThrow(/not run/);
  });

  describe('reusing finished worktrees', () => {
    /** A manager that keeps `idle` finished worktrees of the repository, with node_modules. */
    function reusing(idle: number): GitWorktreeManager {
      return new GitWorktreeManager({
        worktreesDir: join(data.path, 'worktrees'),
        env: { PATH: process.env['PATH'], HOME: data.path, ...repo.gitEnv },
        reuse: () => ({ idle, keep: ['node_modules'] }),
      });
    }

    it('gives the next task a finished worktree that carries nothing of the earlier task but its dependency folders', async () => {
      repo.commitFile('.gitignore', 'build/\nnode_modules/\n');
      repo.commitFile('src/app.js', 'original\n');
      repo.git('push', '--quiet', 'origin', 'main');
      const pool = reusing(2);
      const first = await pool.create(repo.path, 'aaaaaaaa-first', 'First');
      expect(first.reused).toBeUndefined();
      // What a task leaves: an edit, a new file, an ignored build output, a nested repository, and installed dependencies.
      writeFileSync(join(first.path, 'src', 'app.js'), 'edited by the first task\n');
      writeFileSync(join(first.path, 'secret-notes.txt'), 'first task only\n');
      mkdirSync(join(first.path, 'build'), { recursive: true });
      writeFileSync(join(first.path, 'build', 'out.js'), 'built\n');
      mkdirSync(join(first.path, 'node_modules', 'dep'), { recursive: true });
      writeFileSync(join(first.path, 'node_modules', 'dep', 'index.js'), 'installed\n');
      expect(await pool.commitAll(repo.path, first.path, 'First change')).toMatch(/^[0-9a-f]{40}$/);
      execFileSync('git', ['init', '--quiet', join(first.path, 'vendor', 'nested')], {
        env: { ...process.env, ...repo.gitEnv },
      });

      // Parked detached, its branch (and the branch's remote-tracking copy) deleted by the same git.
      await pool.push(repo.path, first.path, first.branch, true);
      expect(repo.git('for-each-ref', '--format=%(refname)', `refs/remotes/origin/${first.branch}`)).not.toBe('');
      expect(await pool.release(repo.path, first.path, { setupKey: 'key-1', deleteBranch: first.branch })).toEqual({
        kept: true,
        branchSettled: true,
      });
      expect(existsSync(first.path)).toBe(false);
      expect(repo.git('branch', '--list', first.branch)).toBe('');
      expect(repo.git('for-each-ref', '--format=%(refname)', `refs/remotes/origin/${first.branch}`)).toBe('');
      expect(repo.git('ls-remote', 'origin', first.branch)).toContain(`refs/heads/${first.branch}`);

      const second = await pool.create(repo.path, 'bbbbbbbb-second', 'Second');
      expect(second.path).toBe(pool.pathFor('bbbbbbbb-second'));
      expect(second.reused).toEqual({ setupKey: 'key-1' });
      expect(repo.git('-C', second.path, 'rev-parse', '--abbrev-ref', 'HEAD')).toBe(second.branch);
      expect(repo.git('-C', second.path, 'rev-parse', 'HEAD')).toBe(repo.git('rev-parse', 'origin/main'));
      expect(readFileSync(join(second.path, 'src', 'app.js'), 'utf8')).toBe('original\n');
      for (const gone of ['secret-notes.txt', 'build', 'vendor'])
        expect(existsSync(join(second.path, gone))).toBe(false);
      expect(readFileSync(join(second.path, 'node_modules', 'dep', 'index.js'), 'utf8')).toBe('installed\n');
      expect(repo.git('-C', second.path, 'status', '--porcelain')).toBe('');
      // A full clean (the setup key changed) takes the dependency folders too.
      await pool.clean(second.path, []);
      expect(existsSync(join(second.path, 'node_modules'))).toBe(false);
      // git knows the worktree where it now is, and nothing in the pool.
      const listed = repo.git('worktree', 'list', '--porcelain');
      expect(listed).toContain(`worktree ${second.path}`);
      expect(listed.match(/^worktree /gm)).toHaveLength(2);
    });

    it('keeps a parked task branch another worktree also has checked out; reads a relative gitdir', async () => {
      const pool = reusing(2);
      const tree = await pool.create(repo.path, 'aaaaaaaa-shared', 'Shared');
      // git refuses a second checkout of a branch unless forced: a user can force it.
      const other = join(repo.path, '..', 'other');
      repo.git('worktree', 'add', '--quiet', '--force', other, tree.branch);
      expect(await pool.release(repo.path, tree.path, { deleteBranch: tree.branch })).toEqual({
        kept: true,
        branchSettled: true,
      });
      expect(repo.git('branch', '--list', tree.branch)).toContain(tree.branch);
      repo.git('worktree', 'remove', '--force', other);

      // A worktree whose .git file names its git directory relative to itself (worktree.useRelativePaths).
      const next = await pool.create(repo.path, 'bbbbbbbb-relative', 'Relative');
      const gitDir = readFileSync(join(next.path, '.git'), 'utf8').trim().slice('gitdir: '.length);
      writeFileSync(join(next.path, '.git'), `gitdir: ${relative(next.path, gitDir)}\n`);
      writeFileSync(join(next.path, 'change.txt'), 'change\n');
      const commit = await pool.commitAll(repo.path, next.path, 'Change');
      expect(commit).toBe(repo.git('-C', next.path, 'rev-parse', 'HEAD'));
      expect(await pool.release(repo.path, next.path, { deleteBranch: next.branch })).toEqual({
        kept: true,
        branchSettled: true,
      });
      expect(repo.git('branch', '--list', next.branch)).toBe('');
    });

    it('reads the commit of a detached worktree from git', async () => {
      const tree = await manager.create(repo.path, 'cccccccc-detached', 'Detached');
      repo.git('-C', tree.path, 'checkout', '--quiet', '--detach');
      writeFileSync(join(tree.path, 'detached.txt'), 'detached\n');
      const commit = await manager.commitAll(repo.path, tree.path, 'Detached change');
      expect(commit).toBe(repo.git('-C', tree.path, 'rev-parse', 'HEAD'));
      expect(repo.git('-C', tree.path, 'show', '--name-only', '--format=', 'HEAD')).toBe('detached.txt');
    });

    it('keeps at most idle_worktrees; past it, or with none, a finished worktree is removed', async () => {
      const pool = reusing(1);
      const a = await pool.create(repo.path, 'aaaaaaaa-a', 'A');
      const b = await pool.create(repo.path, 'bbbbbbbb-b', 'B');
      expect(await pool.release(repo.path, a.path)).toEqual({ kept: true, branchSettled: false });
      // Removed, its branch goes all the same.
      expect(await pool.release(repo.path, b.path, { deleteBranch: b.branch })).toEqual({
        kept: false,
        branchSettled: true,
      });
      expect(repo.git('branch', '--list', b.branch)).toBe('');
      expect(repo.git('branch', '--list', a.branch)).toContain(a.branch);
      expect(existsSync(b.path)).toBe(false);
      expect(repo.git('worktree', 'list', '--porcelain').match(/^worktree /gm)).toHaveLength(2);
      // Parked without a finished setup: the next task's setup runs in full.
      expect((await pool.create(repo.path, 'cccccccc-c', 'C')).reused).toEqual({ setupKey: undefined });
      const none = reusing(0);
      const d = await none.create(repo.path, 'dddddddd-d', 'D');
      expect(d.reused).toBeUndefined();
      expect((await none.release(repo.path, d.path)).kept).toBe(false);
      expect(existsSync(d.path)).toBe(false);
    });

    it('checks out a pull request branch in a reused worktree; removing the project drops its waiting worktrees', async () => {
      repo.git('checkout', '--quiet', '-b', 'feature');
      repo.commitFile('feature.txt', 'feature\n');
      repo.git('push', '--quiet', 'origin', 'feature');
      repo.git('checkout', '--quiet', 'main');
      const pool = reusing(2);
      const first = await pool.create(repo.path, 'aaaaaaaa-first', 'First');
      writeFileSync(join(first.path, 'left.txt'), 'left\n');
      await pool.release(repo.path, first.path);
      const pr = await pool.checkoutRemoteBranch(repo.path, 'bbbbbbbb-pr', 'feature');
      expect(pr.reused).toBeDefined();
      expect(readFileSync(join(pr.path, 'feature.txt'), 'utf8')).toBe('feature\n');
      expect(existsSync(join(pr.path, 'left.txt'))).toBe(false);
      await pool.release(repo.path, pr.path);
      // A branch the user has checked out stays; its remote-tracking copy goes.
      repo.git('checkout', '--quiet', 'feature');
      await pool.deleteBranch(repo.path, 'feature');
      expect(repo.git('for-each-ref', '--format=%(refname)', 'refs/remotes/origin/feature')).toBe('');
      expect(repo.git('for-each-ref', '--format=%(refname)', 'refs/heads/feature')).toBe('refs/heads/feature');
      repo.git('checkout', '--quiet', 'main');
      // So does one a linked worktree of the user's has checked out.
      const linked = join(repo.path, '..', 'linked');
      repo.git('worktree', 'add', '--quiet', linked, 'feature');
      await pool.deleteBranch(repo.path, 'feature');
      expect(repo.git('for-each-ref', '--format=%(refname)', 'refs/heads/feature')).toBe('refs/heads/feature');
      repo.git('worktree', 'remove', '--force', linked);
      await pool.deleteBranch(repo.path, 'feature');
      expect(repo.git('for-each-ref', '--format=%(refname)', 'refs/heads/feature')).toBe('');
      expect(await pool.removeStaleWorktrees(repo.path)).toHaveLength(1);
      expect(repo.git('worktree', 'list', '--porcelain').match(/^worktree /gm)).toHaveLength(1);
    });
  });
});

function execGit(cwd: string, args: string[]): void {
  execFileSync('git', args, { cwd, env: { ...process.env, ...repo.gitEnv }, stdio: 'ignore' });
}

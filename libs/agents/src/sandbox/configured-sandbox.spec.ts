import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { BubblewrapSandbox } from '@agent-harness/sandbox';
import { createTempDir, createTempGitRepo, type TempDir, type TempGitRepo } from '@agent-harness/testing';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ConfiguredSandbox } from './configured-sandbox.js';

// The policy Harness gives a run, read from a real repository with a linked worktree (a task's).
describe('ConfiguredSandbox.policy', () => {
  let repo: TempGitRepo;
  let data: TempDir;
  beforeEach(async () => {
    repo = await createTempGitRepo();
    data = await createTempDir('harness-data-');
  });
  afterEach(async () => {
    await repo.cleanup();
    await data.cleanup();
  });

  const sandbox = (extra: Partial<ConstructorParameters<typeof ConfiguredSandbox>[0]> = {}) =>
    new ConfiguredSandbox({
      mode: 'workspace-write',
      home: '/home/ann',
      dataDir: data.path,
      projectRoots: [repo.path],
      sandbox: { deny_read: ['/srv/secrets'], allow_write: ['/home/ann/.cache/pip'], allowed_domains: ['pypi.org'] },
      commandNetwork: 'none',
      ...extra,
    });

  it("a task's worktree: writable but its .git file; the shared .git read-only; the checkout and data dir hidden", () => {
    const worktree = join(data.path, 'worktrees', 'task-1');
    repo.git('worktree', 'add', '--quiet', '-b', 'harness/task-1', worktree);
    const policy = sandbox().policy('workspace-write', worktree, ['/home/ann/.claude'], { kind: 'none' });
    // The run's own agent state stays visible.
    expect(policy.denyRead).not.toContain('/home/ann/.claude');
    expect(policy).toEqual({
      mode: 'workspace-write',
      writable: [worktree],
      stateDirs: ['/home/ann/.claude', '/home/ann/.cache/pip'],
      denyRead: expect.arrayContaining([
        '/home/ann/.ssh',
        '/home/ann/.aws',
        '/home/ann/.config/gh',
        '/home/ann/.netrc',
        '/home/ann/.docker',
        '/home/ann/.gnupg',
        '/home/ann/.kube',
        '/home/ann/.git-credentials',
        // The other agent's login, and the host's sockets (D-Bus, Docker, ssh-agent).
        '/home/ann/.codex',
        '/run',
        data.path,
        repo.path,
        '/srv/secrets',
      ]) as string[],
      readOnly: [join(worktree, '.git'), join(repo.path, '.git')],
      network: { kind: 'none' },
    });
  });

  it("trusts a worktree's .git file only when git links back to it: a rewritten one opens nothing", () => {
    const worktree = join(data.path, 'worktrees', 'task-1');
    const other = join(data.path, 'worktrees', 'task-2');
    repo.git('worktree', 'add', '--quiet', '-b', 'harness/task-1', worktree);
    repo.git('worktree', 'add', '--quiet', '-b', 'harness/task-2', other);
    // The agent of task-1 points its .git at task-2's dir in the shared repository.
    writeFileSync(join(worktree, '.git'), `gitdir: ${join(repo.path, '.git', 'worktrees', 'task-2')}\n`);
    const policy = sandbox().policy('workspace-write', worktree, [], { kind: 'none' });
    expect(policy.writable).toEqual([worktree]);
    expect(policy.readOnly).toEqual([join(worktree, '.git')]);
    expect(policy.denyRead).toContain(repo.path);
  });

  it('a run in a checkout itself (GC, harness exec): the directory stays visible, its .git read-only', () => {
    const policy = sandbox().policy('read-only', repo.path, [], { kind: 'none' });
    expect(policy.writable[0]).toBe(repo.path);
    expect(policy.denyRead).not.toContain(repo.path);
    expect(policy.denyRead).toContain(data.path);
    expect(policy.readOnly).toEqual([join(repo.path, '.git')]);
  });

  it('refuses runs with the fix when bubblewrap is missing, and never refuses danger-full-access', async () => {
    const missing = sandbox({ bubblewrap: new BubblewrapSandbox({ PATH: '/nonexistent' }) });
    expect(await missing.refusal()).toBe(
      'sandbox_mode "workspace-write" needs the OS sandbox: bubblewrap (bwrap) is not on PATH: install bubblewrap and socat (Debian/Ubuntu: apt-get install bubblewrap socat)',
    );
    await expect(
      missing.wrapCommand({ command: 'true', args: [], cwd: repo.path, env: {} }, 'workspace-write'),
    ).rejects.toThrow('apt-get install bubblewrap socat');
    expect(await missing.refusal('danger-full-access')).toBeUndefined();
    expect(missing.warning).toBeUndefined();
    expect(sandbox({ mode: 'danger-full-access' }).warning).toContain('run without the OS sandbox');
  });
});

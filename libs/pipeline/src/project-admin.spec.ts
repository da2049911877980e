import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { AppError } from '@agent-harness/core';
import { openDatabase, TypeOrmProjectCatalog, TypeOrmTaskRepository, type Database } from '@agent-harness/persistence';
import { createTempDataDir, createTempGitRepo, type TempDir, type TempGitRepo } from '@agent-harness/testing';
import { GitWorktreeManager } from '@agent-harness/workspace';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ProjectAdmin } from './project-admin.js';

describe('ProjectAdmin (real SQLite, real git)', () => {
  let data: TempDir;
  let repo: TempGitRepo;
  let database: Database;
  let worktrees: GitWorktreeManager;
  let admin: ProjectAdmin;

  beforeEach(async () => {
    data = await createTempDataDir();
    repo = await createTempGitRepo({ withOrigin: true });
    database = await openDatabase({ file: join(data.path, 'harness.db') });
    worktrees = new GitWorktreeManager({
      worktreesDir: join(data.path, 'worktrees'),
      env: { PATH: process.env['PATH'], HOME: data.path, ...repo.gitEnv },
    });
    admin = new ProjectAdmin({
      projects: new TypeOrmProjectCatalog(database.dataSource),
      tasks: new TypeOrmTaskRepository(database.dataSource),
      inspectDirectory: (path) => ({ kind: 'git-repository', realPath: path }),
      removeStaleWorktrees: async (root) => {
        await worktrees.removeStaleWorktrees(root);
      },
    });
  });
  afterEach(async () => {
    await database.close();
    await data.cleanup();
    await repo.cleanup();
  });

  it('keeps registration inside [server] allowed_project_roots when it names any', async () => {
    const closed = new ProjectAdmin({
      projects: new TypeOrmProjectCatalog(database.dataSource),
      tasks: new TypeOrmTaskRepository(database.dataSource),
      inspectDirectory: (path) => ({ kind: 'git-repository', realPath: path }),
      allowedRoots: ['/srv/repos'],
    });
    await expect(closed.register({ name: 'out', root: repo.path })).rejects.toMatchObject({
      code: 'FORBIDDEN',
      message: `root: ${repo.path} is outside [server] allowed_project_roots`,
    });
    // A sibling whose name only starts the same is outside too.
    await expect(closed.register({ name: 'near', root: '/srv/repos-other/app' })).rejects.toMatchObject({
      code: 'FORBIDDEN',
    });
    await expect(closed.register({ name: 'in', root: '/srv/repos/app' })).resolves.toMatchObject({ name: 'in' });
  });

  it('refuses a base branch git would read as an option', async () => {
    const proof = join(data.path, 'pwned');
    const refused = admin.register({ name: 'app', root: repo.path, baseBranch: `--upload-pack=touch ${proof}` });
    await expect(refused).rejects.toBeInstanceOf(AppError);
    await expect(refused).rejects.toThrow(/^base_branch: must be a valid git branch name/);
    expect(existsSync(proof)).toBe(false);
  });

  it('removing a project removes the worktrees a crash left registered in its repository', async () => {
    await admin.register({ name: 'app', root: repo.path, baseBranch: 'main' });
    const left = await worktrees.create(repo.path, 'crashed-task', 'left behind');
    expect(repo.git('worktree', 'list')).toContain(left.path);
    await admin.remove('app');
    expect(repo.git('worktree', 'list')).not.toContain(left.path);
    expect(existsSync(left.path)).toBe(false);
  });
});

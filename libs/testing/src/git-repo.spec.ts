import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createTempGitRepo } from './git-repo.js';

describe('createTempGitRepo', () => {
  it('makes a repository on main with a bare origin holding main', async () => {
    const repo = await createTempGitRepo({ withOrigin: true, files: { 'src/a.txt': 'a\n' } });
    try {
      expect(repo.git('rev-parse', '--abbrev-ref', 'HEAD')).toBe('main');
      expect(repo.git('ls-files')).toBe('src/a.txt');
      const sha = repo.commitFile('b.txt', 'b\n');
      repo.git('push', '--quiet', 'origin', 'main');
      const originHead = execFileSync('git', ['--git-dir', repo.originPath!, 'rev-parse', 'main'], {
        env: { ...repo.gitEnv, PATH: process.env['PATH'] },
      })
        .toString()
        .trim();
      expect(originHead).toBe(sha);
    } finally {
      await repo.cleanup();
    }
    expect(existsSync(repo.path)).toBe(false);
  });

  it('reads git settings only from its own config file', async () => {
    const repo = await createTempGitRepo();
    try {
      const origin = repo.git('config', '--show-origin', '--get', 'user.email');
      expect(origin).toBe(`file:${join(repo.path, '..', 'gitconfig')}\tharness-test@example.invalid`);
      expect(repo.git('log', '-1', '--format=%an')).toBe('Harness Test');
    } finally {
      await repo.cleanup();
    }
  });
});

import { existsSync, mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createTempDir, type TempDir } from '@agent-harness/testing';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { WorkspaceTools } from './workspace-tools.js';

// The anthropic-api agent's file tools run in Harness's own process: no sandbox around them, so
// the confinement is theirs. Each write that could leave the directory, or reach git, is refused.
describe("WorkspaceTools (the anthropic-api agent's file tools)", () => {
  let dir: TempDir;
  let outside: TempDir;
  beforeEach(async () => {
    dir = await createTempDir('harness-tools-');
    outside = await createTempDir('harness-outside-');
  });
  afterEach(async () => {
    await dir.cleanup();
    await outside.cleanup();
  });

  const tools = (access: 'workspace-write' | 'read-only' = 'workspace-write') =>
    new WorkspaceTools(dir.path, { PATH: process.env['PATH'] ?? '' }, 10_000, access);
  const call = (name: string, input: Record<string, string>, access?: 'workspace-write' | 'read-only') =>
    tools(access).call(name, input, new AbortController().signal);

  it('writes inside the directory', async () => {
    expect(await call('write_file', { path: 'src/a.txt', content: 'a\n' })).toMatchObject({ ok: true });
    expect(readFileSync(join(dir.path, 'src', 'a.txt'), 'utf8')).toBe('a\n');
  });

  it('refuses a write through a dangling symbolic link: its target outside is never created', async () => {
    const target = join(outside.path, 'authorized_keys');
    symlinkSync(target, join(dir.path, 'k'));
    const outcome = await call('write_file', { path: 'k', content: 'ssh-ed25519 AAAA attacker\n' });
    expect(outcome).toMatchObject({ ok: false });
    expect(outcome.output).toContain('symbolic link that points nowhere');
    expect(existsSync(target)).toBe(false);
  });

  it("refuses to write or edit git's files: the .git file, and any .git below", async () => {
    writeFileSync(join(dir.path, '.git'), 'gitdir: /somewhere\n');
    mkdirSync(join(dir.path, 'sub'));
    for (const path of ['.git', 'sub/.git/config', './x/../.git']) {
      const outcome = await call('write_file', { path, content: 'gitdir: evil\n' });
      expect(outcome, path).toMatchObject({ ok: false });
      expect(outcome.output, path).toContain("is git's, not the agent's to write");
    }
    expect(readFileSync(join(dir.path, '.git'), 'utf8')).toBe('gitdir: /somewhere\n');
    expect(existsSync(join(dir.path, 'sub', '.git'))).toBe(false);
    expect(await call('edit_file', { path: '.git', old_text: 'somewhere', new_text: 'evil' })).toMatchObject({
      ok: false,
    });
  });

  it('refuses writes and edits in a read-only run', async () => {
    writeFileSync(join(dir.path, 'a.txt'), 'a\n');
    expect(await call('write_file', { path: 'b.txt', content: 'b' }, 'read-only')).toMatchObject({ ok: false });
    expect(await call('edit_file', { path: 'a.txt', old_text: 'a', new_text: 'b' }, 'read-only')).toMatchObject({
      ok: false,
    });
    expect(readFileSync(join(dir.path, 'a.txt'), 'utf8')).toBe('a\n');
    expect(existsSync(join(dir.path, 'b.txt'))).toBe(false);
  });
});

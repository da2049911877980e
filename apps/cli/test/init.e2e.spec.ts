import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  createTempDir,
  createTempGitRepo,
  FAKE_AGENT_BIN_DIR,
  runHarness,
  type TempDir,
  type TempGitRepo,
} from '@agent-harness/testing';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';

const cliPath = join(import.meta.dirname, '..', 'dist', 'main.js');

describe('harness init (built, as a child process)', () => {
  let home: TempDir;
  let repo: TempGitRepo;

  beforeEach(async () => {
    home = await createTempDir('harness-home-');
    repo = await createTempGitRepo();
    repo.git('remote', 'add', 'origin', 'git@github.com:octo-org/my-app.git');
    writeFileSync(join(repo.path, 'package.json'), '{"name": "my-app"}\n');
  });
  afterEach(async () => {
    await home.cleanup();
    await repo.cleanup();
  });

  const run = (args: string[], cwd: string) =>
    runHarness({
      cliPath,
      args,
      home: home.path,
      cwd,
      // The scripted Claude Code is the one on PATH: init finds it as it would the real one.
      env: { ...repo.gitEnv, PATH: `${FAKE_AGENT_BIN_DIR}:${process.env['PATH'] ?? ''}` },
    });

  it('writes a valid, commented config for the repository it runs in (from a subfolder too), and never overwrites one', async () => {
    const sub = join(repo.path, 'src', 'deep');
    mkdirSync(sub, { recursive: true });
    const out = join(home.path, 'harness.toml');
    const init = await run(['init', '--out', out], sub);
    expect(init.stderr).toBe('');
    expect(init.code).toBe(0);
    expect(init.stdout).toContain(`project "${repo.path.split('/').pop() ?? ''}" at ${repo.path} (octo-org/my-app)`);
    expect(init.stdout).toContain('agents: claude');
    const text = readFileSync(out, 'utf8');
    expect(text).toContain(`root = ${JSON.stringify(repo.path)}`);
    expect(text).toContain('repo = "octo-org/my-app"   # from the origin remote');
    expect(text).toContain('default_agent = "claude"');
    // The checks Harness detects for a Node project, shown so the user can replace them.
    expect(text).toContain('#   npm test --if-present');
    // It loads as written.
    const check = await run(['config', 'check', '--config', out], home.path);
    expect(check.code).toBe(0);
    expect(check.stdout).toContain('configuration is valid: 1 project(s)');
    // A second init leaves the file as it is.
    writeFileSync(out, '# mine\n');
    const again = await run(['init', '--out', out], sub);
    expect(again.code).toBe(1);
    expect(again.stderr).toContain('exists; init never overwrites a file');
    expect(readFileSync(out, 'utf8')).toBe('# mine\n');
  });

  it('outside a git repository: says so, exit 2, and writes nothing', async () => {
    const outside = join(home.path, 'plain');
    mkdirSync(outside);
    const result = await run(['init'], outside);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('is not in a git repository');
    expect(() => readFileSync(join(outside, 'harness.toml'))).toThrow();
  });
});

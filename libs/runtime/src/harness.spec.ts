import { join } from 'node:path';
import { resolveConfig } from '@agent-harness/core';
import {
  FAKE_AGENT_BIN_DIR,
  createTempDataDir,
  createTempGitRepo,
  createTempPostgresDatabase,
  type TempDir,
  type TempGitRepo,
  type TempPostgresDatabase,
} from '@agent-harness/testing';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createHarness, type Harness } from './harness.js';

describe.each(['sqlite', 'postgres'] as const)('createHarness (real %s, real git, scripted agent)', (kind) => {
  let data: TempDir;
  let repo: TempGitRepo;
  let postgres: TempPostgresDatabase | undefined;
  let harness: Harness | undefined;

  beforeEach(async () => {
    data = await createTempDataDir();
    repo = await createTempGitRepo({ withOrigin: true });
    if (kind === 'postgres') postgres = await createTempPostgresDatabase();
  });
  afterEach(async () => {
    await harness?.close();
    harness = undefined;
    await postgres?.drop();
    postgres = undefined;
    await data.cleanup();
    await repo.cleanup();
  });

  it('builds a Harness from a configuration that runs a task end to end, without Nest', async () => {
    const scenario = JSON.stringify({ edits: [{ path: 'a.txt', content: 'a\n' }] });
    const toml = [
      '[server]',
      `data_dir = ${JSON.stringify(data.path)}`,
      ...(postgres === undefined ? [] : ['[database]', `url = ${JSON.stringify(postgres.url)}`]),
      '[agents.claude]',
      `cli_path = ${JSON.stringify(join(FAKE_AGENT_BIN_DIR, 'claude'))}`,
      '[agents.claude.env]',
      `FAKE_AGENT_SCENARIO = ${JSON.stringify(scenario)}`,
      '[[projects]]',
      'name = "app"',
      `root = ${JSON.stringify(repo.path)}`,
    ].join('\n');
    const config = resolveConfig({
      file: { path: join(data.path, 'h.toml'), text: toml },
      env: {},
      homeDir: data.path,
      cwd: data.path,
    });
    if (!config.ok) throw config.error;
    const built = await createHarness(config.value, {
      env: { PATH: process.env['PATH'], HOME: data.path, ...repo.gitEnv },
      tickMs: 50,
    });
    harness = built;
    await built.start();
    expect((await built.projects.list()).map((p) => p.name)).toEqual(['app']);
    const submitted = await built.engine.submit({ kind: 'prompt', prompt: 'Add a.txt' });
    let status = submitted.status as string;
    for (let i = 0; i < 400 && !['done', 'failed'].includes(status); i++) {
      await new Promise((r) => setTimeout(r, 25));
      status = (await built.tasks.get(submitted.id))?.status ?? status;
    }
    expect(status).toBe('done');
    // Pushed to origin, the record; no local branch is left behind.
    expect(repo.git('ls-remote', '--heads', 'origin', 'harness/*')).toContain(submitted.id.slice(0, 8));
    expect(repo.git('branch', '--list', 'harness/*')).toBe('');
    expect(built.database.kind).toBe(kind);
  });
});

import { createHmac } from 'node:crypto';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
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

const SECRET = 'notify-secret-0123456789';

describe.each(['sqlite', 'postgres'] as const)('createHarness (real %s, real git, scripted agent)', (kind) => {
  let data: TempDir;
  let repo: TempGitRepo;
  let postgres: TempPostgresDatabase | undefined;
  let harness: Harness | undefined;
  // A `[[notify]]` endpoint on 127.0.0.1.
  let hook: Server;
  let told: { headers: IncomingHttpHeaders; body: string }[];

  beforeEach(async () => {
    told = [];
    hook = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.on('end', () => {
        told.push({ headers: req.headers, body: Buffer.concat(chunks).toString('utf8') });
        res.writeHead(204).end();
      });
    });
    await new Promise<void>((resolve) => hook.listen(0, '127.0.0.1', resolve));
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
    hook.close();
  });

  it('builds a Harness from a configuration that runs a task end to end, without Nest, and tells [[notify]]', async () => {
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
      '[[notify]]',
      `url = "http://127.0.0.1:${String((hook.address() as AddressInfo).port)}/hook"`,
      `secret = "${SECRET}"`,
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
    // The end was told once, signed, by this server.
    await expect.poll(() => told.length).toBe(1);
    const [notification] = told;
    const signature = `sha256=${createHmac('sha256', SECRET)
      .update(notification?.body ?? '')
      .digest('hex')}`;
    expect(notification?.headers['x-harness-signature-256']).toBe(signature);
    expect(JSON.parse(notification?.body ?? '')).toMatchObject({
      event: 'done',
      task: { id: submitted.id, project: 'app', status: 'done', title: 'Add a.txt' },
    });
    await built.close();
    harness = undefined;
    expect(told).toHaveLength(1);
  });
});

import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { resolveConfig, type HarnessConfig } from '@agent-harness/core';
import BetterSqlite3 from 'better-sqlite3';
import { createTempDataDir, type TempDir } from '@agent-harness/testing';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { bootstrapServer, type RunningServer } from './bootstrap.js';

function configFor(dataDir: string, server: Record<string, string> = {}): HarnessConfig {
  const lines = Object.entries({ http_addr: '127.0.0.1:0', data_dir: dataDir, ...server }).map(
    ([k, v]) => `${k} = "${v}"`,
  );
  const result = resolveConfig({
    file: { path: '/x/h.toml', text: `[server]\n${lines.join('\n')}\n` },
    env: {},
    homeDir: '/h',
    cwd: '/',
  });
  if (!result.ok) throw result.error;
  return result.value;
}

describe('bootstrapServer', () => {
  let dir: TempDir;
  let server: RunningServer | undefined;

  beforeEach(async () => {
    dir = await createTempDataDir();
  });
  afterEach(async () => {
    await server?.close();
    server = undefined;
    await dir.cleanup();
  });

  it('answers /health, opens the database in data_dir, and 404s unknown routes', async () => {
    server = await bootstrapServer(configFor(join(dir.path, 'data')));
    expect(server.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(existsSync(join(dir.path, 'data', 'harness.db'))).toBe(true);
    const health = await fetch(`${server.url}/health`);
    expect(health.status).toBe(200);
    const body = (await health.json()) as Record<string, unknown>;
    expect(body).toEqual({ status: 'ok', version: '0.1.0', uptime_secs: expect.any(Number) as number });
    expect((await fetch(`${server.url}/nothing-here`)).status).toBe(404);
  });

  it('with an api_token: /health is open, every other path needs the bearer token', async () => {
    server = await bootstrapServer(configFor(dir.path, { api_token: 's3cret-token-0123456789' }));
    expect((await fetch(`${server.url}/health`)).status).toBe(200);
    const denied = await fetch(`${server.url}/nothing-here`);
    expect(denied.status).toBe(401);
    expect(denied.headers.get('www-authenticate')).toBe('Bearer');
    expect(await denied.json()).toEqual({
      error: { code: 'UNAUTHORIZED', message: 'missing or invalid bearer token' },
    });
    expect((await fetch(`${server.url}/nothing-here`, { headers: { authorization: 'Bearer wrong' } })).status).toBe(
      401,
    );
    expect(
      (await fetch(`${server.url}/health/`, { headers: { authorization: 'Basic s3cret-token-0123456789' } })).status,
    ).toBe(200);
    const allowed = await fetch(`${server.url}/nothing-here`, {
      headers: { authorization: 'Bearer s3cret-token-0123456789' },
    });
    expect(allowed.status).toBe(404);
  });

  it('refuses a non-loopback address without a token, before touching the data dir', async () => {
    const config = configFor(join(dir.path, 'never'), { http_addr: '0.0.0.0:0' });
    await expect(bootstrapServer(config)).rejects.toThrow(
      /server\.api_token: is required when server\.http_addr \(0\.0\.0\.0:0\) is not a loopback address/,
    );
    expect(existsSync(join(dir.path, 'never'))).toBe(false);
  });

  it('keeps a quiet task stream alive with heartbeat comments', async () => {
    server = await bootstrapServer(configFor(dir.path), { sseHeartbeatMs: 40 });
    expect((await fetch(`${server.url}/tasks/none/stream`)).status).toBe(404);
    // A task waiting for a back-off far ahead: queued, silent, its stream open.
    const db = new BetterSqlite3(join(dir.path, 'harness.db'));
    const now = new Date().toISOString();
    db.prepare(
      `INSERT INTO tasks (id, project, kind, prompt, status, attempt, not_before, input_tokens, output_tokens, created_at, updated_at, version, last_event_seq) VALUES ('waiting', 'p', 'prompt', 'x', 'queued', 2, '2999-01-01T00:00:00.000Z', 0, 0, ?, ?, 1, 1)`,
    ).run(now, now);
    db.prepare(
      `INSERT INTO task_events (task_id, seq, kind, data, created_at) VALUES ('waiting', 1, 'status', '{"to":"queued"}', ?)`,
    ).run(now);
    db.close();
    const controller = new AbortController();
    const res = await fetch(`${server.url}/tasks/waiting/stream`, { signal: controller.signal });
    const reader = (res.body as ReadableStream<Uint8Array>).getReader();
    let text = '';
    while ((text.match(/: heartbeat/g) ?? []).length < 2) {
      const { value, done } = await reader.read();
      if (done) break;
      text += new TextDecoder().decode(value);
    }
    controller.abort();
    expect(text).toMatch(/^id: 1\nevent: status\n/);
    expect((text.match(/: heartbeat\n\n/g) ?? []).length).toBeGreaterThanOrEqual(2);
  });

  it('releases the port and the database on close', async () => {
    const config = configFor(dir.path);
    const first = await bootstrapServer(config);
    const url = first.url;
    await first.close();
    await expect(fetch(`${url}/health`)).rejects.toThrow();
    server = await bootstrapServer(config);
    expect((await fetch(`${server.url}/health`)).status).toBe(200);
  });
});

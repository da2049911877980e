import { join } from 'node:path';
import { resolveConfig, type HarnessConfig, type ReviewListResponse } from '@agent-harness/core';
import { openDatabase, TypeOrmReviewStore, DATABASE_FILE_NAME } from '@agent-harness/persistence';
import { createTempDataDir, type TempDir } from '@agent-harness/testing';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { bootstrapServer, type RunningServer } from '../bootstrap.js';

const TOKEN = 'reviews-token-0123456789';

function configFor(dataDir: string): HarnessConfig {
  const result = resolveConfig({
    file: {
      path: '/x/h.toml',
      text: `[server]\nhttp_addr = "127.0.0.1:0"\ndata_dir = ${JSON.stringify(dataDir)}\napi_token = "${TOKEN}"\n`,
    },
    env: {},
    homeDir: '/h',
    cwd: '/',
  });
  if (!result.ok) throw result.error;
  return result.value;
}

describe('GET /api/reviews (real server, real SQLite)', () => {
  let dir: TempDir;
  let server: RunningServer | undefined;

  beforeEach(async () => {
    dir = await createTempDataDir();
    // Reviews stored as a review run stores them, before the server opens the database.
    const database = await openDatabase({ file: join(dir.path, DATABASE_FILE_NAME) });
    const store = new TypeOrmReviewStore(database.dataSource);
    for (const [n, project] of [
      [1, 'app'],
      [2, 'other'],
      [3, 'app'],
    ] as const)
      await store.save({
        id: `run-${String(n)}`,
        project,
        head: `head${String(n)}`,
        strategy: 'single',
        agents: ['claude'],
        status: n === 3 ? 'failed' : 'done',
        summary: n === 3 ? '' : 'ok',
        ...(n === 3 ? { error: 'no review found' } : {}),
        startedAt: `2026-11-24T10:0${String(n)}:00.000Z`,
        finishedAt: `2026-11-24T10:0${String(n)}:30.000Z`,
        durationMs: 30_000,
        findings:
          n === 1
            ? [{ id: 'F-1', severity: 'high', title: 'Unchecked path', file: 'src/a.ts', line: 3, description: 'd' }]
            : [],
      });
    await database.close();
    server = await bootstrapServer(configFor(dir.path));
  });
  afterEach(async () => {
    await server?.close();
    server = undefined;
    await dir.cleanup();
  });

  const get = (query: string, token = TOKEN) =>
    fetch(`${server?.url ?? ''}/api/reviews${query}`, { headers: { authorization: `Bearer ${token}` } });

  it('lists runs with their findings, newest first, by project and within the limit', async () => {
    const all = await get('');
    expect(all.status).toBe(200);
    const body = (await all.json()) as ReviewListResponse;
    expect(body.reviews.map((r) => r.id)).toEqual(['run-3', 'run-2', 'run-1']);
    expect(body.reviews[2]).toEqual({
      id: 'run-1',
      project: 'app',
      head: 'head1',
      previous_head: null,
      strategy: 'single',
      agents: ['claude'],
      status: 'done',
      summary: 'ok',
      error: null,
      note: null,
      cost_usd: null,
      started_at: '2026-11-24T10:01:00.000Z',
      finished_at: '2026-11-24T10:01:30.000Z',
      duration_ms: 30_000,
      findings: [
        {
          id: 'F-1',
          severity: 'high',
          title: 'Unchecked path',
          file: 'src/a.ts',
          line: 3,
          description: 'd',
          suggestion: null,
        },
      ],
    });
    expect(body.reviews[0]).toMatchObject({ status: 'failed', error: 'no review found', findings: [] });
    const app = (await (await get('?project=app&limit=1')).json()) as ReviewListResponse;
    expect(app.reviews.map((r) => r.id)).toEqual(['run-3']);
  });

  it('refuses bad parameters with the field named, and callers without the token', async () => {
    for (const [query, message] of [
      ['?limit=0', /limit must be an integer from 1 to 100/],
      ['?limit=101', /limit must be an integer from 1 to 100/],
      ['?limit=1e3', /limit must be an integer from 1 to 100/],
      ['?project=', /project must be 1 to 200 characters/],
      ['?project=a%00b', /project must not contain NUL characters/],
      ['?status=done', /status should not exist/],
    ] as const) {
      const response = await get(query);
      expect(response.status, query).toBe(400);
      expect(JSON.stringify(await response.json()), query).toMatch(message);
    }
    expect((await get('', 'wrong')).status).toBe(401);
  });
});

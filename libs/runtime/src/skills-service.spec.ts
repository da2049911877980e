import { join } from 'node:path';
import { resolveConfig } from '@agent-harness/core';
import { createTempDataDir, taskFixture, type TempDir } from '@agent-harness/testing';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createHarness, type Harness } from './harness.js';

// Governance on the real stores: skill_used events and task outcomes in SQLite, the governance
// file in data_dir, the skill a data-tier file; the clock moves a day per tick.
describe('skills through the runtime: governance and the canary share (real SQLite, real files)', () => {
  let data: TempDir;
  let harness: Harness | undefined;
  let now = new Date('2026-11-01T00:00:00Z');

  beforeEach(async () => {
    data = await createTempDataDir();
    now = new Date('2026-11-01T00:00:00Z');
    const config = resolveConfig({
      file: { path: join(data.path, 'h.toml'), text: `[server]\ndata_dir = ${JSON.stringify(data.path)}\n` },
      env: {},
      homeDir: data.path,
      cwd: data.path,
    });
    if (!config.ok) throw config.error;
    harness = await createHarness(config.value, {
      env: { PATH: process.env['PATH'] },
      homeDir: data.path,
      now: () => now,
    });
  });
  afterEach(async () => {
    await harness?.close();
    await data.cleanup();
  });

  /** `n` tasks that used the skill and ended `status`, then a tick a day later. */
  async function day(h: Harness, n: number, status: 'done' | 'failed', day: number): Promise<string> {
    for (let i = 0; i < n; i++) {
      const id = `d${String(day)}-${status}-${String(i)}`;
      const at = new Date(now.getTime() + 60_000 + i).toISOString();
      await h.tasks.create(taskFixture(id, { status, createdAt: at, updatedAt: at }), { kind: 'log', data: {} });
      await h.events.append([
        {
          ts: at,
          hook: 'skill_used',
          decision: 'pass',
          project: 'app',
          taskId: id,
          tool: 'data:flaky',
          reason: 'flaky',
        },
      ]);
    }
    now = new Date(now.getTime() + 24 * 60 * 60 * 1000);
    await h.skills.governanceTick();
    return (await h.skills.list({ query: 'flaky' }))[0]?.governance?.status ?? 'active';
  }

  /** Parser tasks asked about per look (each reads the skills and records a use). */
  const TASKS = 400;

  /** How many of TASKS parser tasks get the skill in their prompt. */
  async function injectedShare(h: Harness): Promise<number> {
    let injected = 0;
    for (let i = 0; i < TASKS; i++) {
      const { used } = await h.skills.forTask({
        taskId: `canary-${String(i)}`,
        project: 'app',
        projectRoot: data.path,
        text: 'fix the parser',
      });
      if (used.includes('flaky')) injected++;
    }
    return injected;
  }

  it('moves a failing skill through watch, quarantine (a deterministic ~10 % canary) and retired (never)', async () => {
    const h = harness!;
    await h.skills.create(
      'flaky',
      '# Flaky advice for parsers\n<!-- trigger-patterns: parser -->\nAlways rewrite the parser.\n',
    );
    expect(await injectedShare(h)).toBe(TASKS);

    const seen = [await day(h, 5, 'failed', 1)];
    expect(seen).toEqual(['watch']);
    expect(await injectedShare(h)).toBe(TASKS);

    for (let d = 2; d <= 4 && seen.at(-1) !== 'quarantine'; d++) seen.push(await day(h, 5, 'failed', d));
    expect(seen.at(-1)).toBe('quarantine');
    const share = await injectedShare(h);
    // ~10 %: 40 of 400, with room for the hash's spread.
    expect(share).toBeGreaterThan(TASKS * 0.05);
    expect(share).toBeLessThan(TASKS * 0.15);
    // Deterministic: the same tasks get the same answer.
    expect(await injectedShare(h)).toBe(share);

    for (let d = 5; d <= 12 && seen.at(-1) !== 'retired'; d++) seen.push(await day(h, 5, 'failed', d));
    expect(seen.at(-1)).toBe('retired');
    expect(await injectedShare(h)).toBe(0);
    // Every move was an event.
    const moves = await h.events.query({ hook: 'skill_status_changed', limit: 10 });
    expect(moves.map((e) => e.reason).reverse()).toEqual(['active→watch', 'watch→quarantine', 'quarantine→retired']);
    expect(await h.events.latest({ hook: 'skill_governance_tick' })).toBeDefined();
  }, 180_000);
});

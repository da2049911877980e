import type { HarnessConfig } from '@agent-harness/core';
import { resolveConfig } from '@agent-harness/core';
import { type HealthGrade } from '@agent-harness/observe';
import { InMemoryEventStore } from '@agent-harness/observe/testing';
import { InMemoryProjectCatalog } from '@agent-harness/testing';
import { describe, expect, it } from 'vitest';
import type { GcService } from '../gc/gc-service.js';
import type { RulesService } from '../rules/rules-service.js';
import { JobRunner, type ScheduledJob } from './job-runner.js';
import { gcJob, type SchedulerJobDeps } from './scheduler-jobs.js';

const HOUR = 3_600_000;

function config(toml = ''): HarnessConfig {
  const result = resolveConfig({
    file: { path: '/x/h.toml', text: toml },
    env: {},
    homeDir: '/h',
    cwd: '/',
    inspectDirectory: () => ({ kind: 'repository', root: '/r' }) as never,
  });
  if (!result.ok) throw result.error;
  return result.value;
}

function job(run: () => Promise<{ summary: string }>, intervalMs = HOUR): ScheduledJob {
  return { name: 'health', firstRun: 'after_interval', intervalMs: () => Promise.resolve(intervalMs), run };
}

describe('JobRunner', () => {
  it('never runs a job twice at once: the second call is a logged skip', async () => {
    const events = new InMemoryEventStore();
    const runner = new JobRunner({ events, now: () => new Date(), redact: (t) => t });
    let release: () => void = () => undefined;
    let runs = 0;
    const slow = job(async () => {
      runs += 1;
      await new Promise<void>((r) => (release = r));
      return { summary: 'scanned' };
    });
    const first = runner.run(slow);
    await new Promise((r) => setTimeout(r, 10));
    expect(await runner.run(slow)).toEqual({ status: 'skipped', reason: 'the previous run is still going' });
    release();
    expect(await first).toMatchObject({ status: 'ran' });
    expect(runs).toBe(1);
    const phases = (await events.query({ hook: 'scheduler', limit: 10 })).reverse().map((e) => e.detail);
    expect(phases).toEqual(['start', 'skip', 'done']);
  });

  it('is due an interval after the last start in the store, whichever runner (a restart) asks', async () => {
    const events = new InMemoryEventStore();
    let now = new Date('2026-11-25T00:00:00Z');
    const runner = new JobRunner({ events, now: () => now, redact: (t) => t });
    const hourly = job(() => Promise.resolve({ summary: 'ok' }));
    expect(await runner.dueInMs(hourly)).toBe(HOUR);
    await runner.run(hourly);
    now = new Date('2026-11-25T00:40:00Z');
    const restarted = new JobRunner({ events, now: () => now, redact: (t) => t });
    expect(await restarted.dueInMs(hourly)).toBe(20 * 60_000);
    now = new Date('2026-11-25T03:00:00Z');
    expect(await restarted.dueInMs(hourly)).toBe(0);
  });

  it('records a failure with the secret redacted', async () => {
    const events = new InMemoryEventStore();
    const runner = new JobRunner({ events, now: () => new Date(), redact: (t) => t.replaceAll('ghp_secret', '***') });
    const run = await runner.run(job(() => Promise.reject(new Error('push refused for ghp_secret'))));
    expect(run).toEqual({ status: 'failed', error: 'push refused for ***' });
    const failed = await events.latest({ hook: 'scheduler', detail: 'failed' });
    expect(failed?.reason).toBe('push refused for ***');
    expect(failed?.decision).toBe('block');
  });
});

describe('gcJob', () => {
  it('asks the grades again for every interval: the worst project sets it', async () => {
    const projects = new InMemoryProjectCatalog();
    for (const name of ['a', 'b'])
      await projects.add({ name, root: `/r/${name}`, isDefault: name === 'a', origin: 'config', active: true });
    const grades: Record<string, HealthGrade> = { a: 'A', b: 'A' };
    const rules = { health: (project?: string) => Promise.resolve({ grade: grades[project ?? 'a'] }) };
    const deps = {
      config: config('[schedulers.gc]\ngrade_a_hours = 100\ngrade_c_hours = 2\n'),
      projects,
      rules: rules as unknown as RulesService,
      gc: {} as GcService,
    } as unknown as SchedulerJobDeps;
    const gc = gcJob(deps);
    expect(await gc.intervalMs()).toBe(100 * HOUR);
    grades['b'] = 'C';
    expect(await gc.intervalMs()).toBe(2 * HOUR);
  });
});

#!/usr/bin/env node
// The telemetry event store at scale: seeds 1,000,000 events (100 days, 5 projects, a daily rule
// scan each) into a temporary SQLite database through the real migrations, then measures the
// health report (target < 1 s) and retention deleting the oldest 30% in bounded batches (total
// time and the longest single batch, which is how long other writers can be held up). Runs on the
// built packages: `NX_DAEMON=false npx nx run-many -t build -p observe persistence --output-style=static`
// first. Any error, or a wrong result, ends it with `BENCHMARK FAILED` and a non-zero exit;
// OBSERVE_BENCH_ENFORCE=1 also fails it when a target is missed.
import { mkdtempSync, rmSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { applyRetention, buildHealthReport, buildHealthReports } from '@agent-harness/observe';
import { openDatabase, TypeOrmEventStore } from '@agent-harness/persistence';

const EVENTS = Number(process.env.OBSERVE_BENCH_EVENTS ?? 1_000_000);
const RUNS = Number(process.env.OBSERVE_BENCH_RUNS ?? 10);
const ENFORCE = process.env.OBSERVE_BENCH_ENFORCE === '1';
const PROJECTS = ['app', 'api', 'web', 'lib', 'cli'];
const DAYS = 100;
/** 30% of the seeded days are older than this: retention deletes the oldest 30%. */
const RETENTION_DAYS = 70;
const DAY = 86_400_000;
const HEALTH_TARGET_MS = 1000;
const now = new Date('2026-11-24T12:00:00.000Z');

const ms = (start) => Number(process.hrtime.bigint() - start) / 1e6;
const pct = (xs, p) =>
  [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.max(0, Math.ceil(xs.length * p) - 1))];
const rows = [];
/** A row: p50 and p99 of a sample, what else it showed, and its target when it has one. */
function row(what, times, extra = '', targetMs) {
  const r = { what, p50: pct(times, 0.5), p99: pct(times, 0.99), extra, targetMs };
  r.met = targetMs === undefined ? undefined : r.p99 < targetMs;
  rows.push(r);
  console.error(`  ${what}: p50 ${r.p50.toFixed(1)} ms, p99 ${r.p99.toFixed(1)} ms ${extra}`);
}
const check = (condition, message) => {
  if (!condition) throw new Error(message);
};

const COLUMNS =
  'ts, project, task_id, session_id, hook, tool, decision, severity, reason, detail, duration_ms, content';
const FAILURES = ['agent_error', 'agent_timeout', 'validation_failed', 'no_changes', 'cancelled'];
const SEVERITIES = ['critical', 'high', 'medium', 'low'];

/** Row values of the i-th of `count` task events: the mix a busy Harness emits. */
function taskEvent(i, count) {
  const ts = new Date(now.getTime() - DAYS * DAY + Math.floor((i * DAYS * DAY) / count)).toISOString();
  const project = PROJECTS[i % PROJECTS.length];
  const task = `task-${Math.floor(i / 40)}`;
  const r = i % 100;
  if (r < 5) return [ts, project, task, null, 'task_implemented', 'claude', 'complete', null, null, null, 90_000, null];
  if (r < 7)
    return [ts, project, task, null, 'task_failed', 'claude', 'block', null, FAILURES[i % 5], 'failed', 60_000, null];
  if (r < 27)
    return [
      ts,
      project,
      task,
      null,
      'validation',
      `cmd-${i % 4}`,
      i % 9 === 0 ? 'block' : 'pass',
      null,
      null,
      null,
      1200,
      null,
    ];
  if (r < 32)
    return [
      ts,
      project,
      task,
      null,
      'review_round',
      'codex',
      i % 4 === 0 ? 'warn' : 'pass',
      null,
      null,
      String(1 + (i % 2)),
      null,
      null,
    ];
  if (r < 35) return [ts, project, task, null, 'slow_operation', 'git fetch', 'warn', null, null, null, 7000, null];
  if (r < 37) return [ts, project, task, null, 'quality_grade', null, 'pass', null, 'score=91.0', 'A', null, null];
  return [
    ts,
    project,
    task,
    null,
    'file_edit',
    'modify',
    'pass',
    null,
    null,
    `src/module-${i % 300}/file.ts`,
    null,
    null,
  ];
}

/** A daily scan per project: one rule_scan and `violations` rule_check events. */
function scanEvents(day, project, violations) {
  const ts = new Date(now.getTime() - (DAYS - day) * DAY + 3_600_000).toISOString();
  const scanId = `scan-${project}-${day}`;
  const counts = { critical: 0, high: 0, medium: 0, low: 0 };
  const checks = [];
  for (let v = 0; v < violations; v++) {
    const severity = SEVERITIES[v % 4];
    counts[severity]++;
    const decision = severity === 'critical' || severity === 'high' ? 'block' : 'warn';
    checks.push([
      ts,
      project,
      null,
      scanId,
      'rule_check',
      `R-${v % 25}`,
      decision,
      severity,
      'msg',
      `src/f${v}.ts:${v}`,
      null,
      null,
    ]);
  }
  const summary = JSON.stringify({ violations: counts, rulesLoaded: 40, guardsRun: 6, guardsFailed: 0 });
  return [
    [ts, project, null, scanId, 'rule_scan', 'rules', 'warn', null, `violations=${violations}`, summary, 800, null],
    ...checks,
  ];
}

/** Seeds through better-sqlite3 (the DataSource's own connection): one transaction, one prepared statement. */
function seed(dataSource) {
  const sqlite = dataSource.driver.databaseConnection;
  const insert = sqlite.prepare(
    `INSERT INTO telemetry_events (${COLUMNS}) VALUES (${COLUMNS.split(',')
      .map(() => '?')
      .join(', ')})`,
  );
  const scans = DAYS * PROJECTS.length * 21;
  const tasks = EVENTS - scans;
  check(tasks > 0, `OBSERVE_BENCH_EVENTS must be above ${scans}`);
  sqlite.transaction(() => {
    // Interleaved by time, as they would have been appended.
    let next = 0;
    for (let day = 0; day < DAYS; day++) {
      const end = Math.floor(((day + 1) * tasks) / DAYS);
      for (; next < end; next++) insert.run(taskEvent(next, tasks));
      for (const project of PROJECTS) for (const values of scanEvents(day, project, 20)) insert.run(values);
    }
  })();
}

async function main() {
  const dir = mkdtempSync(join(tmpdir(), 'observe-bench-'));
  const db = await openDatabase({ file: join(dir, 'harness.db') });
  try {
    const store = new TypeOrmEventStore(db.dataSource);
    console.error(`seeding ${EVENTS} events over ${DAYS} days, ${PROJECTS.length} projects`);
    let t = process.hrtime.bigint();
    seed(db.dataSource);
    const seeded = ms(t);
    const [{ count: total }] = await store.countBy({}, []);
    check(total === EVENTS, `seeded ${total} events, expected ${EVENTS}`);
    row(`seed ${EVENTS} events (one transaction)`, [seeded], `${Math.round(EVENTS / (seeded / 1000))} events/s`);

    const time = async (what, work, targetMs, extra) => {
      const times = [];
      let last;
      for (let i = 0; i < RUNS; i++) {
        t = process.hrtime.bigint();
        last = await work();
        times.push(ms(t));
      }
      row(`${what} (${RUNS} runs)`, times, extra?.(last) ?? '', targetMs);
      return last;
    };
    const describe = (r) => `score ${r.score} ${r.grade}, ${r.events.total} events in window`;
    const one = await time(
      'health report, one project, 30 days',
      () => buildHealthReport(store, { project: 'app', now }),
      HEALTH_TARGET_MS,
      describe,
    );
    check(one.hasData && one.violations.scans.length === 1, 'the project report has no data or no scan');
    const all = await time(
      'health report, all projects, 30 days',
      () => buildHealthReport(store, { now }),
      HEALTH_TARGET_MS,
      describe,
    );
    check(all.violations.scans.length === PROJECTS.length, 'the all-projects report misses scans');
    const [{ count: inWindow }] = await store.countBy({ since: all.window.since }, []);
    check(all.events.total === inWindow, `report counted ${all.events.total} events, the window holds ${inWindow}`);
    const whole = await time(
      `health report, all projects, all ${DAYS} days`,
      () => buildHealthReport(store, { now, windowMs: (DAYS + 1) * DAY }),
      HEALTH_TARGET_MS,
      describe,
    );
    check(whole.events.total === EVENTS, `the whole-history report counted ${whole.events.total} events`);
    await time(
      `health reports, all + each of ${PROJECTS.length} projects, 30 days`,
      () => buildHealthReports(store, { now }),
      undefined,
      (r) => `${r.projects.length} projects`,
    );

    const appendTimes = [];
    for (let i = 0; i < RUNS; i++) {
      const batch = Array.from({ length: 500 }, (_, j) => ({
        ts: now.toISOString(),
        project: 'app',
        taskId: `new-${i}`,
        hook: 'file_edit',
        decision: 'pass',
        tool: 'modify',
        detail: `src/new-${j}.ts`,
      }));
      t = process.hrtime.bigint();
      await store.append(batch);
      appendTimes.push(ms(t));
    }
    row(`append 500 events (one INSERT, ${RUNS} runs)`, appendTimes);

    const cutoff = new Date(now.getTime() - RETENTION_DAYS * DAY).toISOString();
    const [{ count: older }] = await store.countBy({ until: cutoff }, []);
    const batchTimes = [];
    const timed = {
      deleteOlderThan: async (before, size) => {
        const start = process.hrtime.bigint();
        const n = await store.deleteOlderThan(before, size);
        batchTimes.push(ms(start));
        return n;
      },
    };
    t = process.hrtime.bigint();
    const result = await applyRetention(timed, { retentionDays: RETENTION_DAYS, now, batchSize: 5000, pauseMs: 10 });
    const retention = ms(t);
    check(result.complete && result.deleted === older, `retention deleted ${result.deleted} of ${older} old events`);
    const [{ count: left }] = await store.countBy({ until: cutoff }, []);
    check(left === 0, `${left} events older than the cutoff are left`);
    const [{ count: kept }] = await store.countBy({}, []);
    check(kept === EVENTS + RUNS * 500 - older, `retention kept ${kept} events`);
    row(
      `retention: ${older} events (${((100 * older) / EVENTS).toFixed(0)}%), ${result.batches} batches of 5000`,
      [retention],
      `longest batch ${Math.max(...batchTimes).toFixed(1)} ms, p50 batch ${pct(batchTimes, 0.5).toFixed(1)} ms`,
    );
    await time(
      'health report, all projects, 30 days, after retention',
      () => buildHealthReport(store, { now }),
      HEALTH_TARGET_MS,
      describe,
    );
  } finally {
    await db.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

try {
  await main();
} catch (error) {
  console.error(`\nBENCHMARK FAILED: ${error instanceof Error ? error.stack : String(error)}`);
  process.exit(1);
}

console.log('\n| measurement | p50 | p99 | | target |');
console.log('|---|---:|---:|---|---|');
const cell = (v) => `${v.toFixed(1)} ms`;
for (const r of rows)
  console.log(
    `| ${r.what} | ${cell(r.p50)} | ${cell(r.p99)} | ${r.extra} | ${r.targetMs === undefined ? '' : `< ${r.targetMs} ms ${r.met ? 'met' : 'MISSED'}`} |`,
  );
console.log(`\n(node ${process.version}, ${cpus().length} cores, ${EVENTS} events)`);
const missed = rows.filter((r) => r.met === false);
if (missed.length > 0) {
  console.error(`target missed: ${missed.map((r) => r.what).join('; ')}`);
  if (ENFORCE) {
    console.error('BENCHMARK FAILED: a target was missed (OBSERVE_BENCH_ENFORCE=1)');
    process.exit(1);
  }
}

import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { FleetResponse, StatusEventData, TaskListResponse } from '@agent-harness/core';
import { openDatabase, sqlRows, type Database } from '@agent-harness/persistence';
import { ACTIVE_STATUSES } from '@agent-harness/queue';
import {
  FAKE_AGENT_BIN_DIR,
  createTempDir,
  createTempGitRepo,
  createTempPostgresDatabase,
  killStartedHarnessProcesses,
  startFakeGitHub,
  startHarnessServer,
  type FakeGitHub,
  type HarnessServerProcess,
  type TempDir,
  type TempGitRepo,
  type TempPostgresDatabase,
} from '@agent-harness/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

// Fleet mode as an operator runs it: three servers of the built CLI on one PostgreSQL database,
// each with its own checkouts and worktrees, 300 tasks over two projects, one server killed with
// SIGKILL mid-run. Scripted agents and the GitHub stand-in replace the models and GitHub.
const cliPath = join(import.meta.dirname, '..', 'dist', 'main.js');
const TASKS_PER_PROJECT = 150;
const LIMITS = { app: 5, web: 3 } as const;
const SERVER_SLOTS = 4;

interface StatusEvent {
  seq: number;
  kind: string;
  data: StatusEventData;
}

describe('fleet mode: three servers share one queue on PostgreSQL', () => {
  let home: TempDir;
  let db: TempPostgresDatabase;
  let github: FakeGitHub;
  const repos: Record<string, TempGitRepo> = {};
  const servers: HarnessServerProcess[] = [];
  let sampler: Database | undefined;

  beforeAll(async () => {
    home = await createTempDir('harness-fleet-');
    db = await createTempPostgresDatabase();
    github = await startFakeGitHub({ token: 'ghp_fleet_token' });
    for (const name of Object.keys(LIMITS)) repos[name] = await createTempGitRepo({ withOrigin: true });
  });
  afterAll(async () => {
    for (const server of servers) await server.stop('SIGTERM', 15_000).catch(() => undefined);
    killStartedHarnessProcesses();
    await sampler?.close();
    await github.close();
    await db.drop();
    await Promise.all([home.cleanup(), ...Object.values(repos).map((r) => r.cleanup())]);
  });

  /** A server's configuration: its own data_dir and its own clones of both projects. */
  function configFor(index: number): string {
    const dir = join(home.path, `server-${String(index)}`);
    mkdirSync(dir, { recursive: true });
    const projects = Object.entries(repos).flatMap(([name, repo]) => {
      const checkout = join(dir, name);
      execFileSync('git', ['clone', '-q', repo.originPath ?? '', checkout], {
        env: { ...process.env, ...repo.gitEnv },
      });
      return [
        '[[projects]]',
        `name = "${name}"`,
        `root = ${JSON.stringify(checkout)}`,
        `repo = "octo/${name}"`,
        `max_concurrent = ${String(LIMITS[name as keyof typeof LIMITS])}`,
      ];
    });
    const file = join(dir, 'harness.toml');
    writeFileSync(
      file,
      [
        '[server]',
        `data_dir = ${JSON.stringify(join(dir, 'data'))}`,
        // Short, so the test sees a dead server's tasks taken back soon; long enough for a loaded machine.
        'lease_secs = 20',
        '[database]',
        `url = ${JSON.stringify(db.url)}`,
        '[concurrency]',
        `max_concurrent_tasks = ${String(SERVER_SLOTS)}`,
        'max_queue_size = 1000',
        '[schedulers]',
        'enabled = false',
        '[github]',
        `api_url = ${JSON.stringify(github.url)}`,
        // The stand-in has no secondary rate limit: 300 PRs need not wait a second each.
        'pace_writes = false',
        '[agents.review]',
        'enabled = false',
        '[agents.claude]',
        `cli_path = ${JSON.stringify(join(FAKE_AGENT_BIN_DIR, 'claude'))}`,
        '[agents.claude.env]',
        `FAKE_AGENT_SCENARIO = ${JSON.stringify(JSON.stringify({ edits: [{ path: 'f.txt', content: 'x\n' }] }))}`,
        ...projects,
        '',
      ].join('\n'),
    );
    return file;
  }

  it('runs 300 tasks exactly once within the limits, survives a kill -9, and streams every task everywhere', async () => {
    const gitEnv = Object.values(repos)[0]?.gitEnv ?? {};
    for (let i = 0; i < 3; i += 1) {
      servers.push(
        await startHarnessServer({
          cliPath,
          args: ['--config', configFor(i)],
          env: { ...gitEnv, GITHUB_TOKEN: 'ghp_fleet_token' },
          home: home.path,
          timeoutMs: 60_000,
        }),
      );
    }
    const [first, doomed, third] = servers as [HarnessServerProcess, HarnessServerProcess, HarnessServerProcess];
    const fleet = (await (await fetch(`${first.url}/api/fleet`)).json()) as FleetResponse;
    expect(fleet.database).toBe('postgres');
    expect(fleet.servers.filter((s) => s.alive)).toHaveLength(3);

    // Sample the limits while the fleet works: per project across servers, per server its slots.
    const store = await openDatabase({ url: db.url });
    sampler = store;
    const violations: string[] = [];
    let samples = 0;
    // An object, not a `let`: the sampling loop reads it while the test awaits.
    const sampling = { on: true };
    const sample = (async () => {
      while (sampling.on) {
        const rows = await sqlRows<{ project: string; lease_owner: string | null }>(
          store.dataSource,
          `SELECT project, lease_owner FROM tasks WHERE status IN (${ACTIVE_STATUSES.map(() => '?').join(', ')})`,
          ACTIVE_STATUSES,
        );
        samples += 1;
        for (const [project, limit] of Object.entries(LIMITS)) {
          const n = rows.filter((r) => r.project === project).length;
          if (n > limit) violations.push(`${project}: ${String(n)} active > ${String(limit)}`);
        }
        const byServer = new Map<string, number>();
        for (const r of rows) byServer.set(r.lease_owner ?? '?', (byServer.get(r.lease_owner ?? '?') ?? 0) + 1);
        for (const [owner, n] of byServer)
          if (n > SERVER_SLOTS) violations.push(`${owner}: ${String(n)} active > ${String(SERVER_SLOTS)} slots`);
        await new Promise((r) => setTimeout(r, 100));
      }
    })();

    // 300 tasks, submitted through one server in batches.
    const ids: string[] = [];
    for (const project of Object.keys(LIMITS)) {
      for (let start = 0; start < TASKS_PER_PROJECT; start += 50) {
        const res = await fetch(`${first.url}/tasks/batch`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({
            project,
            tasks: Array.from({ length: 50 }, (_, i) => ({
              prompt: `Add f.txt (${project} ${String(start + i)})`,
            })),
          }),
        });
        expect(res.status).toBe(202);
        const results = (await res.json()) as { task_id: string }[];
        ids.push(...results.map((r) => r.task_id));
      }
    }
    expect(new Set(ids).size).toBe(2 * TASKS_PER_PROJECT);
    // Streams on the first server of tasks submitted just now: whichever server runs them, their
    // events must reach this one (the table, then NOTIFY) until their end.
    // Every tenth task (30 of them), spread over the queue: the servers claim them in turn.
    const watched = ids.filter((_, i) => i % 10 === 9);
    const liveStreams = watched.map(async (id) =>
      (await fetch(`${first.url}/tasks/${id}/stream`)).text().catch((error: unknown) => `failed: ${String(error)}`),
    );

    const count = async (status: string) =>
      ((await (await fetch(`${third.url}/tasks?status=${status}&limit=1`)).json()) as TaskListResponse).total;
    // Kill one server mid-run, while it holds work.
    const doomedId = (await (await fetch(`${doomed.url}/api/fleet`)).json()) as FleetResponse;
    const deadline = Date.now() + 600_000;
    const started = Date.now();
    while ((await count('done')) < 60 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 200));
    let holding: string[] = [];
    while (holding.length === 0 && Date.now() < deadline) {
      const now = (await (await fetch(`${third.url}/api/fleet`)).json()) as FleetResponse;
      holding = now.servers.find((s) => s.id === doomedId.self)?.running.map((t) => t.id) ?? [];
      if (holding.length === 0) await new Promise((r) => setTimeout(r, 50));
    }
    expect(holding.length).toBeGreaterThan(0);
    process.kill(doomed.pid, 'SIGKILL');
    await doomed.exited;

    while ((await count('done')) + (await count('failed')) < ids.length && Date.now() < deadline)
      await new Promise((r) => setTimeout(r, 500));
    const failed = await sqlRows<{ id: string; attempt: number; error: string }>(
      store.dataSource,
      "SELECT id, attempt, error FROM tasks WHERE status = 'failed'",
    );
    for (const f of failed) console.log(`fleet e2e: failed ${f.id} (attempt ${String(f.attempt)}): ${f.error}`);
    const statuses = await sqlRows<{ status: string; n: string }>(
      store.dataSource,
      'SELECT status, COUNT(*) AS n FROM tasks GROUP BY status',
    );
    console.log(
      `fleet e2e: ${String(Math.round((Date.now() - started) / 1000))} s, ${statuses.map((r) => `${r.status} ${r.n}`).join(', ')}, ${String(samples)} samples, killed holding ${String(holding.length)}`,
    );
    sampling.on = false;
    await sample;
    expect(await count('done')).toBe(ids.length);
    expect(violations).toEqual([]);
    expect(samples).toBeGreaterThan(20);

    // Every task ended exactly once; its attempts never overlapped (each claim is released before
    // the next); the killed server's tasks were taken back by a survivor.
    const survivors = new Set<string>();
    for (const server of [first, third]) {
      const f = (await (await fetch(`${server.url}/api/fleet`)).json()) as FleetResponse;
      survivors.add(f.self);
    }
    let takenBack = 0;
    const lastClaim = new Map<string, string>();
    for (const id of ids) {
      const rows = await sqlRows<{ seq: number; kind: string; data: string }>(
        store.dataSource,
        'SELECT seq, kind, data FROM task_events WHERE task_id = ? ORDER BY seq',
        [id],
      );
      const events: StatusEvent[] = rows.map((r) => ({
        seq: r.seq,
        kind: r.kind,
        data: JSON.parse(r.data) as StatusEventData,
      }));
      expect(events.map((e) => e.seq)).toEqual(events.map((_, i) => i + 1));
      expect(events.filter((e) => e.kind === 'end')).toHaveLength(1);
      let claimedBy: string | undefined;
      const claims: string[] = [];
      for (const e of events.filter((x) => x.kind === 'status')) {
        if (e.data.to === 'preparing') {
          expect(claimedBy, `task ${id} claimed while claimed`).toBeUndefined();
          claimedBy = e.data.server;
          claims.push(e.data.server ?? '?');
        } else if (e.data.to === 'queued' || e.data.to === 'done') claimedBy = undefined;
      }
      lastClaim.set(id, claims.at(-1) ?? '?');
      // A task the killed server held when it died (unless it finished just before) was taken
      // back and finished by a survivor.
      if (holding.includes(id) && claims.length > 1) {
        takenBack += 1;
        expect(claims.slice(0, -1)).toContain(doomedId.self);
        expect(survivors.has(claims.at(-1) ?? '')).toBe(true);
      }
    }
    expect(takenBack).toBeGreaterThan(0);

    // One branch per task on each origin, at most one PR per task on the GitHub stand-in.
    for (const [name, repo] of Object.entries(repos)) {
      const branches = execFileSync('git', ['ls-remote', '--heads', repo.originPath ?? '', 'harness/*'], {
        encoding: 'utf8',
        env: { ...process.env, ...repo.gitEnv },
      })
        .trim()
        .split('\n')
        .filter(Boolean);
      expect(branches).toHaveLength(TASKS_PER_PROJECT);
      const heads = github.pullRequests(`octo/${name}`).map((pr) => pr.head);
      expect(new Set(heads).size).toBe(heads.length);
      expect(heads.length).toBeLessThanOrEqual(TASKS_PER_PROJECT);
    }

    // The live streams on the first server got every event of their task, whoever ran it.
    const texts = await Promise.all(liveStreams);
    texts.forEach((text) => {
      const seqs = [...text.matchAll(/^id: (\d+)$/gm)].map((m) => Number(m[1]));
      expect(seqs).toEqual(seqs.map((_, i) => i + 1));
      expect(text).toContain('event: end');
    });
    expect(watched.some((id) => lastClaim.get(id) !== fleet.self)).toBe(true);

    // A survivor's stream replays a task the killed server worked on, with no gap, to its end.
    const replayed = holding.find((id) => lastClaim.get(id) !== doomedId.self) ?? holding[0];
    expect(replayed).toBeDefined();
    const stream = await (await fetch(`${third.url}/tasks/${replayed ?? ''}/stream`)).text();
    const seqs = [...stream.matchAll(/^id: (\d+)$/gm)].map((m) => Number(m[1]));
    expect(seqs).toEqual(seqs.map((_, i) => i + 1));
    expect(stream).toContain('event: end');
  }, 900_000);
});

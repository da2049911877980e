import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { chmodSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  FAKE_AGENT_BIN_DIR,
  createTempDir,
  createTempGitRepo,
  killStartedHarnessProcesses,
  startHarnessServer,
  type HarnessServerProcess,
  type TempDir,
  type TempGitRepo,
} from '@agent-harness/testing';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';

// The control surfaces as a user drives them from outside the process: JSON-RPC on stdio
// (`harness serve --transport stdio`) and the schedulers of a running server, fired within seconds.
const cliPath = join(import.meta.dirname, '..', 'dist', 'main.js');

interface RpcLine {
  readonly jsonrpc: string;
  readonly id?: number | null;
  readonly method?: string;
  readonly params?: Record<string, unknown>;
  readonly result?: Record<string, unknown>;
  readonly error?: { code: number; message: string };
}

/** A `harness serve --transport stdio` child: lines in, parsed lines out (every stdout line must parse). */
class StdioClient {
  readonly lines: RpcLine[] = [];
  stderr = '';
  private buffer = '';
  private readonly waiters: (() => void)[] = [];
  readonly exited: Promise<number | null>;

  constructor(readonly child: ChildProcessWithoutNullStreams) {
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (chunk: string) => {
      this.buffer += chunk;
      let newline: number;
      while ((newline = this.buffer.indexOf('\n')) !== -1) {
        const line = this.buffer.slice(0, newline);
        this.buffer = this.buffer.slice(newline + 1);
        // JSON.parse throws on anything that is not JSON-RPC output: a log line on stdout fails the test.
        this.lines.push(JSON.parse(line) as RpcLine);
        for (const wake of this.waiters.splice(0)) wake();
      }
    });
    child.stderr.on('data', (chunk: Buffer) => {
      this.stderr += chunk.toString();
    });
    this.exited = new Promise((resolve) => {
      child.on('exit', (code) => {
        resolve(code);
      });
    });
  }

  send(message: unknown): void {
    this.child.stdin.write(`${typeof message === 'string' ? message : JSON.stringify(message)}\n`);
  }

  async waitFor(match: (line: RpcLine) => boolean, timeoutMs = 60_000): Promise<RpcLine> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = this.lines.find(match);
      if (found !== undefined) return found;
      if (Date.now() > deadline) throw new Error(`no matching line; stderr:\n${this.stderr}`);
      await new Promise<void>((resolve) => {
        this.waiters.push(resolve);
        setTimeout(resolve, 500);
      });
    }
  }
}

interface SchedulerEvent {
  id: number;
  tool: string;
  detail: string;
  reason?: string;
}

/** A JSON-RPC session on a server, reading its `scheduler` events. */
async function startLog(url: string): Promise<() => Promise<SchedulerEvent[]>> {
  const post = async (body: unknown, session?: string) =>
    (await fetch(`${url}/rpc`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(session === undefined ? {} : { 'harness-session': session }) },
      body: JSON.stringify(body),
    }).then((r) => (r.status === 204 ? undefined : r.json()))) as RpcLine | undefined;
  const session = String((await post({ jsonrpc: '2.0', id: 1, method: 'initialize' }))?.result?.['session_id']);
  await post({ jsonrpc: '2.0', method: 'initialized' }, session);
  return async () => {
    const answer = await post(
      { jsonrpc: '2.0', id: 2, method: 'event_query', params: { hook: 'scheduler', limit: 1000 } },
      session,
    );
    return ((answer?.result?.['events'] ?? []) as SchedulerEvent[]).sort((a, b) => a.id - b.id);
  };
}

describe('control surfaces (built CLI, scripted agents)', () => {
  let home: TempDir;
  let repo: TempGitRepo;
  const children: ChildProcessWithoutNullStreams[] = [];
  let server: HarnessServerProcess | undefined;

  beforeEach(async () => {
    home = await createTempDir('harness-home-');
    repo = await createTempGitRepo({ withOrigin: true });
  });
  afterEach(async () => {
    await server?.stop('SIGTERM', 15_000);
    server = undefined;
    for (const child of children.splice(0)) if (child.exitCode === null) process.kill(-(child.pid ?? 0), 'SIGKILL');
    await Promise.all([home.cleanup(), repo.cleanup()]);
  });
  afterAll(() => {
    killStartedHarnessProcesses();
  });

  function writeConfig(
    extra: string[] = [],
    scenario: unknown = { edits: [{ path: 'f.txt', content: 'x\n' }] },
  ): string {
    const file = join(home.path, 'harness.toml');
    writeFileSync(
      file,
      [
        '[server]',
        `data_dir = ${JSON.stringify(join(home.path, 'data'))}`,
        '[agents.review]',
        'enabled = false',
        '[agents.claude]',
        `cli_path = ${JSON.stringify(join(FAKE_AGENT_BIN_DIR, 'claude'))}`,
        '[agents.claude.env]',
        `FAKE_AGENT_SCENARIO = ${JSON.stringify(JSON.stringify(scenario))}`,
        ...extra,
        '[[projects]]',
        'name = "app"',
        `root = ${JSON.stringify(repo.path)}`,
        '',
      ].join('\n'),
    );
    return file;
  }

  it('stdio: a session submits a task and receives its notifications until it is done', async () => {
    const config = writeConfig();
    const child = spawn(process.execPath, [cliPath, 'serve', '--transport', 'stdio', '--config', config], {
      env: { PATH: process.env['PATH'] ?? '', HOME: home.path, ...repo.gitEnv },
      detached: true,
    });
    children.push(child);
    const client = new StdioClient(child);

    client.send({ jsonrpc: '2.0', id: 1, method: 'task_list' });
    expect((await client.waitFor((l) => l.id === 1)).error?.code).toBe(-32003);
    client.send({ jsonrpc: '2.0', id: 2, method: 'initialize' });
    client.send({ jsonrpc: '2.0', method: 'initialized' });
    // A line that is not JSON is answered with a parse error, and the session goes on.
    client.send('{"jsonrpc":');
    expect((await client.waitFor((l) => l.error?.code === -32700)).id).toBeNull();
    client.send({ jsonrpc: '2.0', id: 3, method: 'task_submit', params: { prompt: 'Add f.txt' } });
    const submitted = await client.waitFor((l) => l.id === 3);
    const taskId = String(submitted.result?.['task_id']);

    const end = await client.waitFor(
      (l) =>
        l.method === 'task/event' &&
        l.params?.['task_id'] === taskId &&
        (l.params['event'] as { kind: string }).kind === 'end',
    );
    expect((end.params?.['event'] as { data: { status: string } }).data.status).toBe('done');
    const statuses = client.lines
      .filter((l) => l.method === 'task/status_changed' && l.params?.['task_id'] === taskId)
      .map((l) => l.params?.['to']);
    expect(statuses).toContain('running');
    expect(statuses.at(-1)).toBe('done');
    // The start-up line went to stderr; stdout held JSON-RPC only (every line parsed).
    expect(client.stderr).toContain('JSON-RPC on stdio');

    // Closing stdin ends the server cleanly.
    child.stdin.end();
    expect(await client.exited).toBe(0);
  });

  it('schedulers fire within seconds, log start and outcome, and never overlap a run', async () => {
    // A guard slower than the health interval: the next fire finds the run still going.
    const guards = join(repo.path, '.harness', 'guards');
    mkdirSync(guards, { recursive: true });
    writeFileSync(join(guards, 'slow.sh'), '#!/bin/sh\nsleep 3\nexit 0\n');
    chmodSync(join(guards, 'slow.sh'), 0o755);
    const config = writeConfig([
      '[schedulers.health]',
      'interval_hours = 0.0003',
      '[schedulers.gc]',
      'grade_a_hours = 0.0005',
      '[schedulers.self_evolution]',
      'interval_hours = 0.0005',
    ]);
    server = await startHarnessServer({
      cliPath,
      args: ['--config', config],
      env: { ...repo.gitEnv },
      home: home.path,
    });
    const url = server.url;
    const rpc = async (body: unknown, session?: string) => {
      const res = await fetch(`${url}/rpc`, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          ...(session === undefined ? {} : { 'harness-session': session }),
        },
        body: JSON.stringify(body),
      });
      return res.status === 204 ? undefined : ((await res.json()) as RpcLine);
    };
    const session = String((await rpc({ jsonrpc: '2.0', id: 1, method: 'initialize' }))?.result?.['session_id']);
    await rpc({ jsonrpc: '2.0', method: 'initialized' }, session);
    interface Event {
      id: number;
      tool: string;
      detail: string;
      reason?: string;
    }
    const schedulerEvents = async (): Promise<Event[]> => {
      const answer = await rpc(
        { jsonrpc: '2.0', id: 2, method: 'event_query', params: { hook: 'scheduler', limit: 1000 } },
        session,
      );
      return ((answer?.result?.['events'] ?? []) as Event[]).sort((a, b) => a.id - b.id);
    };

    const deadline = Date.now() + 60_000;
    let events: Event[] = [];
    const seen = (job: string, phase: string) => events.some((e) => e.tool === job && e.detail === phase);
    while (Date.now() < deadline) {
      events = await schedulerEvents();
      if (['health', 'gc', 'self_evolution', 'retention'].every((job) => seen(job, 'done')) && seen('health', 'skip'))
        break;
      await new Promise((r) => setTimeout(r, 500));
    }
    for (const job of ['health', 'gc', 'self_evolution', 'retention']) expect(seen(job, 'done'), job).toBe(true);
    expect(events.find((e) => e.tool === 'health' && e.detail === 'skip')?.reason).toBe(
      'the previous run is still going',
    );
    expect(events.find((e) => e.tool === 'self_evolution' && e.detail === 'done')?.reason).toContain('skills scored');
    // Per job, a start is always closed (done, skip or failed) before the next start.
    for (const job of ['health', 'gc', 'self_evolution']) {
      let open = false;
      for (const e of events.filter((x) => x.tool === job)) {
        if (e.detail === 'start') {
          expect(open, `${job} started while running`).toBe(false);
          open = true;
        } else if (e.reason !== 'the previous run is still going') open = false;
      }
    }
    // The health job scanned: its guard ran and the scan is in the store.
    const scans = await rpc(
      { jsonrpc: '2.0', id: 3, method: 'event_query', params: { hook: 'rule_scan', project: 'app' } },
      session,
    );
    expect((scans?.result?.['events'] as unknown[]).length).toBeGreaterThan(0);
  });

  it('the review scheduler reviews, skips when nothing was committed, and reviews a new commit', async () => {
    const report = {
      summary: 'One risk.',
      findings: [{ severity: 'medium', title: 'Unchecked input', file: 'README.md', description: 'Check it.' }],
    };
    const config = writeConfig(
      ['[review]', 'enabled = true', 'interval_hours = 0.0004', '[schedulers]', 'enabled = true'],
      { text: `Reviewed.\nREVIEW_JSON_START\n${JSON.stringify(report)}\nREVIEW_JSON_END` },
    );
    server = await startHarnessServer({
      cliPath,
      args: ['--config', config],
      env: { ...repo.gitEnv },
      home: home.path,
    });
    const reviews = async () =>
      ((await (await fetch(`${server?.url ?? ''}/api/reviews?project=app`)).json()) as { reviews: { head: string }[] })
        .reviews;
    const until = async (check: () => Promise<boolean>) => {
      const deadline = Date.now() + 60_000;
      while (!(await check())) {
        if (Date.now() > deadline) throw new Error('timed out');
        await new Promise((r) => setTimeout(r, 300));
      }
    };
    await until(async () => (await reviews()).length === 1);
    // The next fires find no new commit: skipped, no second review.
    const log = await startLog(server.url);
    await until(async () =>
      (await log()).some((e) => e.tool === 'review' && e.reason === 'no new commits since the last review'),
    );
    expect(await reviews()).toHaveLength(1);
    // A new commit is reviewed at the next fire.
    writeFileSync(join(repo.path, 'g.txt'), 'g\n');
    repo.git('add', 'g.txt');
    repo.git('commit', '-qm', 'g');
    await until(async () => (await reviews()).length === 2);
    const [newest, first] = await reviews();
    expect(newest?.head).not.toBe(first?.head);
  });

  it('--no-schedulers runs no background job', async () => {
    const config = writeConfig(['[schedulers.health]', 'interval_hours = 0.0001']);
    server = await startHarnessServer({
      cliPath,
      args: ['--config', config, '--no-schedulers'],
      env: { ...repo.gitEnv },
      home: home.path,
    });
    await new Promise((r) => setTimeout(r, 2000));
    const url = server.url;
    const init = (await (
      await fetch(`${url}/rpc`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'initialize' }),
      })
    ).json()) as RpcLine;
    const headers = { 'content-type': 'application/json', 'harness-session': String(init.result?.['session_id']) };
    await fetch(`${url}/rpc`, {
      method: 'POST',
      headers,
      body: JSON.stringify({ jsonrpc: '2.0', method: 'initialized' }),
    });
    const answer = (await (
      await fetch(`${url}/rpc`, {
        method: 'POST',
        headers,
        body: JSON.stringify({ jsonrpc: '2.0', id: 2, method: 'event_query', params: { hook: 'scheduler' } }),
      })
    ).json()) as RpcLine;
    expect(answer.result?.['events']).toEqual([]);
  });
});

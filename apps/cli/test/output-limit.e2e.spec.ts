import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { CreateTaskResponse, EndEventData, TaskDetail } from '@agent-harness/core';
import { openDatabase } from '@agent-harness/persistence';
import {
  FAKE_AGENT_BIN_DIR,
  createTempDir,
  createTempGitRepo,
  fakeAgentToml,
  sandboxAllowWriteToml,
  killStartedHarnessProcesses,
  readFakeAgentLog,
  startHarnessServer,
  type FakeAgentScenario,
  type HarnessServerProcess,
  type TempDir,
  type TempGitRepo,
} from '@agent-harness/testing';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';

// `[limits] task_output_mb` end to end: the built server runs a scripted Claude that prints about
// 50 MB of assistant text. The task ends as it would have, the database keeps at most the limit,
// the stream says the output was cut, and the server's memory does not grow with the output.
const cliPath = join(import.meta.dirname, '..', 'dist', 'main.js');

const MB = 1024 * 1024;
/** The default limit (config/default.toml). */
const LIMIT_BYTES = 10 * MB;
/** What the agent prints: 5,600 messages of 9,000 characters, about 50 MB as stream-json. */
const CHATTER = { messages: 5600, chars: 9000 };
/** How much the server's resident memory may grow for a 50 MB-printing agent (issue: under 30 MB). */
const MAX_RSS_GROWTH_BYTES = 30 * MB;

/**
 * The server's resident memory now and at its peak since `startMeasuring`, from /proc (Linux). The
 * peak is what a run costs while it runs; RSS after it may already be back down.
 */
function memoryOf(pid: number): { rss: number; peak: number } {
  const status = readFileSync(`/proc/${String(pid)}/status`, 'utf8');
  const kib = (field: string): number => Number(new RegExp(`^${field}:\\s+(\\d+) kB$`, 'm').exec(status)?.[1]) * 1024;
  return { rss: kib('VmRSS'), peak: kib('VmHWM') };
}

/** The memory now, with the peak reset to it (writing 5 to clear_refs resets VmHWM). */
function startMeasuring(pid: number): { rss: number; peak: number } {
  writeFileSync(`/proc/${String(pid)}/clear_refs`, '5');
  return memoryOf(pid);
}

/** Growth from `before` to now, of RSS and of the peak, in MB for messages. */
function growthSince(
  before: { rss: number },
  after: { rss: number; peak: number },
): { rss: number; peak: number; text: string } {
  const mb = (bytes: number): string => (bytes / MB).toFixed(1);
  return {
    rss: after.rss - before.rss,
    peak: after.peak - before.rss,
    text: `RSS ${mb(before.rss)} → ${mb(after.rss)} MB, peak ${mb(after.peak)} MB`,
  };
}

describe('output limit (built server, scripted agent printing 50 MB)', () => {
  let home: TempDir;
  let repo: TempGitRepo;
  let server: HarnessServerProcess | undefined;

  beforeEach(async () => {
    home = await createTempDir('harness-home-');
    repo = await createTempGitRepo({ withOrigin: true });
  });
  afterEach(async () => {
    await server?.stop('SIGTERM', 15_000);
    server = undefined;
    await home.cleanup();
    await repo.cleanup();
  });
  afterAll(() => {
    killStartedHarnessProcesses();
  });

  const api = async <T>(path: string, init: RequestInit = {}): Promise<T> => {
    const res = await fetch(`${String(server?.url)}${path}`, {
      ...init,
      headers: { 'content-type': 'application/json' },
    });
    return (await res.json()) as T;
  };
  async function until(id: string, statuses: readonly string[], ms: number): Promise<TaskDetail> {
    const deadline = Date.now() + ms;
    for (;;) {
      const task = await api<TaskDetail>(`/tasks/${id}`);
      if (statuses.includes(task.status)) return task;
      if (Date.now() > deadline) throw new Error(`task ${id} is ${task.status}, not ${statuses.join('/')}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  async function waitFor(check: () => boolean, what: string, ms = 60_000): Promise<void> {
    const deadline = Date.now() + ms;
    while (!check()) {
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  /** Starts the server with the scripted Claude playing `scenario`; `limitMb` sets `[limits] task_output_mb`. */
  async function start(scenario: FakeAgentScenario, limitMb?: number): Promise<HarnessServerProcess> {
    const config = join(home.path, 'harness.toml');
    writeFileSync(
      config,
      [
        '[server]',
        `data_dir = "${join(home.path, 'data')}"`,
        '[agents.claude]',
        `cli_path = "${FAKE_AGENT_BIN_DIR}/claude"`,
        // Agents get only their own config's environment, not the server's.
        fakeAgentToml('claude', scenario, join(home.path, 'agent.log'), join(home.path, 'agent.count')),
        sandboxAllowWriteToml(home.path),
        '[agents.review]',
        'enabled = false',
        ...(limitMb === undefined ? [] : ['[limits]', `task_output_mb = ${String(limitMb)}`]),
        '[[projects]]',
        'name = "a"',
        `root = "${repo.path}"`,
        '',
      ].join('\n'),
    );
    server = await startHarnessServer({
      cliPath,
      args: ['--config', config],
      home: home.path,
      env: { ...repo.gitEnv },
    });
    return server;
  }
  const submit = async (prompt: string): Promise<string> =>
    (
      await api<CreateTaskResponse>('/tasks', {
        method: 'POST',
        body: JSON.stringify({ project: 'a', prompt, description: prompt }),
      })
    ).task_id;
  const edit = { path: 'notes.txt', content: 'written after a lot of talk\n' };

  it('stores at most the limit, streams the cut notice, finishes the task, and keeps the memory flat', async () => {
    const gate = join(home.path, 'go');
    const log = join(home.path, 'agent.log');
    // Run 1 warms the server up: its code loaded, and what is bounded by design filled to its bound,
    // SQLite's page cache above all (better-sqlite3 keeps up to 16 MB of pages, which storing a
    // task's 10 MB fills whatever else wrote them). Run 2, the measured one, is held at the gate
    // until its stream is open: no run may leave the server larger than the one before.
    const harness = await start({
      edits: [edit],
      runs: [
        { chatter: CHATTER, text: 'Warmed up.' },
        { chatter: CHATTER, startWhenFileExists: gate, text: 'Said a lot.' },
      ],
    });

    const warm = await submit('warm up');
    expect(await until(warm, ['done', 'failed'], 240_000)).toMatchObject({ status: 'done' });
    const before = startMeasuring(harness.pid);

    const chatty = await submit('talk a lot');
    await waitFor(() => readFakeAgentLog(log).length === 2, 'the chatty agent to start');
    // The stream is open (its headers come once it follows the task) before the agent says anything:
    // what it gets is what live watchers get. A burst can cut a client that reads slower than the
    // events come (256 KiB unsent): it resumes with Last-Event-ID, as EventSource does.
    const openStream = (after: number): Promise<Response> =>
      fetch(`${harness.url}/tasks/${chatty}/stream`, { headers: { 'last-event-id': String(after) } });
    let response = await openStream(0);
    writeFileSync(gate, '');
    let raw = '';
    for (let connections = 1; ; connections++) {
      const part = await response.text();
      raw += part;
      if (/^event: end$/m.test(part)) break;
      expect(connections, 'stream reconnections').toBeLessThan(200);
      response = await openStream(Math.max(0, ...[...raw.matchAll(/^id: (\d+)$/gm)].map((m) => Number(m[1]))));
    }
    const ended = await until(chatty, ['done', 'failed'], 240_000);
    const after = memoryOf(harness.pid);

    // The agent kept running to its end: the task is done with its work committed.
    expect(ended).toMatchObject({ status: 'done', error: null });

    // The stream: the first part of the output, one notice, the end with the counts; not 50 MB.
    expect(raw.length).toBeLessThan(LIMIT_BYTES + MB);
    const kinds = [...raw.matchAll(/^event: (\w+)$/gm)].map((m) => m[1]);
    expect(kinds.filter((k) => k === 'output_truncated')).toHaveLength(1);
    // Nothing twice, nothing missing.
    const ids = [...raw.matchAll(/^id: (\d+)$/gm)].map((m) => Number(m[1]));
    expect(ids).toEqual(ids.map((_, i) => i + 1));
    expect(kinds.at(-1)).toBe('end');
    expect(raw).toContain('[limits] task_output_mb');
    const endLine = raw.trimEnd().split('\n').at(-1) ?? '';
    const end = (JSON.parse(endLine.replace(/^data: /, '')) as { data: EndEventData }).data;
    expect(end.status).toBe('done');
    expect(end.output_truncated).toMatchObject({ limit_bytes: LIMIT_BYTES });
    // Nearly all of the 5,600 messages were counted, not stored (each is about 9 KB).
    expect(end.output_truncated?.dropped_events).toBeGreaterThan(CHATTER.messages - LIMIT_BYTES / 9000 - 10);
    expect(end.output_truncated?.dropped_bytes).toBeGreaterThan(35 * MB);

    // The database: the task's agent events stay under the limit, bytes as stored.
    const database = await openDatabase({ file: join(home.path, 'data', 'harness.db') });
    try {
      const rows = await database.dataSource.query<{ kind: string; bytes: number; events: number }[]>(
        `SELECT kind, SUM(LENGTH(CAST(data AS BLOB))) AS bytes, COUNT(*) AS events
           FROM task_events WHERE task_id = ? GROUP BY kind`,
        [chatty],
      );
      const byKind = new Map(rows.map((r) => [r.kind, r]));
      expect(byKind.get('agent')?.bytes).toBeLessThanOrEqual(LIMIT_BYTES);
      expect(byKind.get('agent')?.bytes).toBeGreaterThan(LIMIT_BYTES - 100_000);
      expect(byKind.get('output_truncated')?.events).toBe(1);
      const total = rows.reduce((sum, r) => sum + r.bytes, 0);
      // Status changes, validation and the end come on top: a few KB.
      expect(total).toBeLessThan(LIMIT_BYTES + 64 * 1024);
    } finally {
      await database.close();
    }

    // Memory: the output went through the server without staying in it.
    const growth = growthSince(before, after);
    expect(growth.peak, growth.text).toBeLessThan(MAX_RSS_GROWTH_BYTES);
    expect(growth.rss, growth.text).toBeLessThan(MAX_RSS_GROWTH_BYTES);
  }, 360_000);

  it('handles 50 MB of output on a fresh server for little memory (a small limit: what is stored costs apart)', async () => {
    // A quiet task first (code loaded, pools made), then the chatty one with 1 MB stored: what the
    // output costs to handle, on its own. With 5,000 events kept for late subscribers (before), the
    // server's peak grew about 60 MB here.
    const harness = await start({ edits: [edit], runs: [{ text: 'Warmed up.' }, { chatter: CHATTER }] }, 1);
    expect(await until(await submit('warm up'), ['done', 'failed'], 60_000)).toMatchObject({ status: 'done' });
    const before = startMeasuring(harness.pid);
    const chatty = await submit('talk a lot');
    expect(await until(chatty, ['done', 'failed'], 240_000)).toMatchObject({ status: 'done' });
    const after = memoryOf(harness.pid);

    const growth = growthSince(before, after);
    expect(growth.peak, growth.text).toBeLessThan(MAX_RSS_GROWTH_BYTES);
    expect(growth.rss, growth.text).toBeLessThan(MAX_RSS_GROWTH_BYTES);
  }, 360_000);
});

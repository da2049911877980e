import { execFileSync } from 'node:child_process';
import { closeSync, mkdirSync, openSync, rmSync, statSync, truncateSync, writeFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import {
  createTempDir,
  createTempGitRepo,
  FAKE_AGENT_BIN_DIR,
  fakeAgentToml,
  killStartedHarnessProcesses,
  runHarness,
  sandboxAllowWriteToml,
  startHarnessServer,
  type FakeAgentScenario,
  type HarnessServerProcess,
  type TempDir,
  type TempGitRepo,
} from '@agent-harness/testing';
import type { CreateTaskResponse, ErrorBody, TaskDetail } from '@agent-harness/core';
import { afterAll, afterEach, beforeEach, describe, expect, it, type TestContext } from 'vitest';

// A full disk, for real: the data directory is a small tmpfs this spec mounts (it needs root, as
// CI has). Where it cannot mount, the tests fail saying so; HARNESS_TEST_SKIP_TMPFS=1 reports them
// as skipped instead (a machine without root), never silently.
const cliPath = join(import.meta.dirname, '..', 'dist', 'main.js');
const SKIP_ENV = 'HARNESS_TEST_SKIP_TMPFS';
const TMPFS_SIZE = '16m';
const STORAGE_LINE =
  /storage unavailable: the disk holding Harness's data is full \(SQLITE_FULL; ([^;]+); largest there: filler [^)]*\); dispatch paused, it resumes by itself once writes succeed again/g;
const RESUMED_LINE = /storage writable again: dispatch resumed/g;

/** Mounts a tmpfs of TMPFS_SIZE on `dir`; the reason when it cannot. */
function mountTmpfs(dir: string): string | undefined {
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${TMPFS_SIZE},mode=0700`, 'tmpfs', dir], { stdio: 'pipe' });
    return undefined;
  } catch (error) {
    const stderr = (error as { stderr?: Buffer }).stderr?.toString().trim();
    return stderr === undefined || stderr === '' ? String(error) : stderr;
  }
}

function unmount(dir: string): void {
  try {
    execFileSync('umount', [dir], { stdio: 'pipe' });
  } catch {
    // Not mounted (any more).
  }
}

/** Writes `filler` in `dir` until the disk is full; answers its path. */
function fillDisk(dir: string): string {
  const file = join(dir, 'filler');
  const fd = openSync(file, 'a');
  const chunk = Buffer.alloc(64 * 1024, 1);
  try {
    for (;;) writeSync(fd, chunk);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOSPC') throw error;
  } finally {
    closeSync(fd);
  }
  return file;
}

/** Polls `check` (bounded) until it answers something other than undefined. */
async function until<T>(what: string, check: () => Promise<T | undefined> | T | undefined, ms = 60_000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe('disk and database faults (built server, tmpfs data directory)', () => {
  let home: TempDir;
  let repo: TempGitRepo;
  let dataDir: string;
  let mountProblem: string | undefined;
  let server: HarnessServerProcess | undefined;
  const mounted = new Set<string>();

  beforeEach(async () => {
    home = await createTempDir('harness-home-');
    repo = await createTempGitRepo();
    dataDir = join(home.path, 'data');
    mkdirSync(dataDir);
    mountProblem = mountTmpfs(dataDir);
    if (mountProblem === undefined) mounted.add(dataDir);
  });
  afterEach(async () => {
    await server?.stop('SIGTERM', 15_000);
    server = undefined;
    unmount(dataDir);
    mounted.delete(dataDir);
    await home.cleanup();
    await repo.cleanup();
  });
  afterAll(() => {
    killStartedHarnessProcesses();
    for (const dir of mounted) unmount(dir);
  });

  /** Fails (or, with HARNESS_TEST_SKIP_TMPFS=1, skips) loudly when the tmpfs is not there. */
  function needTmpfs(ctx: TestContext): void {
    if (mountProblem === undefined) return;
    const why = `not run: cannot mount tmpfs (needs root): ${mountProblem}`;
    if (process.env[SKIP_ENV] === '1') {
      process.stderr.write(`*** ${why} (${SKIP_ENV}=1) ***\n`);
      ctx.skip(why);
    }
    throw new Error(`${why}; run as root, or set ${SKIP_ENV}=1 to report these tests as skipped`);
  }

  const WRITES_HELLO: FakeAgentScenario = { edits: [{ path: 'hello.txt', content: 'hello\n' }], text: 'done' };

  /** The config, with the scripted Claude playing `scenario` (agents get only their config's environment). */
  function writeConfig(scenario: FakeAgentScenario = WRITES_HELLO): string {
    const config = join(home.path, 'harness.toml');
    writeFileSync(
      config,
      [
        '[server]',
        `data_dir = "${dataDir}"`,
        '[agents.claude]',
        `cli_path = "${FAKE_AGENT_BIN_DIR}/claude"`,
        fakeAgentToml('claude', scenario),
        // The gate file the agent waits for is here: visible in its sandbox.
        sandboxAllowWriteToml(home.path),
        '[[projects]]',
        'name = "app"',
        `root = "${repo.path}"`,
        '',
      ].join('\n'),
    );
    return config;
  }

  async function start(): Promise<HarnessServerProcess> {
    server = await startHarnessServer({
      cliPath,
      args: ['--config', writeConfig()],
      home: home.path,
      env: { ...repo.gitEnv },
    });
    return server;
  }

  const logs = (s: HarnessServerProcess): string => s.stdout() + s.stderr();
  const post = async (s: HarnessServerProcess, prompt: string) => {
    const res = await fetch(`${s.url}/tasks`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ prompt }),
    });
    const body: unknown = await res.json();
    return { status: res.status, body };
  };
  const task = async (s: HarnessServerProcess, id: string): Promise<TaskDetail> =>
    (await (await fetch(`${s.url}/tasks/${id}`)).json()) as TaskDetail;

  it('a full disk: 503 STORAGE_UNAVAILABLE, the server stays up, dispatch pauses with one line and resumes by itself', async (ctx) => {
    needTmpfs(ctx);
    const s = await start();
    const filler = fillDisk(dataDir);

    const refused = await post(s, 'no room for this one');
    expect(refused.status).toBe(503);
    expect((refused.body as ErrorBody).error).toEqual({
      code: 'STORAGE_UNAVAILABLE',
      message: "the disk holding Harness's data is full (SQLITE_FULL): nothing was written; retry once it is fixed",
    });
    expect((await fetch(`${s.url}/health`)).status).toBe(200);
    const storage = await until('the storage line', () => [...logs(s).matchAll(STORAGE_LINE)][0]);
    // How much is free (next to nothing) of how much, where.
    expect(storage[1]).toMatch(new RegExp(`^${dataDir}: \\d+(\\.\\d)? (B|KiB) free of 16\\.0 MiB$`));

    // Room for a task's row, not for the probe's mebibyte: the task is stored and waits in the queue.
    truncateSync(filler, statSync(filler).size - 384 * 1024);
    const accepted = await until('a stored task', async () => {
      const res = await post(s, 'waits for room');
      return res.status === 202 ? (res.body as CreateTaskResponse) : undefined;
    });
    await new Promise((r) => setTimeout(r, 3000));
    expect((await task(s, accepted.task_id)).status).toBe('queued');

    rmSync(filler);
    const done = await until('the task to end', async () => {
      const t = await task(s, accepted.task_id);
      return t.status === 'done' || t.status === 'failed' ? t : undefined;
    });
    expect(done).toMatchObject({ status: 'done', attempt: 1 });
    expect([...logs(s).matchAll(STORAGE_LINE)]).toHaveLength(1);
    expect([...logs(s).matchAll(RESUMED_LINE)]).toHaveLength(1);
    expect(logs(s)).not.toMatch(/fleet heartbeat|could not record|telemetry: storing/);

    // What was written after the disk filled is on disk, not only in this process's view of it.
    expect((await s.stop('SIGTERM', 15_000)).code).toBe(0);
    const again = await start();
    expect((await task(again, accepted.task_id)).status).toBe('done');
  });

  it('a task running when the disk fills goes back to the queue, and completes once there is room', async (ctx) => {
    needTmpfs(ctx);
    const gate = join(home.path, 'go');
    server = await startHarnessServer({
      cliPath,
      args: ['--config', writeConfig({ ...WRITES_HELLO, startWhenFileExists: gate })],
      home: home.path,
      env: { ...repo.gitEnv },
    });
    const s = server;
    const { task_id: id } = (await post(s, 'interrupted by a full disk')).body as CreateTaskResponse;
    await until('the agent to start', async () => ((await task(s, id)).status === 'running' ? true : undefined));
    const filler = fillDisk(dataDir);
    // The agent goes on: its events cannot be stored (this ended the whole server before).
    writeFileSync(gate, '');
    await until('the storage line', () => [...logs(s).matchAll(STORAGE_LINE)][0]);
    await new Promise((r) => setTimeout(r, 2000));
    expect((await fetch(`${s.url}/health`)).status).toBe(200);
    rmSync(filler);
    const done = await until('the task to end', async () => {
      const t = await task(s, id);
      return t.status === 'done' || t.status === 'failed' ? t : undefined;
    });
    expect(done).toMatchObject({ status: 'done', attempt: 1 });
    expect(s.stderr()).not.toMatch(/QueryFailedError|Unhandled|\n\s+at /);
  });

  it('starting on a full disk says, in one line, where and what to free; it starts once there is room', async (ctx) => {
    needTmpfs(ctx);
    expect((await (await start()).stop('SIGTERM', 15_000)).code).toBe(0);
    server = undefined;
    const filler = fillDisk(dataDir);
    const refused = await runHarness({ cliPath, args: ['serve', '--config', writeConfig()], home: home.path });
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(
      new RegExp(
        `^harness: cannot open the database ${join(dataDir, 'harness.db')}: the disk is full \\(${dataDir}: \\d+(\\.\\d)? (B|KiB) free of 16\\.0 MiB\\): free space on it \\(largest in ${dataDir}: filler \\d[^)]*\\), then start again\\n$`,
      ),
    );
    rmSync(filler);
    const s = await start();
    expect((await fetch(`${s.url}/health`)).status).toBe(200);
  });

  it('a damaged database file: one line naming it and what to do, exit 2, no stack trace', async () => {
    // No tmpfs needed: random bytes where the database should be.
    unmount(dataDir);
    const file = join(dataDir, 'harness.db');
    writeFileSync(file, Buffer.from(Array.from({ length: 64 * 1024 }, (_, i) => (i * 7919) % 251)));
    const result = await runHarness({ cliPath, args: ['serve', '--config', writeConfig()], home: home.path });
    expect(result.code).toBe(2);
    expect(result.stderr).toBe(
      `harness: the database ${file} is damaged or not a database (SQLITE_NOTADB): move it aside (with its -wal and -shm files) to start with an empty one, or restore it from a backup\n`,
    );
    expect(result.stdout).toBe('');
  });
});

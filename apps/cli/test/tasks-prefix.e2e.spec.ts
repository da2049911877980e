import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  FAKE_AGENT_BIN_DIR,
  createTempDir,
  createTempGitRepo,
  fakeAgentToml,
  killStartedHarnessProcesses,
  runHarness,
  startHarnessServer,
  type HarnessServerProcess,
  type TempDir,
  type TempGitRepo,
} from '@agent-harness/testing';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';

// `harness tasks show|watch|cancel` by id prefix, and `watch --from` past the last event, against
// the built server as a child process.
const cliPath = join(import.meta.dirname, '..', 'dist', 'main.js');
const TOKEN = 'prefix-e2e-token-0123456789';

describe('harness tasks with id prefixes (built CLI and server)', () => {
  let home: TempDir;
  let repo: TempGitRepo;
  let server: HarnessServerProcess | undefined;

  beforeEach(async () => {
    home = await createTempDir('harness-home-');
    repo = await createTempGitRepo();
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

  async function start(scenario: Parameters<typeof fakeAgentToml>[1]): Promise<HarnessServerProcess> {
    const config = join(home.path, 'harness.toml');
    writeFileSync(
      config,
      [
        '[server]',
        `data_dir = "${join(home.path, 'data')}"`,
        '[agents.claude]',
        `cli_path = "${FAKE_AGENT_BIN_DIR}/claude"`,
        fakeAgentToml('claude', scenario),
        '[[projects]]',
        'name = "app"',
        `root = "${repo.path}"`,
        '',
      ].join('\n'),
    );
    server = await startHarnessServer({
      cliPath,
      args: ['--config', config],
      home: home.path,
      env: { ...repo.gitEnv, HARNESS_API_TOKEN: TOKEN },
    });
    return server;
  }
  const tasks = (running: HarnessServerProcess, args: string[]) =>
    runHarness({
      cliPath,
      args: ['tasks', ...args, '--server', running.url],
      home: home.path,
      env: { HARNESS_API_TOKEN: TOKEN },
      timeoutMs: 30_000,
    });

  it('show, watch and cancel take the 8-character prefix of branch names', async () => {
    const running = await start({ hang: 'after_init' });
    const submitted = await tasks(running, ['submit', '--project', 'app', '--prompt', 'hang around']);
    expect(submitted.code, submitted.stderr).toBe(0);
    const id = submitted.stdout.split(' ')[0] ?? '';
    const prefix = id.slice(0, 8);
    const shown = await tasks(running, ['show', prefix]);
    expect(shown.code, shown.stderr).toBe(0);
    expect(shown.stdout).toContain(`${id}  hang around`);
    const cancelled = await tasks(running, ['cancel', prefix]);
    expect(cancelled.code, cancelled.stderr).toBe(0);
    expect(cancelled.stdout).toBe(`${id} cancelled\n`);
    const watched = await tasks(running, ['watch', prefix]);
    expect(watched.stdout).toContain('■ cancelled');
    const short = await tasks(running, ['show', id.slice(0, 5)]);
    expect(short.code).toBe(2);
    expect(short.stderr).toContain('at least 8 characters');
    const none = await tasks(running, ['show', 'ffffffff']);
    expect(none.code).toBe(1);
    expect(none.stderr).toContain('404 no task ffffffff');
  });

  it("watch --from at or past the last event still ends with the task's end", async () => {
    const running = await start({ edits: [{ path: 'f.txt', content: 'x\n' }] });
    const submitted = await tasks(running, ['submit', '--project', 'app', '--prompt', 'write f', '--watch']);
    expect(submitted.code, submitted.stderr).toBe(0);
    const id = (submitted.stdout.split(' ')[0] ?? '').slice(0, 8);
    const later = await tasks(running, ['watch', id, '--from', '10']);
    expect(later.code, later.stderr).toBe(0);
    expect(later.stdout).toContain('■ done');
    // Past the end event: the server answers 204 and the watch ends with the task's outcome.
    const past = await tasks(running, ['watch', id, '--from', '1000000']);
    expect(past.code, past.stderr).toBe(0);
    expect(past.stdout).toBe('■ done (no events after 1000000)\n');
  });
});

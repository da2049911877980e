import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  FAKE_AGENT_BIN_DIR,
  createTempDir,
  createTempGitRepo,
  fakeAgentToml,
  sandboxAllowWriteToml,
  killStartedHarnessProcesses,
  runHarness,
  startHarnessServer,
  type FakeAgentScenario,
  type HarnessServerProcess,
  type TempDir,
  type TempGitRepo,
} from '@agent-harness/testing';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import type { CallToolResult, JSONRPCMessage } from '@modelcontextprotocol/sdk/types.js';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';

// `harness mcp-server` as Claude Code or Codex meets it: the SDK's own client spawns the built
// CLI on stdio and calls its tools; tasks run in that process, or on a `harness serve` (--url).
const binPath = join(import.meta.dirname, '..', 'bin', 'harness.js');
const cliPath = join(import.meta.dirname, '..', 'dist', 'main.js');

/** A secret in the MCP server's environment: no tool result may show it. */
const GITHUB_TOKEN = 'ghp_mcp_e2e_secret_value_0123456789';
const API_TOKEN = 'harness-mcp-e2e-api-token-0123456789';

interface McpSession {
  readonly client: Client;
  readonly transport: StdioClientTransport;
  stderr(): string;
  /** Protocol errors the client saw (a stray line on stdout would be one). */
  readonly protocolErrors: Error[];
  /** Resolves when the server process has ended. */
  readonly closed: Promise<void>;
}

/** The text of a tool result's first content block. */
function textOf(result: CallToolResult): string {
  const first = result.content[0];
  return first?.type === 'text' ? first.text : '';
}

describe('harness mcp-server (built CLI, SDK client, scripted agents)', () => {
  let home: TempDir;
  let repo: TempGitRepo;
  let sessions: McpSession[] = [];
  let server: HarnessServerProcess | undefined;

  beforeEach(async () => {
    home = await createTempDir('harness-home-');
    repo = await createTempGitRepo({ withOrigin: true });
  });
  afterEach(async () => {
    await Promise.all(sessions.map((s) => s.client.close()));
    sessions = [];
    await server?.stop('SIGTERM', 15_000);
    server = undefined;
    await home.cleanup();
    await repo.cleanup();
  });
  afterAll(() => {
    killStartedHarnessProcesses();
  });

  const file = (name: string) => join(home.path, name);

  function writeConfig(extra: string[] = []): string {
    writeFileSync(
      file('harness.toml'),
      [
        '[server]',
        `data_dir = ${JSON.stringify(file('data'))}`,
        '[agents]',
        'sandbox_mode = "workspace-write"',
        '[agents.claude]',
        `cli_path = ${JSON.stringify(join(FAKE_AGENT_BIN_DIR, 'claude'))}`,
        '[[projects]]',
        'name = "app"',
        `root = ${JSON.stringify(repo.path)}`,
        ...extra,
        '',
      ].join('\n'),
    );
    return file('harness.toml');
  }

  /**
   * Spawns `harness mcp-server <args>` in the repository, as a client would, and connects. With
   * `--config`, the scripted agent's `scenario` goes into that configuration (an agent gets none of
   * the server's environment beyond an allow-list).
   */
  async function connect(args: string[], scenario: FakeAgentScenario, env: Record<string, string> = {}) {
    if (args.includes('--config'))
      writeConfig([fakeAgentToml('claude', scenario, file('agent.jsonl')), sandboxAllowWriteToml(home.path)]);
    const transport = new StdioClientTransport({
      command: process.execPath,
      args: [binPath, 'mcp-server', ...args],
      cwd: repo.path,
      env: {
        HOME: home.path,
        NO_COLOR: '1',
        GITHUB_TOKEN,
        ...repo.gitEnv,
        ...env,
      },
      stderr: 'pipe',
    });
    let stderr = '';
    transport.stderr?.on('data', (chunk: Buffer) => {
      stderr += chunk.toString('utf8');
    });
    const client = new Client({ name: 'harness-e2e', version: '1.0.0' });
    const protocolErrors: Error[] = [];
    client.onerror = (error) => {
      protocolErrors.push(error);
    };
    const closed = new Promise<void>((resolve) => {
      client.onclose = () => {
        resolve();
      };
    });
    await client.connect(transport);
    const session = { client, transport, stderr: () => stderr, protocolErrors, closed };
    sessions.push(session);
    return session;
  }

  const call = async (session: McpSession, name: string, args: Record<string, unknown>) =>
    (await session.client.callTool({ name, arguments: args })) as CallToolResult;

  /** Polls task_status until the task is finished (or in one of `statuses`). */
  async function until(session: McpSession, taskId: string, statuses?: string[], ms = 30_000) {
    const deadline = Date.now() + ms;
    for (;;) {
      const result = await call(session, 'task_status', { task_id: taskId });
      expect(result.isError, textOf(result)).toBeFalsy();
      const task = result.structuredContent as { status: string; finished: boolean };
      if (statuses === undefined ? task.finished : statuses.includes(task.status)) return result;
      if (Date.now() > deadline) throw new Error(`task ${taskId} is ${task.status}\n${textOf(result)}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  it('lists the nine tools with their input schemas', async () => {
    const session = await connect(['--config', writeConfig()], {});
    expect(session.client.getServerVersion()).toMatchObject({ name: 'harness' });
    expect(session.client.getInstructions()).toContain('submit_task');
    const { tools } = await session.client.listTools();
    const byName = new Map(tools.map((t) => [t.name, t]));
    expect([...byName.keys()].sort()).toEqual([
      'approve_task',
      'cancel_task',
      'follow_up_task',
      'list_tasks',
      'reject_task',
      'run_agent',
      'submit_task',
      'task_status',
      'usage_report',
    ]);
    expect(Object.keys(byName.get('submit_task')!.inputSchema.properties ?? {}).sort()).toEqual([
      'agent',
      'description',
      'issue',
      'model',
      'pr',
      'project',
      'prompt',
    ]);
    expect(byName.get('task_status')!.inputSchema).toMatchObject({
      required: ['task_id'],
      additionalProperties: false,
    });
    expect(byName.get('list_tasks')!.inputSchema.properties).toMatchObject({
      status: { enum: expect.arrayContaining(['queued', 'done', 'failed']) as unknown },
      limit: { type: 'integer', maximum: 200 },
    });
    expect(byName.get('run_agent')!.inputSchema).toMatchObject({
      required: ['prompt'],
      properties: { sandbox_mode: { enum: ['read-only', 'workspace-write', 'danger-full-access'] } },
    });
    for (const tool of tools) expect(tool.outputSchema, tool.name).toMatchObject({ type: 'object' });
    expect(byName.get('task_status')!.annotations).toMatchObject({ readOnlyHint: true });
  });

  it('in process: a submitted task runs to done on its own branch; list and an 8-character prefix find it', async () => {
    const session = await connect(['--config', writeConfig()], {
      edits: [{ path: 'src/hello.txt', content: 'hello\n' }],
      text: 'Created it.',
    });
    const submitted = await call(session, 'submit_task', {
      prompt: 'Add a greeting file',
      description: 'feat: add greeting',
    });
    expect(submitted.isError, textOf(submitted)).toBeFalsy();
    const { task_id: taskId, status } = submitted.structuredContent as { task_id: string; status: string };
    // A free slot: it started before the answer.
    expect(status).toBe('running');
    expect(textOf(submitted)).toContain(taskId);

    const done = await until(session, taskId.slice(0, 8));
    const task = done.structuredContent as Record<string, unknown> & { branch: string; history: { status: string }[] };
    expect(task).toMatchObject({
      id: taskId,
      project: 'app',
      title: 'feat: add greeting',
      status: 'done',
      finished: true,
      attempt: 1,
      agent: 'claude',
      error: null,
      failure_class: null,
      kind: 'prompt',
    });
    expect(task.history.map((h) => h.status)).toEqual([
      'queued',
      'preparing',
      'running',
      'validating',
      'committing',
      'done',
    ]);
    expect(textOf(done)).toContain(`status done`);
    expect(textOf(done)).toContain(`branch ${task.branch}`);
    repo.git('fetch', '--quiet', 'origin', task.branch);
    expect(repo.git('show', 'FETCH_HEAD:src/hello.txt')).toBe('hello');

    const listed = await call(session, 'list_tasks', { status: 'done', limit: 5 });
    expect(listed.structuredContent).toMatchObject({ total: 1, tasks: [{ id: taskId, status: 'done' }] });
    expect(textOf(listed)).toContain('1 of 1 task(s)');
    // The run's spend, as GET /api/usage reports it.
    const usage = await call(session, 'usage_report', { since: 'today' });
    expect(usage.isError, textOf(usage)).toBeFalsy();
    expect(usage.structuredContent).toMatchObject({
      totals: { runs: 1 },
      groups: [{ project: 'app', agent: 'claude' }],
    });
    expect(textOf(usage)).toContain('1 run(s)');
    const badDay = await call(session, 'usage_report', { since: 'yesterday' });
    expect(badDay.isError).toBe(true);
    expect(textOf(badDay)).toContain('since must be a day, YYYY-MM-DD, or "today"');
    // Only the protocol on stdout; the server's own lines on stderr.
    expect(session.protocolErrors).toEqual([]);
    expect(session.stderr()).toContain('harness mcp-server: tasks run in this process');

    await session.client.close();
    await session.closed;
    expect(session.stderr()).toContain('the client closed stdin, stopping');
    expect(session.stderr()).toContain('harness mcp-server: stopped');
  });

  it('refuses bad arguments with a message naming the problem, and keeps serving', async () => {
    const session = await connect(['--config', writeConfig()], { text: 'ok' });
    const cases: [string, Record<string, unknown>, RegExp][] = [
      ['submit_task', {}, /one of prompt, issue or pr is required/],
      ['submit_task', { prompt: 'x', issue: 3 }, /give only one of prompt, issue or pr \(got prompt, issue\)/],
      ['submit_task', { prompt: '' }, /prompt must not be empty/],
      ['submit_task', { issue: -1 }, /issue must be a positive integer/],
      ['submit_task', { prompt: 'x', bogus: true }, /Unrecognized key: "bogus"/],
      ['submit_task', { prompt: 'x', project: 'nope' }, /project: unknown project "nope" \(known: app\)/],
      ['task_status', {}, /task_id is required/],
      ['task_status', { task_id: '0123456789abcdef' }, /no task 0123456789abcdef/],
      ['task_status', { task_id: 'abc' }, /too short: give at least 8 characters/],
      ['task_status', { task_id: '../../etc/passwd' }, /no task \.\.\/\.\.\/etc\/passwd/],
      ['cancel_task', { task_id: 'ffffffff-ffff' }, /no task ffffffff-ffff/],
      ['list_tasks', { status: 'sleeping' }, /status must be one of queued, preparing/],
      ['list_tasks', { limit: 0 }, /limit must be from 1 to 200/],
      ['run_agent', {}, /prompt is required/],
      ['run_agent', { prompt: 'x', project: '/' }, /neither inside a configured project nor inside the directory/],
      [
        'run_agent',
        { prompt: 'x', sandbox_mode: 'danger-full-access' },
        /sandbox_mode danger-full-access is wider than the configured \[agents\] sandbox_mode \(workspace-write\)/,
      ],
      ['run_agent', { prompt: 'x', agent: 'gpt-9' }, /unknown agent "gpt-9"/],
    ];
    for (const [name, args, message] of cases) {
      const result = await call(session, name, args);
      expect(result.isError, `${name} ${JSON.stringify(args)}`).toBe(true);
      expect(textOf(result)).toMatch(message);
    }
    // A message that is not JSON-RPC is a line on stderr, not the end of the session.
    await session.transport.send({ hello: 'there' } as unknown as JSONRPCMessage);
    // Nothing was queued or run, and the server still answers.
    expect((await call(session, 'list_tasks', {})).structuredContent).toEqual({ tasks: [], total: 0 });
    // stderr is its own pipe: on a busy machine its line may come after the answer on stdout.
    for (let i = 0; i < 100 && !session.stderr().includes('protocol error:'); i++)
      await new Promise((r) => setTimeout(r, 50));
    expect(session.stderr()).toContain('harness mcp-server: protocol error:');
    expect(existsSync(file('agent.jsonl'))).toBe(false);
    expect(session.protocolErrors).toEqual([]);
  });

  it("run_agent returns the scripted agent's answer, streams progress, and shows no secret", async () => {
    const session = await connect(['--config', writeConfig()], {
      edits: [{ path: 'notes.txt', content: 'written by the agent\n' }],
      text: `Wrote notes.txt. The token is ${GITHUB_TOKEN}.`,
    });
    const progress: string[] = [];
    const result = (await session.client.callTool(
      { name: 'run_agent', arguments: { prompt: 'Write notes' } },
      undefined,
      {
        onprogress: (p) => {
          if (p.message !== undefined) progress.push(p.message);
        },
      },
    )) as CallToolResult;
    expect(result.isError, textOf(result)).toBeFalsy();
    expect(textOf(result)).toBe('Wrote notes.txt. The token is [REDACTED].');
    expect(result.structuredContent).toMatchObject({
      agent: 'claude',
      directory: repo.path,
      ok: true,
      reason: 'completed',
      output: 'Wrote notes.txt. The token is [REDACTED].',
    });
    expect(JSON.stringify(result)).not.toContain(GITHUB_TOKEN);
    expect(progress).toContain('→ Write notes.txt');
    // It worked in the directory the server was started in (the user's checkout), with the prompt as given.
    expect(readFileSync(join(repo.path, 'notes.txt'), 'utf8')).toBe('written by the agent\n');
    const [invocation] = readFileSync(file('agent.jsonl'), 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { prompt: string; cwd: string });
    expect(invocation).toMatchObject({ prompt: 'Write notes', cwd: repo.path });

    // A failing run is a tool error that says why.
    const failing = await connect(['--config', writeConfig()], { outcome: 'error', text: 'it broke' });
    const failed = await call(failing, 'run_agent', { prompt: 'x', project: 'app' });
    expect(failed.isError).toBe(true);
    expect(textOf(failed)).toBe('claude failed: Tool execution failed: boom\n\nit broke');
    expect(failed.structuredContent).toMatchObject({ ok: false, reason: 'failed', output: 'it broke' });
  });

  it('stops on SIGTERM: the running task goes back to the queue and a later session finishes it', async () => {
    const config = writeConfig();
    const first = await connect(['--config', config], { hang: 'after_init' });
    const { task_id: taskId } = (await call(first, 'submit_task', { prompt: 'Takes a while' })).structuredContent as {
      task_id: string;
    };
    await until(first, taskId, ['running']);
    process.kill(first.transport.pid!, 'SIGTERM');
    await first.closed;
    expect(first.stderr()).toContain('received SIGTERM, stopping');
    expect(first.stderr()).toContain('harness mcp-server: stopped');

    const second = await connect(['--config', config], { edits: [{ path: 'later.txt', content: 'x' }] });
    const done = await until(second, taskId);
    const task = done.structuredContent as { status: string; attempt: number; history: { status: string }[] };
    expect(task.status).toBe('done');
    expect(task.history.map((h) => h.status)).toEqual([
      'queued',
      'preparing',
      'running',
      'queued',
      'preparing',
      'running',
      'validating',
      'committing',
      'done',
    ]);
  });

  it('--url: tasks go to a running harness serve (with its API token), and its errors come back as tool errors', async () => {
    const config = writeConfig([fakeAgentToml('claude', { edits: [{ path: 'remote.txt', content: 'r\n' }] })]);
    server = await startHarnessServer({
      cliPath,
      args: ['--config', config],
      home: home.path,
      env: { ...repo.gitEnv, HARNESS_API_TOKEN: API_TOKEN },
    });
    const session = await connect(['--url', server.url], {}, { HARNESS_API_TOKEN: API_TOKEN });
    expect(session.stderr()).toContain(`tasks go to the Harness server at ${server.url}`);
    const submitted = await call(session, 'submit_task', { prompt: 'Add remote.txt', project: 'app' });
    expect(submitted.isError, textOf(submitted)).toBeFalsy();
    const { task_id: taskId } = submitted.structuredContent as { task_id: string };
    const done = await until(session, taskId);
    expect(done.structuredContent).toMatchObject({ id: taskId, status: 'done', finished: true, project: 'app' });
    const { branch } = done.structuredContent as { branch: string };
    repo.git('fetch', '--quiet', 'origin', branch);
    expect(repo.git('show', 'FETCH_HEAD:remote.txt')).toBe('r');
    // The task ran in the server, not in the MCP server's process.
    expect(server.stdout() + server.stderr()).toContain(taskId);
    expect(session.stderr()).not.toContain(taskId);

    expect((await call(session, 'list_tasks', { project: 'app' })).structuredContent).toMatchObject({
      total: 1,
      tasks: [{ id: taskId }],
    });
    // The server's own ledger answers.
    expect((await call(session, 'usage_report', { project: 'app' })).structuredContent).toMatchObject({
      project: 'app',
      totals: { runs: 1 },
    });
    const cancelFinished = await call(session, 'cancel_task', { task_id: taskId });
    expect(cancelFinished.isError).toBe(true);
    expect(textOf(cancelFinished)).toContain(`task ${taskId} already finished (done)`);
    const unknown = await call(session, 'task_status', { task_id: '0123456789abcdef' });
    expect(unknown.isError).toBe(true);
    expect(textOf(unknown)).toContain('no task 0123456789abcdef');

    // Without the token the server refuses, and the tool says so.
    const anonymous = await connect(['--url', server.url], {});
    const refused = await call(anonymous, 'list_tasks', {});
    expect(refused.isError).toBe(true);
    expect(textOf(refused)).toMatch(/401/);
    expect(JSON.stringify(refused)).not.toContain(API_TOKEN);
  });

  it('--url to a server that is not there: a tool error naming --url, not a crash', async () => {
    const session = await connect(['--url', 'http://127.0.0.1:9', '--config', writeConfig()], {});
    const result = await call(session, 'list_tasks', {});
    expect(result.isError).toBe(true);
    expect(textOf(result)).toContain('cannot reach the Harness server at http://127.0.0.1:9');
    expect(textOf(result)).toContain('(--url or HARNESS_URL)');
    expect(await session.client.ping()).toEqual({});
  });

  it('refuses a --url that is not http(s) before anything starts (exit 2, stdout empty)', async () => {
    const run = await runHarness({
      cliPath,
      args: ['mcp-server', '--url', 'ftp://example.com', '--config', writeConfig()],
      home: home.path,
    });
    expect(run.code).toBe(2);
    expect(run.stdout).toBe('');
    expect(run.stderr).toBe(
      'harness: --url ftp://example.com must be an http:// or https:// URL\nsee: harness mcp-server --help\n',
    );
    expect(existsSync(file('data'))).toBe(false);
  });
});

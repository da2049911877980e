import { existsSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  createTempDir,
  createTempGitRepo,
  fileWritingModel,
  isAnsweringTools,
  startFakeAnthropicServer,
  type FakeAnthropicScript,
  type FakeModelServer,
  type TempDir,
  type TempGitRepo,
} from '@agent-harness/testing';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import {
  CREDENTIAL_CANARIES,
  configFrom,
  escapeWithSetsid,
  finished,
  isRunning,
  leakedCanaries,
  readEnvDump,
} from '../../test/helpers.js';
import type { ApprovalPolicy } from '@agent-harness/core';
import type { AgentRequest } from '../agent-runner.js';
import { AnthropicApiAgentRunner } from './anthropic-api-agent-runner.js';

describe('AnthropicApiAgentRunner against a local Messages API server', () => {
  let repo: TempGitRepo;
  let outside: TempDir;
  let server: FakeModelServer | undefined;
  beforeEach(async () => {
    repo = await createTempGitRepo();
    outside = await createTempDir();
  });
  afterEach(async () => {
    await server?.close();
    server = undefined;
    await repo.cleanup();
    await outside.cleanup();
  });

  async function runnerFor(
    script: FakeAnthropicScript,
    toml = '',
    baseEnv: Record<string, string> = {},
    approvalPolicy?: ApprovalPolicy,
  ): Promise<AnthropicApiAgentRunner> {
    server = await startFakeAnthropicServer(script);
    const config = configFrom(`[agents.anthropic_api]\nbase_url = "${server.url}"\n${toml}`).agents.anthropic_api;
    return new AnthropicApiAgentRunner({
      config,
      apiKey: 'sk-ant-test',
      baseEnv: { PATH: process.env['PATH'], ANTHROPIC_API_KEY: 'sk-ant-test', ...baseEnv },
      approvalPolicy,
    });
  }
  const request = (extra: Partial<AgentRequest> = {}): AgentRequest => ({
    prompt: 'Create hello.txt',
    cwd: repo.path,
    ...extra,
  });

  it("runs the tool loop: writes the file, reports every step, ends with the model's answer", async () => {
    const runner = await runnerFor(fileWritingModel('docs/hello.txt', 'hello\n'));
    const { events, result } = await finished(runner.run(request()));
    expect(readFileSync(join(repo.path, 'docs', 'hello.txt'), 'utf8')).toBe('hello\n');
    expect(events.map((e) => e.type)).toEqual([
      'session_started',
      'usage',
      'text',
      'tool_call',
      'tool_result',
      'file_change',
      'usage',
      'text',
      'completed',
    ]);
    expect(result).toMatchObject({
      agent: 'anthropic-api',
      ok: true,
      reason: 'completed',
      finalText: 'Done: I created docs/hello.txt.',
    });
    expect(result.usage).toEqual({ inputTokens: 200, cachedInputTokens: 0, cacheWriteTokens: 0, outputTokens: 40 });
    const first = server!.requests[0]!;
    expect(first.headers['authorization']).toBe('Bearer sk-ant-test');
    expect(first.body).toMatchObject({ model: 'claude-sonnet-5-5', max_tokens: 8192, stream: true });
  });

  it('uses a default model the bundled SDK does not flag as deprecated', async () => {
    // The SDK prints "The model '…' is deprecated and will reach end-of-life on …" for the models on its list.
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => undefined);
    try {
      const runner = await runnerFor(() => ({ kind: 'message', text: 'ok' }));
      expect((await finished(runner.run(request()))).result.ok).toBe(true);
      expect(warn.mock.calls.flat().join('\n')).not.toMatch(/deprecated/);
    } finally {
      warn.mockRestore();
    }
  });

  it('refuses paths that leave the working directory, also through a symlink', async () => {
    symlinkSync(outside.path, join(repo.path, 'escape'));
    const attempts = [
      { name: 'write_file', input: { path: '../evil.txt', content: 'x' } },
      { name: 'write_file', input: { path: join(outside.path, 'abs.txt'), content: 'x' } },
      { name: 'write_file', input: { path: 'escape/through-link.txt', content: 'x' } },
      { name: 'read_file', input: { path: '/etc/hostname' } },
    ];
    const runner = await runnerFor((req) =>
      isAnsweringTools(req) ? { kind: 'message', text: 'gave up' } : { kind: 'message', toolUses: attempts },
    );
    const { events } = await finished(runner.run(request()));
    const results = events.flatMap((e) => (e.type === 'tool_result' ? [e] : []));
    expect(results.map((r) => r.ok)).toEqual([false, false, false, false]);
    expect(results.map((r) => r.output)).toEqual([
      'refused: ../evil.txt is outside the working directory',
      `refused: ${join(outside.path, 'abs.txt')} is outside the working directory`,
      'refused: escape/through-link.txt leads outside the working directory',
      'refused: /etc/hostname is outside the working directory',
    ]);
    expect(existsSync(join(outside.path, 'through-link.txt'))).toBe(false);
    expect(existsSync(join(repo.path, '..', 'evil.txt'))).toBe(false);
  });

  it('approval_policy auto-edit: run_command is not offered, and refused if called anyway; edits work', async () => {
    const runner = await runnerFor(
      (req) =>
        isAnsweringTools(req)
          ? { kind: 'message', text: 'done' }
          : {
              kind: 'message',
              toolUses: [
                { name: 'run_command', input: { command: 'touch ran.txt' } },
                { name: 'write_file', input: { path: 'edited.txt', content: 'x\n' } },
              ],
            },
      '',
      {},
      'auto-edit',
    );
    const { events } = await finished(runner.run(request()));
    const offered = (server?.requests[0]?.body['tools'] as { name: string }[]).map((t) => t.name);
    expect(offered).toEqual(['list_files', 'read_file', 'write_file', 'edit_file']);
    const results = events.flatMap((e) => (e.type === 'tool_result' ? [e] : []));
    expect(results.map((r) => r.ok)).toEqual([false, true]);
    expect(results[0]?.output).toContain('may not run commands');
    expect(existsSync(join(repo.path, 'ran.txt'))).toBe(false);
    expect(existsSync(join(repo.path, 'edited.txt'))).toBe(true);
  });

  it('edits, lists, reads and runs commands inside the working directory', async () => {
    writeFileSync(join(repo.path, 'a.txt'), 'one two\n');
    const script: FakeAnthropicScript = (_req, i) =>
      i === 0
        ? {
            kind: 'message',
            toolUses: [
              { name: 'edit_file', input: { path: 'a.txt', old_text: 'two', new_text: '2' } },
              { name: 'list_files', input: {} },
              { name: 'read_file', input: { path: 'a.txt' } },
              { name: 'run_command', input: { command: 'pwd && exit 3' } },
            ],
          }
        : { kind: 'message', text: 'ok' };
    const runner = await runnerFor(script);
    const { events } = await finished(runner.run(request()));
    const outputs = events.flatMap((e) => (e.type === 'tool_result' ? [[e.ok, e.output]] : []));
    expect(outputs).toEqual([
      [true, 'edited a.txt'],
      [true, 'README.md\na.txt'],
      [true, 'one 2\n'],
      [false, `exit code 3\n${repo.path}\n`],
    ]);
  });

  it('runs commands without any credential: the API key stays in-process, Harness secrets stay out (canaries)', async () => {
    const dump = join(outside.path, 'seen.env');
    const script: FakeAnthropicScript = (req) =>
      isAnsweringTools(req)
        ? { kind: 'message', text: 'ok' }
        : { kind: 'message', toolUses: [{ name: 'run_command', input: { command: `env -0 > ${dump}` } }] };
    const runner = await runnerFor(script, '', { ...CREDENTIAL_CANARIES });
    expect((await finished(runner.run(request({ env: { HARNESS_TASK_ID: 'task-1' } })))).result.ok).toBe(true);
    const env = readEnvDump(dump);
    expect(leakedCanaries(env)).toEqual([]);
    expect(env['HARNESS_TASK_ID']).toBe('task-1');
    expect(server!.requests[0]!.headers['authorization']).toBe('Bearer sk-ant-test');
  });

  it('ends what its commands left running outside their process group (setsid), by the task marker', async () => {
    const pidFile = join(outside.path, 'escaped.pid');
    const script: FakeAnthropicScript = (req) =>
      isAnsweringTools(req)
        ? { kind: 'message', text: 'ok' }
        : { kind: 'message', toolUses: [{ name: 'run_command', input: { command: escapeWithSetsid(pidFile) } }] };
    const runner = await runnerFor(script);
    expect(
      (await finished(runner.run(request({ env: { HARNESS_TASK_ID: `task-api-${String(process.pid)}` } })))).result.ok,
    ).toBe(true);
    const escaped = Number(readFileSync(pidFile, 'utf8'));
    try {
      expect(isRunning(escaped)).toBe(false);
    } finally {
      if (isRunning(escaped)) process.kill(escaped, 'SIGKILL');
    }
  });

  it('stops after max_turns', async () => {
    const runner = await runnerFor(
      () => ({ kind: 'message', toolUses: [{ name: 'list_files', input: {} }] }),
      'max_turns = 3\n',
    );
    const { result } = await finished(runner.run(request()));
    expect(result).toMatchObject({ ok: false, reason: 'failed', message: 'stopped after max_turns (3) model turns' });
    expect(server!.requests).toHaveLength(3);
  });

  it("stops at the task's turns left (maxTurns below max_turns) as a spend limit", async () => {
    const runner = await runnerFor(
      () => ({ kind: 'message', toolUses: [{ name: 'list_files', input: {} }] }),
      'max_turns = 10\n',
    );
    const { result } = await finished(runner.run(request({ maxTurns: 2 })));
    expect(result).toMatchObject({
      ok: false,
      reason: 'budget_exceeded',
      message: "stopped after the task's remaining 2 turn(s) ([limits] task_max_turns)",
    });
    expect(server!.requests).toHaveLength(2);
  });

  it('classifies API errors: 429 with retry-after, 401, and a server that goes away', async () => {
    const limited = await runnerFor(() => ({ kind: 'error', status: 429, retryAfterSecs: 30 }));
    const rate = (await finished(limited.run(request()))).result;
    expect(rate).toMatchObject({ ok: false, reason: 'rate_limited' });
    expect(Date.parse(rate.rateLimitResetAt ?? '')).toBeGreaterThan(Date.now());
    await server?.close();

    const denied = await runnerFor(() => ({ kind: 'error', status: 401 }));
    expect((await finished(denied.run(request()))).result).toMatchObject({ ok: false, reason: 'auth_failed' });
    await server?.close();

    const gone = await runnerFor(() => ({ kind: 'drop' }));
    const dropped = (await finished(gone.run(request()))).result;
    expect(dropped).toMatchObject({ ok: false, reason: 'failed' });
    expect(dropped.message).toMatch(/^Anthropic API request failed: /);
    // A dropped connection is retried twice before the run fails.
    expect(server!.requests).toHaveLength(3);
  });

  it('times out a model that never answers, and can be cancelled', async () => {
    const runner = await runnerFor(() => ({ kind: 'hang' }));
    const idle = (await finished(runner.run(request({ idleTimeoutMs: 300 })))).result;
    expect(idle).toMatchObject({ ok: false, reason: 'idle_timeout' });
    const controller = new AbortController();
    const running = runner.run(request({ signal: controller.signal }));
    setTimeout(() => {
      controller.abort();
    }, 100);
    expect((await finished(running)).result).toMatchObject({ ok: false, reason: 'cancelled' });
  });

  it('resumes a session with the earlier conversation', async () => {
    const runner = await runnerFor(() => ({ kind: 'message', text: 'noted' }));
    const first = (await finished(runner.run(request({ prompt: 'remember 42' })))).result;
    await finished(runner.run(request({ prompt: 'what was it?', resumeSessionId: first.sessionId })));
    const messages = server!.requests[1]!.body['messages'] as { role: string; content: unknown }[];
    expect(messages.map((m) => m.role)).toEqual(['user', 'assistant', 'user']);
    expect(messages[0]?.content).toBe('remember 42');
    const unknown = (await finished(runner.run(request({ resumeSessionId: 'nope' })))).result;
    expect(unknown).toMatchObject({ ok: false, reason: 'failed' });
  });
});

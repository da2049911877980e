import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { join } from 'node:path';
import {
  commandRunningCodexModel,
  commandRunningModel,
  createTempDir,
  createTempGitRepo,
  fileWritingCodexModel,
  fileWritingModel,
  findRealAgentClis,
  processesInDirectory,
  realClaudeEnv,
  realCodexArgs,
  realCodexEnv,
  startFakeAnthropicServer,
  startFakeOpenAiServer,
  type FakeModelServer,
  type TempDir,
  type TempGitRepo,
} from '@agent-harness/testing';
import type { ApprovalPolicy, SandboxMode } from '@agent-harness/core';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ClaudeCodeAgentRunner } from '../src/claude/claude-code-agent-runner.js';
import { CodexAgentRunner } from '../src/codex/codex-agent-runner.js';
import { ConfiguredSandbox } from '../src/sandbox/configured-sandbox.js';
import { configFrom, finished } from './helpers.js';

// Contract tests: our runners drive the real Claude Code and Codex CLIs, pointed at scripted local
// model servers. In CI (HARNESS_REQUIRE_REAL_CLIS=1) a missing CLI is a failure, never a skip.
const clis = findRealAgentClis();
const required = process.env['HARNESS_REQUIRE_REAL_CLIS'] === '1';
if ('missing' in clis) {
  console.warn(`\n*** REAL AGENT CLI CONTRACT TESTS ${required ? 'FAIL' : 'SKIPPED'}: ${clis.missing} ***\n`);
}
const describeReal = 'missing' in clis && !required ? describe.skip : describe;

/** The longest prompt Harness accepts, in 4-byte characters: about 400 KB, past the argument size limit. */
const LONG_PROMPT = `start ${'𝄞'.repeat(100_000)} end`;

describeReal('contract: the real CLIs through our runners', () => {
  let repo: TempGitRepo;
  let home: TempDir;
  let server: FakeModelServer | undefined;
  beforeEach(async () => {
    if ('missing' in clis) throw new Error(`the real agent CLIs are required here: ${clis.missing}`);
    repo = await createTempGitRepo();
    home = await createTempDir('agent-home-');
  });
  afterEach(async () => {
    await server?.close();
    server = undefined;
    await repo.cleanup();
    await home.cleanup();
  });

  /**
   * The OS sandbox as the server builds it: the worktree writable, the agent's home state writable,
   * the network closed but for the model server each runner names (its base URL).
   */
  const sandbox = (): ConfiguredSandbox =>
    new ConfiguredSandbox({
      mode: 'workspace-write',
      home: home.path,
      dataDir: join(home.path, 'data'),
      projectRoots: [],
      sandbox: configFrom().sandbox,
      commandNetwork: 'none',
    });
  const claude = (
    serverUrl: string,
    env: Record<string, string> = {},
    unreachableTimeoutMs?: number,
    sandboxMode: SandboxMode = 'workspace-write',
    approvalPolicy?: ApprovalPolicy,
  ) =>
    new ClaudeCodeAgentRunner({
      config: {
        ...configFrom().agents.claude,
        cli_path: 'missing' in clis ? '' : clis.claude,
        env: { ...realClaudeEnv(serverUrl, home.path), ...env },
      },
      sandboxMode,
      approvalPolicy,
      baseEnv: { PATH: process.env['PATH'] },
      unreachableTimeoutMs,
      sandbox: sandbox(),
    });
  const codex = (
    serverUrl: string,
    unreachableTimeoutMs?: number,
    sandboxMode: SandboxMode = 'workspace-write',
    approvalPolicy?: ApprovalPolicy,
  ) =>
    new CodexAgentRunner({
      config: {
        ...configFrom().agents.codex,
        cli_path: 'missing' in clis ? '' : clis.codex,
        default_model: 'gpt-5.5',
        extra_args: realCodexArgs(serverUrl),
        env: realCodexEnv(home.path),
      },
      sandboxMode,
      approvalPolicy,
      baseEnv: { PATH: process.env['PATH'] },
      unreachableTimeoutMs,
      sandbox: sandbox(),
    });
  /** The names of the tools a model request offered. */
  const offeredTools = (request: { body: Record<string, unknown> } | undefined): string[] =>
    ((request?.body['tools'] ?? []) as { name?: string; type?: string }[]).map((t) => t.name ?? t.type ?? '?');
  /** A second local server: nothing in a sandbox may reach it. */
  let forbidden: Server | undefined;
  const forbiddenPort = async (): Promise<number> => {
    const listening = createServer((_req, res) => res.end('FORBIDDEN-PORT-ANSWERED\n'));
    forbidden = listening;
    await new Promise<void>((resolve) => listening.listen(0, '127.0.0.1', resolve));
    const address = listening.address();
    return typeof address === 'object' && address !== null ? address.port : 0;
  };
  afterEach(() => {
    forbidden?.close();
    forbidden = undefined;
  });
  /** A command that tries the port and writes what happened to probe.txt in its working directory. */
  const tryPort = (port: number): string =>
    `node -e "require('node:net').connect(${String(port)}, '127.0.0.1').on('connect', () => console.log('CONNECTED')).on('error', (e) => console.log('refused: ' + e.code))" > probe.txt 2>&1`;
  /** The URL of a local port where nothing listens any more. */
  const closedPort = async (): Promise<string> => {
    const gone = await startFakeAnthropicServer(() => ({ kind: 'message', text: 'unused' }));
    await gone.close();
    return gone.url;
  };

  describe('Claude Code', () => {
    it('approval_policy auto-edit: the model is offered editing tools and no shell', async () => {
      server = await startFakeAnthropicServer(fileWritingModel('hello.txt', 'edited without a shell\n'));
      const { result } = await finished(
        claude(server.url, {}, undefined, 'workspace-write', 'auto-edit').run({
          prompt: 'Create hello.txt',
          cwd: repo.path,
          model: 'claude-sonnet-4-5',
          timeoutMs: 90_000,
        }),
      );
      expect(result).toMatchObject({ ok: true, finalText: 'Done: I created hello.txt.' });
      expect(readFileSync(join(repo.path, 'hello.txt'), 'utf8')).toBe('edited without a shell\n');
      const tools = offeredTools(server.requests.find((r) => r.path.startsWith('/v1/messages')));
      expect(tools).toEqual(expect.arrayContaining(['Read', 'Edit', 'Write']));
      expect(tools).not.toContain('Bash');
    });

    it('edits a file; every event is parsed; usage is reported', async () => {
      server = await startFakeAnthropicServer(fileWritingModel('hello.txt', 'hello from the fake model\n'));
      const { events, result } = await finished(
        claude(server.url).run({
          prompt: 'Create hello.txt',
          cwd: repo.path,
          model: 'claude-sonnet-4-5',
          timeoutMs: 90_000,
        }),
      );
      expect(result).toMatchObject({
        ok: true,
        reason: 'completed',
        finalText: 'Done: I created hello.txt.',
        exitCode: 0,
      });
      expect(readFileSync(join(repo.path, 'hello.txt'), 'utf8')).toBe('hello from the fake model\n');
      expect(events.map((e) => e.type)).toEqual(
        expect.arrayContaining([
          'session_started',
          'text',
          'tool_call',
          'file_change',
          'tool_result',
          'usage',
          'completed',
        ]),
      );
      expect(events.find((e) => e.type === 'tool_call')).toMatchObject({
        name: 'Write',
        input: { file_path: join(repo.path, 'hello.txt') },
      });
      expect(events.find((e) => e.type === 'tool_result')).toMatchObject({ ok: true });
      expect(result.sessionId).toMatch(/^[0-9a-f-]{36}$/);
      // Two model requests, each answered with 100 input and 20 output tokens.
      expect(server.requests.filter((r) => r.path.startsWith('/v1/messages'))).toHaveLength(2);
      expect(result.usage.inputTokens).toBe(200);
      expect(result.usage.outputTokens).toBe(40);
      expect(server.requests[0]?.body['model']).toBe('claude-sonnet-4-5');
    });

    it('takes a prompt of 100,000 four-byte characters, new and resumed, and the model gets it intact', async () => {
      server = await startFakeAnthropicServer(() => ({ kind: 'message', text: 'ok' }));
      const first = (await finished(claude(server.url).run({ prompt: LONG_PROMPT, cwd: repo.path, timeoutMs: 90_000 })))
        .result;
      expect(first).toMatchObject({ ok: true, reason: 'completed' });
      expect(JSON.stringify(server.requests.at(-1)?.body['messages'])).toContain(
        JSON.stringify(LONG_PROMPT).slice(1, -1),
      );
      const resumed = (
        await finished(
          claude(server.url).run({
            prompt: `again: ${LONG_PROMPT}`,
            cwd: repo.path,
            resumeSessionId: first.sessionId,
            timeoutMs: 90_000,
          }),
        )
      ).result;
      expect(resumed).toMatchObject({ ok: true, sessionId: first.sessionId });
      expect(JSON.stringify(server.requests.at(-1)?.body['messages'])).toContain(
        JSON.stringify(`again: ${LONG_PROMPT}`).slice(1, -1),
      );
    });

    it('fails cleanly on a model server error', async () => {
      server = await startFakeAnthropicServer(() => ({ kind: 'error', status: 500, message: 'scripted outage' }));
      const { result } = await finished(claude(server.url).run({ prompt: 'x', cwd: repo.path, timeoutMs: 90_000 }));
      expect(result).toMatchObject({ ok: false, reason: 'failed' });
      expect(result.message).toMatch(/500|scripted outage|API Error/);
    });

    it('reports a 429 from the model server as a rate limit', async () => {
      server = await startFakeAnthropicServer(() => ({
        kind: 'error',
        status: 429,
        message: 'rate limited by script',
        retryAfterSecs: 1,
      }));
      const { result } = await finished(claude(server.url).run({ prompt: 'x', cwd: repo.path, timeoutMs: 90_000 }));
      expect(result).toMatchObject({ ok: false, reason: 'rate_limited' });
    });

    it('fails cleanly when the model server is gone, leaving no process', async () => {
      server = await startFakeAnthropicServer(() => ({ kind: 'message', text: 'unused' }));
      const url = server.url;
      await server.close();
      server = undefined;
      const run = claude(url).run({ prompt: 'x', cwd: repo.path, timeoutMs: 90_000 });
      const { result } = await finished(run);
      expect(result).toMatchObject({ ok: false, reason: 'failed' });
      expect(result.message).toMatch(/connect|ConnectionRefused/i);
      expect(processesInDirectory(repo.path)).toEqual([]);
    });

    it('fails within the unreachable window, not after its own 10 retries (over 90 s), when the model server is gone', async () => {
      const run = claude(await closedPort(), { CLAUDE_CODE_MAX_RETRIES: '10' }, 5_000).run({
        prompt: 'x',
        cwd: repo.path,
        timeoutMs: 120_000,
      });
      const { result } = await finished(run);
      expect(result).toMatchObject({ ok: false, reason: 'failed' });
      expect(result.message).toMatch(
        /^claude cannot reach its model API \(still failing after 5 s\): Unable to connect to API \(attempt \d+ of 10 failed without a response/,
      );
      expect(result.durationMs).toBeLessThan(20_000);
      expect(processesInDirectory(repo.path)).toEqual([]);
    });

    it.runIf(process.getuid?.() === 0)('as root without IS_SANDBOX, says how to fix the refusal', async () => {
      const { result } = await finished(
        claude(await closedPort(), { IS_SANDBOX: '' }, undefined, 'danger-full-access').run({
          prompt: 'x',
          cwd: repo.path,
          timeoutMs: 60_000,
        }),
      );
      expect(result).toMatchObject({ ok: false, reason: 'unavailable' });
      expect(result.message).toContain('cannot be used with root/sudo privileges');
      expect(result.message).toContain('set IS_SANDBOX = "1" in [agents.claude.env]');
    });

    it('in its sandbox reaches its model server but not a second local port', async () => {
      const port = await forbiddenPort();
      server = await startFakeAnthropicServer(commandRunningModel(tryPort(port)));
      const { result } = await finished(
        claude(server.url).run({ prompt: 'Try the port', cwd: repo.path, timeoutMs: 90_000 }),
      );
      expect(result).toMatchObject({ ok: true, reason: 'completed', finalText: 'Done: I ran the command.' });
      expect(readFileSync(join(repo.path, 'probe.txt'), 'utf8').trim()).toBe('refused: ECONNREFUSED');
    });
  });

  describe('Codex', () => {
    it('in its sandbox reaches its model server but not a second local port', async () => {
      const port = await forbiddenPort();
      server = await startFakeOpenAiServer(commandRunningCodexModel(tryPort(port)));
      const { result } = await finished(
        codex(server.url).run({ prompt: 'Try the port', cwd: repo.path, timeoutMs: 90_000 }),
      );
      expect(result).toMatchObject({ ok: true, reason: 'completed', finalText: 'Done: I ran the command.' });
      expect(readFileSync(join(repo.path, 'probe.txt'), 'utf8').trim()).toBe('refused: ECONNREFUSED');
    });

    it.each(['shell', 'apply_patch'] as const)(
      'edits a file through %s; every event is parsed; usage is reported',
      async (via) => {
        server = await startFakeOpenAiServer(fileWritingCodexModel('hello.txt', 'hello from the fake model\n', via));
        const { events, result } = await finished(
          codex(server.url).run({ prompt: 'Create hello.txt', cwd: repo.path, timeoutMs: 90_000 }),
        );
        expect(result).toMatchObject({ ok: true, reason: 'completed', finalText: 'Done: I created hello.txt.' });
        expect(readFileSync(join(repo.path, 'hello.txt'), 'utf8')).toBe('hello from the fake model\n');
        const types = events.map((e) => e.type);
        expect(types[0]).toBe('session_started');
        expect(types).toEqual(
          expect.arrayContaining(
            via === 'shell'
              ? ['tool_call', 'tool_result', 'text', 'usage', 'completed']
              : ['file_change', 'text', 'usage', 'completed'],
          ),
        );
        expect(result.usage).toEqual({
          inputTokens: 2400,
          cachedInputTokens: 0,
          cacheWriteTokens: 0,
          outputTokens: 40,
        });
        expect(server.requests[0]?.body['model']).toBe('gpt-5.5');
      },
    );

    it('approval_policy auto-edit: no shell tool is offered; the edit goes through apply_patch', async () => {
      const shells = /^(shell|local_shell|exec_command|write_stdin|unified_exec)$/;
      server = await startFakeOpenAiServer(() => ({ kind: 'message', text: 'ok' }));
      await finished(codex(server.url).run({ prompt: 'Say ok', cwd: repo.path, timeoutMs: 90_000 }));
      // Without the policy a shell is offered: the check below can fail.
      expect(offeredTools(server.requests[0]).some((name) => shells.test(name))).toBe(true);
      await server.close();

      server = await startFakeOpenAiServer(fileWritingCodexModel('hello.txt', 'patched\n', 'apply_patch'));
      const { result } = await finished(
        codex(server.url, undefined, 'workspace-write', 'auto-edit').run({
          prompt: 'Create hello.txt',
          cwd: repo.path,
          timeoutMs: 90_000,
        }),
      );
      expect(result).toMatchObject({ ok: true, finalText: 'Done: I created hello.txt.' });
      expect(readFileSync(join(repo.path, 'hello.txt'), 'utf8')).toBe('patched\n');
      const tools = offeredTools(server.requests[0]);
      expect(tools).toContain('apply_patch');
      expect(tools.filter((name) => shells.test(name))).toEqual([]);
    });

    it('takes a prompt of 100,000 four-byte characters, new and resumed, and the model gets it intact', async () => {
      server = await startFakeOpenAiServer(() => ({ kind: 'message', text: 'ok' }));
      const first = (await finished(codex(server.url).run({ prompt: LONG_PROMPT, cwd: repo.path, timeoutMs: 90_000 })))
        .result;
      expect(first).toMatchObject({ ok: true, reason: 'completed' });
      expect(JSON.stringify(server.requests.at(-1)?.body['input'])).toContain(JSON.stringify(LONG_PROMPT).slice(1, -1));
      const resumed = (
        await finished(
          codex(server.url).run({
            prompt: `again: ${LONG_PROMPT}`,
            cwd: repo.path,
            resumeSessionId: first.sessionId,
            timeoutMs: 90_000,
          }),
        )
      ).result;
      expect(resumed).toMatchObject({ ok: true, sessionId: first.sessionId });
      expect(JSON.stringify(server.requests.at(-1)?.body['input'])).toContain(
        JSON.stringify(`again: ${LONG_PROMPT}`).slice(1, -1),
      );
    });

    it('resumes the same thread', async () => {
      server = await startFakeOpenAiServer(() => ({ kind: 'message', text: 'ok' }));
      const first = (
        await finished(codex(server.url).run({ prompt: 'remember 42', cwd: repo.path, timeoutMs: 90_000 }))
      ).result;
      expect(first.ok).toBe(true);
      const second = (
        await finished(
          codex(server.url).run({
            prompt: 'what was it?',
            cwd: repo.path,
            resumeSessionId: first.sessionId,
            timeoutMs: 90_000,
          }),
        )
      ).result;
      expect(second).toMatchObject({ ok: true, sessionId: first.sessionId });
      expect(JSON.stringify(server.requests[1]?.body['input'])).toContain('remember 42');
    });

    it('fails cleanly on a model server error', async () => {
      server = await startFakeOpenAiServer(() => ({ kind: 'error', status: 500, message: 'scripted outage' }));
      const { result } = await finished(codex(server.url).run({ prompt: 'x', cwd: repo.path, timeoutMs: 60_000 }));
      expect(result.ok).toBe(false);
      expect(['failed', 'timeout']).toContain(result.reason);
    });

    it('fails within the unreachable window with its own words when the model server is gone (Codex never gives up), leaving no process', async () => {
      // Unsandboxed: in the sandbox the port's forward answers, and the bridge behind it finds nothing (below).
      const run = codex(await closedPort(), 5_000, 'danger-full-access').run({
        prompt: 'x',
        cwd: repo.path,
        timeoutMs: 120_000,
      });
      const { result, events } = await finished(run);
      expect(result).toMatchObject({ ok: false, reason: 'failed' });
      expect(result.message).toMatch(
        /^codex cannot reach its model API \(still failing after 5 s\): Reconnecting\.\.\. .*(Connection failed|error sending request)/,
      );
      expect(result.durationMs).toBeLessThan(20_000);
      expect(events.find((e) => e.type === 'session_started')).toBeDefined();
      expect(processesInDirectory(repo.path)).toEqual([]);
    });

    it('in its sandbox, fails at once when the model server is gone (the forward answers, nothing behind it), leaving no process', async () => {
      const run = codex(await closedPort(), 5_000).run({ prompt: 'x', cwd: repo.path, timeoutMs: 120_000 });
      const { result } = await finished(run);
      expect(result).toMatchObject({ ok: false, reason: 'failed' });
      expect(result.message).toMatch(/stream disconnected before completion|cannot reach its model API/);
      expect(result.durationMs).toBeLessThan(20_000);
      expect(processesInDirectory(repo.path)).toEqual([]);
    });
  });
});

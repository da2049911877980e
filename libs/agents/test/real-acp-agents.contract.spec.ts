import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  createTempDir,
  createTempGitRepo,
  fileWritingGeminiModel,
  fileWritingModel,
  findRealAcpAgents,
  isAnsweringTools,
  processesInDirectory,
  realClaudeEnv,
  realOpenCodeEnv,
  startFakeAnthropicServer,
  startFakeGeminiServer,
  type FakeModelServer,
  type TempDir,
  type TempGitRepo,
} from '@agent-harness/testing';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { AgentRunner } from '../src/agent-runner.js';
import { AgentRegistry } from '../src/registry/agent-registry.js';
import { ConfiguredSandbox } from '../src/sandbox/configured-sandbox.js';
import { configFrom, finished } from './helpers.js';

// Contract tests: the ACP runner drives the real OpenCode, Gemini CLI and Claude Code (through
// `claude-code-acp`), pointed at scripted local model servers (the Messages API; the Gemini API for
// Gemini CLI), as a user configures them: OpenCode and Gemini CLI as the built-in
// `[agents.opencode]` and `[agents.gemini]`, claude-code-acp as an `[agents.custom.<name>]`.
// In CI (HARNESS_REQUIRE_REAL_CLIS=1) a missing agent is a failure, never a skip.
const agents = findRealAcpAgents();
const required = process.env['HARNESS_REQUIRE_REAL_CLIS'] === '1';
if ('missing' in agents) {
  console.warn(`\n*** REAL ACP AGENT CONTRACT TESTS ${required ? 'FAIL' : 'SKIPPED'}: ${agents.missing} ***\n`);
}
const describeReal = 'missing' in agents && !required ? describe.skip : describe;

const toml = (value: unknown): string => JSON.stringify(value);

describeReal('contract: real ACP agents through the ACP runner', () => {
  let repo: TempGitRepo;
  let home: TempDir;
  let outside: TempDir;
  let server: FakeModelServer | undefined;
  beforeEach(async () => {
    if ('missing' in agents) throw new Error(`the real ACP agents are required here: ${agents.missing}`);
    repo = await createTempGitRepo();
    home = await createTempDir('acp-home-');
    outside = await createTempDir('acp-outside-');
  });
  afterEach(async () => {
    await server?.close();
    server = undefined;
    await repo.cleanup();
    await home.cleanup();
    await outside.cleanup();
  });

  type Which = 'opencode' | 'gemini' | 'claudeAcp';
  /** The agents as `harness serve` registers them from this configuration, in the OS sandbox. */
  const registered = (serverUrl: string, agentsToml = ''): Record<Which, AgentRunner> => {
    if ('missing' in agents) throw new Error(agents.missing);
    const geminiEnv = { HOME: home.path, GEMINI_API_KEY: 'contract-test-key', GOOGLE_GEMINI_BASE_URL: serverUrl };
    const opencodeEnv = realOpenCodeEnv(serverUrl, home.path);
    const claudeEnv = realClaudeEnv(serverUrl, home.path);
    const config = configFrom(
      [
        agentsToml,
        '[agents.opencode]',
        `command = [${toml(agents.opencode)}, "acp"]`,
        `env = { ${Object.entries(opencodeEnv)
          .map(([k, v]) => `${k} = ${toml(v)}`)
          .join(', ')} }`,
        '[agents.gemini]',
        `command = [${toml(agents.gemini)}, "--experimental-acp"]`,
        `env = { ${Object.entries(geminiEnv)
          .map(([k, v]) => `${k} = ${toml(v)}`)
          .join(', ')} }`,
        '[agents.custom.claude-acp]',
        'protocol = "acp"',
        `command = [${toml(agents.claudeCodeAcp)}]`,
        'title = "Claude Code over ACP"',
        'home_state = [".claude", ".claude.json"]',
        `env = { ${Object.entries(claudeEnv)
          .map(([k, v]) => `${k} = ${toml(v)}`)
          .join(', ')} }`,
      ].join('\n'),
    );
    const sandbox = new ConfiguredSandbox({
      mode: 'workspace-write',
      home: home.path,
      dataDir: join(home.path, 'data'),
      projectRoots: [],
      sandbox: config.sandbox,
      commandNetwork: 'none',
    });
    const registry = AgentRegistry.fromConfig(config, { PATH: process.env['PATH'] }, '/', sandbox);
    return {
      opencode: registry.select({ agent: 'opencode' }),
      gemini: registry.select({ agent: 'gemini' }),
      claudeAcp: registry.select({ agent: 'claude-acp' }),
    };
  };
  /** A model server of the API the agent speaks, writing one file. */
  const writingModel = (which: Which, file: string, content: string): Promise<FakeModelServer> =>
    which === 'gemini'
      ? startFakeGeminiServer(fileWritingGeminiModel(file, content))
      : startFakeAnthropicServer(fileWritingModel(file, content));

  describe.each(['opencode', 'gemini', 'claudeAcp'] as const)('%s', (which) => {
    it('writes a file in the worktree; its events arrive live and parsed; usage is reported', async () => {
      server = await writingModel(which, 'hello.txt', 'hello over ACP\n');
      const run = registered(server.url)[which].run({ prompt: 'Create hello.txt', cwd: repo.path, timeoutMs: 90_000 });
      const live: string[] = [];
      run.events$.subscribe((event) => live.push(event.type));
      const { events, result } = await finished(run);
      expect(result).toMatchObject({ ok: true, reason: 'completed', finalText: 'Done: I created hello.txt.' });
      expect(readFileSync(join(repo.path, 'hello.txt'), 'utf8')).toBe('hello over ACP\n');
      expect(live[0]).toBe('session_started');
      expect(live).toEqual(expect.arrayContaining(['text', 'tool_call', 'tool_result', 'file_change', 'completed']));
      expect(events.find((e) => e.type === 'file_change')).toMatchObject({
        changes: [{ path: join(repo.path, 'hello.txt') }],
      });
      expect(result.sessionId).toBeTruthy();
      if (which !== 'claudeAcp') {
        // OpenCode and Gemini CLI report the turn's tokens (claude-code-acp reports none).
        expect(result.usage.inputTokens).toBeGreaterThan(0);
        expect(result.usage.outputTokens).toBeGreaterThan(0);
        expect(live).toContain('usage');
      }
      // OpenCode reports its cost too.
      if (which === 'opencode') expect(result.costUsd).toBeGreaterThan(0);
      expect(processesInDirectory(repo.path)).toEqual([]);
    });

    it('is refused a write outside the worktree: nothing is written, the refusal is said', async () => {
      const target = join(outside.path, 'escaped.txt');
      server = await writingModel(which, target, 'should never be written\n');
      const { events, result } = await finished(
        registered(server.url)[which].run({ prompt: 'Write outside', cwd: repo.path, timeoutMs: 90_000 }),
      );
      expect(existsSync(target)).toBe(false);
      if (which === 'gemini') {
        // Gemini CLI refuses a path outside its workspace (the worktree) itself, without asking.
        expect(events).toContainEqual(
          expect.objectContaining({
            type: 'tool_result',
            ok: false,
            output: expect.stringContaining('not in workspace') as string,
          }),
        );
      } else {
        expect(events).toContainEqual(
          expect.objectContaining({
            type: 'error',
            message: expect.stringContaining('is outside the worktree') as string,
          }),
        );
      }
      expect(result.reason).not.toBe('timeout');
    });

    it('cancels a turn whose model never answers: session/cancel, then its processes are gone', async () => {
      server =
        which === 'gemini'
          ? await startFakeGeminiServer(() => ({ kind: 'hang' }))
          : await startFakeAnthropicServer((request) =>
              JSON.stringify(request.body).includes('title generator')
                ? { kind: 'message', text: 'A title' }
                : { kind: 'hang' },
            );
      const controller = new AbortController();
      const run = registered(server.url)[which].run({
        prompt: 'Take your time',
        cwd: repo.path,
        timeoutMs: 90_000,
        signal: controller.signal,
      });
      run.events$.subscribe((event) => {
        if (event.type === 'session_started')
          setTimeout(() => {
            controller.abort();
          }, 1500);
      });
      const { result } = await finished(run);
      expect(result).toMatchObject({ ok: false, reason: 'cancelled' });
      expect(result.durationMs).toBeLessThan(30_000);
      expect(processesInDirectory(repo.path)).toEqual([]);
    });
  });

  it.each(['opencode', 'claudeAcp'] as const)(
    'approval_policy auto-edit: %s runs no command (the model asks for one)',
    async (which) => {
      server = await startFakeAnthropicServer((request) =>
        isAnsweringTools(request)
          ? { kind: 'message', text: 'Done.' }
          : {
              kind: 'message',
              text: 'I will run it.',
              toolUses: [
                which === 'opencode'
                  ? { name: 'bash', input: { command: 'touch ran.txt', description: 'Touch a file' } }
                  : { name: 'Bash', input: { command: 'touch ran.txt' } },
              ],
            },
      );
      const agent = registered(server.url, '[agents]\napproval_policy = "auto-edit"')[which];
      await finished(agent.run({ prompt: 'Run touch ran.txt', cwd: repo.path, timeoutMs: 90_000 }));
      expect(existsSync(join(repo.path, 'ran.txt'))).toBe(false);
    },
  );

  it('OpenCode continues the same session in a fix round (session/load)', async () => {
    server = await startFakeAnthropicServer(() => ({ kind: 'message', text: 'ok' }));
    const { opencode } = registered(server.url);
    const first = (await finished(opencode.run({ prompt: 'remember 42', cwd: repo.path, timeoutMs: 90_000 }))).result;
    expect(first).toMatchObject({ ok: true });
    const second = (
      await finished(
        opencode.run({ prompt: 'what was it?', cwd: repo.path, timeoutMs: 90_000, resumeSessionId: first.sessionId }),
      )
    ).result;
    expect(second).toMatchObject({ ok: true, sessionId: first.sessionId });
    const last = server.requests.filter((r) => !JSON.stringify(r.body).includes('title generator')).at(-1);
    expect(JSON.stringify(last?.body['messages'])).toContain('remember 42');
  });

  it("OpenCode takes a task's model through its session's model option; one it lacks fails the run", async () => {
    server = await startFakeAnthropicServer(() => ({ kind: 'message', text: 'ok' }));
    const { opencode } = registered(server.url);
    const chosen = (
      await finished(
        opencode.run({ prompt: 'hi', cwd: repo.path, timeoutMs: 90_000, model: 'anthropic/claude-haiku-4-5' }),
      )
    ).result;
    expect(chosen).toMatchObject({ ok: true });
    const last = server.requests.filter((r) => !JSON.stringify(r.body).includes('title generator')).at(-1);
    expect(last?.body['model']).toMatch(/^claude-haiku-4-5/);
    const unknown = (
      await finished(opencode.run({ prompt: 'hi', cwd: repo.path, timeoutMs: 90_000, model: 'nobody/no-model' }))
    ).result;
    expect(unknown).toMatchObject({ ok: false, reason: 'failed' });
    expect(unknown.message).toMatch(/^opencode: /);
  });

  it('a usage limit from the model is a rate limit, not a failure', async () => {
    server = await startFakeAnthropicServer(() => ({
      kind: 'error',
      status: 429,
      message: 'rate limited by script',
      retryAfterSecs: 1,
    }));
    const { result } = await finished(
      registered(server.url).claudeAcp.run({ prompt: 'x', cwd: repo.path, timeoutMs: 90_000 }),
    );
    expect(result).toMatchObject({ ok: false, reason: 'rate_limited' });
  });
});

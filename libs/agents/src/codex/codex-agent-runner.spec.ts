import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  FAKE_AGENT_BIN_DIR,
  createTempGitRepo,
  fakeAgentEnv,
  readFakeAgentLog,
  type FakeAgentScenario,
  type TempGitRepo,
} from '@agent-harness/testing';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  CREDENTIAL_CANARIES,
  configFrom,
  escapeWithSetsid,
  finished,
  isAlive,
  isProcessGroupAlive,
  isRunning,
  leakedCanaries,
  readEnvDump,
  waitForFile,
} from '../../test/helpers.js';
import type { AgentRequest } from '../agent-runner.js';
import { CodexAgentRunner, codexArgs } from './codex-agent-runner.js';

describe('CodexAgentRunner with the scripted codex', () => {
  let repo: TempGitRepo;
  let log: string;
  beforeEach(async () => {
    repo = await createTempGitRepo();
    log = join(repo.path, '..', 'agent-log.jsonl');
  });
  afterEach(async () => {
    await repo.cleanup();
  });

  const run = (
    scenario: FakeAgentScenario,
    request: Partial<AgentRequest> = {},
    toml = '',
    baseEnv: Record<string, string> = {},
    unreachableTimeoutMs?: number,
  ) =>
    new CodexAgentRunner({
      config: { ...configFrom(toml).agents.codex, cli_path: join(FAKE_AGENT_BIN_DIR, 'codex') },
      sandboxMode: 'danger-full-access',
      baseEnv: { PATH: process.env['PATH'], HOME: join(repo.path, '..'), ...baseEnv },
      unreachableTimeoutMs,
    }).run({ prompt: 'Create hello.txt', cwd: repo.path, env: fakeAgentEnv(scenario, log), ...request });

  it('makes a real edit, runs a command and reports both live', async () => {
    const { events, result } = await finished(
      run({
        edits: [{ path: 'hello.txt', content: 'hi\n' }],
        commands: ['cat hello.txt'],
        text: 'All done.',
        session: 'thread-1',
      }),
    );
    expect(readFileSync(join(repo.path, 'hello.txt'), 'utf8')).toBe('hi\n');
    expect(events.map((e) => e.type)).toEqual([
      'session_started',
      'file_change',
      'tool_call',
      'tool_result',
      'text',
      'usage',
      'completed',
    ]);
    expect(events[3]).toEqual({ type: 'tool_result', id: 'item_1', ok: true, output: 'hi\n' });
    expect(result).toMatchObject({
      agent: 'codex',
      ok: true,
      reason: 'completed',
      finalText: 'All done.',
      sessionId: 'thread-1',
    });
    expect(result.usage).toEqual({ inputTokens: 19165, cachedInputTokens: 0, cacheWriteTokens: 0, outputTokens: 20 });
  });

  it('builds exec and exec resume command lines with sandbox, model and -c passthrough; the prompt goes on stdin', async () => {
    await finished(
      run(
        {},
        { model: 'gpt-5.5', resumeSessionId: 'thread-7', prompt: 'fix it' },
        '[agents.codex]\nextra_args = ["-c", "model_reasoning_effort=high"]\n',
      ),
    );
    expect(readFakeAgentLog(log)[0]).toMatchObject({
      argv: [
        'exec',
        'resume',
        '--json',
        '--skip-git-repo-check',
        '--dangerously-bypass-approvals-and-sandbox',
        '-m',
        'gpt-5.5',
        '-c',
        'model_reasoning_effort=high',
        '--',
        'thread-7',
        '-',
      ],
      prompt: 'fix it',
    });
    const config = configFrom().agents.codex;
    expect(codexArgs(config, 'workspace-write', { prompt: 'p', cwd: '/' })).toEqual([
      'exec',
      '--json',
      '--skip-git-repo-check',
      '-c',
      'sandbox_mode="workspace-write"',
      '--',
      '-',
    ]);
    expect(codexArgs(config, 'read-only', { prompt: 'p', cwd: '/' })).toContain('sandbox_mode="read-only"');
    // Inside Harness's OS sandbox, Codex's own (bubblewrap, which cannot nest) is off in every mode.
    const confined = codexArgs(config, 'read-only', { prompt: 'p', cwd: '/' }, true);
    expect(confined).toContain('--dangerously-bypass-approvals-and-sandbox');
    expect(confined.join(' ')).not.toContain('sandbox_mode');
    // approval_policy: auto-edit turns Codex's shell tools off (confined or not); suggest reads only.
    const editing = codexArgs(config, 'workspace-write', { prompt: 'p', cwd: '/' }, true, 'auto-edit').join(' ');
    expect(editing).toContain(
      '-c features.shell_tool=false -c features.unified_exec=false -c features.hooks=false -c notify=[] -c mcp_servers={}',
    );
    expect(codexArgs(config, 'workspace-write', { prompt: 'p', cwd: '/' }, false, 'suggest')).toContain(
      'sandbox_mode="read-only"',
    );
    expect(codexArgs(config, 'workspace-write', { prompt: 'p', cwd: '/' }, false, 'full-auto').join(' ')).not.toContain(
      'features',
    );
  });

  it('takes a prompt of 100,000 four-byte characters (400 KB), new and resumed, far past the argument size limit', async () => {
    const prompt = `start ${'𝄞'.repeat(100_000)} end`;
    expect((await finished(run({}, { prompt }))).result).toMatchObject({ ok: true, reason: 'completed' });
    expect((await finished(run({}, { prompt, resumeSessionId: 'thread-7' }))).result).toMatchObject({
      ok: true,
      sessionId: 'thread-7',
    });
    expect(readFakeAgentLog(log).map((call) => call.prompt)).toEqual([prompt, prompt]);
  });

  it("keeps other agents' secrets and Harness's tokens out of its environment", async () => {
    await finished(
      run({}, {}, '', {
        ANTHROPIC_API_KEY: 'sk-ant',
        GITHUB_TOKEN: 'ghp',
        HARNESS_DATABASE_URL: 'postgres://harness:pw@db/harness',
        OPENAI_API_KEY: 'sk-openai',
        OPENAI_BASE_URL: 'http://127.0.0.1:1/v1',
        CODEX_HOME: '/home/u/.codex',
      }),
    );
    const env = readFakeAgentLog(log)[0]?.env ?? {};
    expect(env).not.toHaveProperty('ANTHROPIC_API_KEY');
    expect(env).not.toHaveProperty('GITHUB_TOKEN');
    expect(env).not.toHaveProperty('HARNESS_DATABASE_URL');
    expect(env).toMatchObject({
      OPENAI_API_KEY: 'sk-openai',
      OPENAI_BASE_URL: 'http://127.0.0.1:1/v1',
      CODEX_HOME: '/home/u/.codex',
    });
  });

  it('gives the commands it runs only OpenAI credentials: no Anthropic keys, no Harness secrets (canaries)', async () => {
    const dump = join(repo.path, '..', 'seen.env');
    await finished(run({ commands: [`env -0 > ${dump}`] }, {}, '', { ...CREDENTIAL_CANARIES }));
    expect(leakedCanaries(readEnvDump(dump))).toEqual(['OPENAI_API_KEY', 'CODEX_API_KEY', 'AZURE_OPENAI_API_KEY']);
  });

  it('recognizes quota and rate-limit failures', async () => {
    expect((await finished(run({ outcome: 'quota' }))).result).toMatchObject({ ok: false, reason: 'quota_exceeded' });
    expect((await finished(run({ outcome: 'rate_limit' }))).result).toMatchObject({
      ok: false,
      reason: 'rate_limited',
    });
  });

  it("fails within the unreachable window on a dead model server, with Codex's own words, long before the total timeout", async () => {
    const { result } = await finished(run({ outcome: 'reconnect_forever' }, { timeoutMs: 60_000 }, '', {}, 1200));
    expect(result).toMatchObject({
      ok: false,
      reason: 'failed',
      message:
        'codex cannot reach its model API (still failing after 1.2 s): Reconnecting... waiting for network (Connection failed: error sending request)',
    });
    expect(result.durationMs).toBeLessThan(10_000);
  });

  it('does not give up on a model API that answers after a few reconnects', async () => {
    const { result } = await finished(run({ connectionRetries: 3 }, { timeoutMs: 30_000 }, '', {}, 1200));
    expect(result).toMatchObject({ ok: true, reason: 'completed' });
  });

  it('says once that the binary is missing and how to install it', async () => {
    const missing = new CodexAgentRunner({
      config: { ...configFrom().agents.codex, cli_path: 'codex' },
      sandboxMode: 'danger-full-access',
      baseEnv: { PATH: '/nonexistent' },
    });
    const { result, events } = await finished(missing.run({ prompt: 'x', cwd: repo.path }));
    expect(result).toMatchObject({
      ok: false,
      reason: 'unavailable',
      message:
        'codex CLI not found: "codex" is not on PATH; install it or set [agents.codex] cli_path (install: npm install -g @openai/codex)',
    });
    expect(events.map((e) => e.type)).toEqual(['completed']);
  });

  it('ends what left its process group with setsid, by the task marker, when the run times out', async () => {
    const pidFile = join(repo.path, '..', 'escaped.pid');
    const scenario: FakeAgentScenario = { commands: [escapeWithSetsid(pidFile)], hang: 'after_commands' };
    const env = { ...fakeAgentEnv(scenario, log), HARNESS_TASK_ID: `task-timeout-${String(process.pid)}` };
    const handle = run(scenario, { env, timeoutMs: 1500 });
    const escaped = Number(await waitForFile(pidFile));
    try {
      expect((await finished(handle)).result.reason).toBe('timeout');
      expect(isRunning(escaped)).toBe(false);
    } finally {
      if (isRunning(escaped)) process.kill(escaped, 'SIGKILL');
    }
  });

  it('stops a run that waits for user input and leaves nothing behind', async () => {
    const pidFile = join(repo.path, '..', 'grandchild.pid');
    const { result } = await finished(run({ outcome: 'needs_input', grandchildPidFile: pidFile }));
    expect(result).toMatchObject({
      ok: false,
      reason: 'failed',
      message: 'the agent asked for user input, which an unattended run cannot give',
    });
    expect(isAlive(Number(await waitForFile(pidFile)))).toBe(false);
    expect(isProcessGroupAlive(readFakeAgentLog(log)[0]!.pid)).toBe(false);
  });
});

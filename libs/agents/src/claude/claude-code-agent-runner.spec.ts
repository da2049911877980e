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
import { ClaudeCodeAgentRunner, claudeArgs } from './claude-code-agent-runner.js';

describe('ClaudeCodeAgentRunner with the scripted claude', () => {
  let repo: TempGitRepo;
  let log: string;
  beforeEach(async () => {
    repo = await createTempGitRepo();
    log = join(repo.path, '..', 'agent-log.jsonl');
  });
  afterEach(async () => {
    await repo.cleanup();
  });

  const runner = (toml = '', baseEnv: Record<string, string> = {}, unreachableTimeoutMs?: number) =>
    new ClaudeCodeAgentRunner({
      config: { ...configFrom(toml).agents.claude, cli_path: join(FAKE_AGENT_BIN_DIR, 'claude') },
      sandboxMode: 'danger-full-access',
      baseEnv: { PATH: process.env['PATH'], HOME: join(repo.path, '..'), ...baseEnv },
      unreachableTimeoutMs,
    });
  const run = (
    scenario: FakeAgentScenario,
    request: Partial<AgentRequest> = {},
    toml = '',
    baseEnv: Record<string, string> = {},
    unreachableTimeoutMs?: number,
  ) =>
    runner(toml, baseEnv, unreachableTimeoutMs).run({
      prompt: 'Create hello.txt',
      cwd: repo.path,
      env: fakeAgentEnv(scenario, log),
      ...request,
    });

  it('makes a real edit and reports it live, with usage and the final answer', async () => {
    const { events, result } = await finished(
      run({ edits: [{ path: 'hello.txt', content: 'hi\n' }], text: 'Created hello.txt.', session: 'sess-1' }),
    );
    expect(readFileSync(join(repo.path, 'hello.txt'), 'utf8')).toBe('hi\n');
    expect(events.map((e) => e.type)).toEqual([
      'session_started',
      'text',
      'usage',
      'tool_call',
      'file_change',
      'tool_result',
      'text',
      'usage',
      'completed',
    ]);
    expect(result).toMatchObject({
      agent: 'claude',
      ok: true,
      reason: 'completed',
      finalText: 'Created hello.txt.',
      sessionId: 'sess-1',
      exitCode: 0,
      costUsd: 0.0994,
    });
    expect(result.usage.outputTokens).toBe(15);
    expect(events.at(-1)).toMatchObject({ type: 'completed', ok: true, sessionId: 'sess-1' });
  });

  it('passes model, permissions, budget, resume and extra args; the prompt goes on stdin', async () => {
    await finished(
      run(
        {},
        { model: 'opus', budgetUsd: 0.5, resumeSessionId: 'sess-9', prompt: '-starts with a dash' },
        '[agents.claude]\nextra_args = ["--max-turns", "7"]\n',
      ),
    );
    const [call] = readFakeAgentLog(log);
    expect(call?.argv).toEqual([
      '-p',
      '--output-format',
      'stream-json',
      '--verbose',
      '--model',
      'opus',
      '--dangerously-skip-permissions',
      '--max-budget-usd',
      '0.5',
      '--resume',
      'sess-9',
      '--max-turns',
      '7',
    ]);
    expect(call?.prompt).toBe('-starts with a dash');
    expect(call?.cwd).toBe(repo.path);
  });

  it('takes a prompt of 100,000 four-byte characters (400 KB), far past the argument size limit', async () => {
    const prompt = `start ${'𝄞'.repeat(100_000)} end`;
    const { result } = await finished(run({}, { prompt }));
    expect(result).toMatchObject({ ok: true, reason: 'completed' });
    expect(readFakeAgentLog(log)[0]?.prompt).toBe(prompt);
  });

  it("passes the task's spend limits that are left: --max-budget-usd and --max-turns", () => {
    const args = claudeArgs(configFrom().agents.claude, 'danger-full-access', {
      prompt: 'p',
      cwd: '/',
      budgetUsd: 1.25,
      maxTurns: 12,
    });
    expect(args.join(' ')).toContain('--max-budget-usd 1.25 --max-turns 12');
    expect(claudeArgs(configFrom().agents.claude, 'danger-full-access', { prompt: 'p', cwd: '/' })).not.toContain(
      '--max-turns',
    );
  });

  it('restricts tools instead of skipping permissions when a request lists them', () => {
    const config = configFrom().agents.claude;
    const args = claudeArgs(config, 'danger-full-access', { prompt: 'p', cwd: '/', allowedTools: ['Read', 'Edit'] });
    expect(args).toEqual(
      expect.arrayContaining([
        '--permission-mode',
        'bypassPermissions',
        '--allowedTools',
        'Read,Edit',
        '--disallowedTools',
        'Bash,MultiEdit,NotebookEdit,Write',
      ]),
    );
    expect(args).not.toContain('--dangerously-skip-permissions');
    expect(claudeArgs(config, 'read-only', { prompt: 'p', cwd: '/' })).toEqual(
      expect.arrayContaining(['--allowedTools', 'Read,Grep,Glob,LS']),
    );
  });

  it('approval_policy: auto-edit edits without a shell, suggest reads only, full-auto is unrestricted', () => {
    const config = configFrom().agents.claude;
    const request = { prompt: 'p', cwd: '/' };
    expect(claudeArgs(config, 'workspace-write', request, 'auto-edit')).toEqual(
      expect.arrayContaining([
        '--allowedTools',
        'Read,Grep,Glob,LS,Edit,MultiEdit,NotebookEdit,Write',
        '--disallowedTools',
        'Bash',
        '--settings',
        '{"disableAllHooks":true}',
        '--strict-mcp-config',
      ]),
    );
    expect(claudeArgs(config, 'workspace-write', request, 'suggest')).toEqual(
      expect.arrayContaining([
        '--allowedTools',
        'Read,Grep,Glob,LS',
        '--disallowedTools',
        'Bash,Edit,MultiEdit,NotebookEdit,Write',
      ]),
    );
    expect(claudeArgs(config, 'workspace-write', request, 'full-auto')).toContain('--dangerously-skip-permissions');
  });

  it('picks the phase model under reasoning_budget, and the default model otherwise', () => {
    const plain = configFrom().agents.claude;
    expect(claudeArgs(plain, 'danger-full-access', { prompt: 'p', cwd: '/', phase: 'planning' })).toContain('sonnet');
    const tiered = configFrom('[agents.claude.reasoning_budget]\nplanning_tier = "xhigh"\nxhigh_model = "opus-x"\n')
      .agents.claude;
    const args = claudeArgs(tiered, 'danger-full-access', { prompt: 'p', cwd: '/', phase: 'planning' });
    expect(args[args.indexOf('--model') + 1]).toBe('opus-x');
  });

  it('gives the agent an allow-listed environment: its own settings, no nested-session variables, no server secrets, config env added', async () => {
    const baseEnv = {
      CLAUDECODE: '1',
      CLAUDE_CODE_ENTRYPOINT: 'cli',
      CLAUDE_CODE_SESSION_ID: 'outer',
      CLAUDE_CONFIG_DIR: '/keep/me',
      ANTHROPIC_BASE_URL: 'http://127.0.0.1:1',
      CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: '1',
      HTTPS_PROXY: 'http://proxy:3128',
      NODE_EXTRA_CA_CERTS: '/etc/ca.pem',
      GITHUB_TOKEN: 'ghp_secret',
      HARNESS_API_TOKEN: 'tok',
      HARNESS_DATABASE_URL: 'postgres://harness:pw@db/harness',
      AWS_SECRET_ACCESS_KEY: 'aws',
      OPENAI_API_KEY: 'sk-openai',
      UNRELATED: 'x',
    };
    await finished(run({}, {}, '[agents.claude.env]\nEXTRA_FROM_CONFIG = "yes"\nAWS_REGION = "eu-west-1"\n', baseEnv));
    const env = readFakeAgentLog(log)[0]?.env ?? {};
    for (const gone of [
      'CLAUDECODE',
      'CLAUDE_CODE_ENTRYPOINT',
      'CLAUDE_CODE_SESSION_ID',
      'GITHUB_TOKEN',
      'HARNESS_API_TOKEN',
      'HARNESS_DATABASE_URL',
      'AWS_SECRET_ACCESS_KEY',
      'OPENAI_API_KEY',
      'UNRELATED',
    ])
      expect(env).not.toHaveProperty(gone);
    expect(env).toMatchObject({
      CLAUDE_CONFIG_DIR: '/keep/me',
      ANTHROPIC_BASE_URL: 'http://127.0.0.1:1',
      CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: '1',
      HTTPS_PROXY: 'http://proxy:3128',
      NODE_EXTRA_CA_CERTS: '/etc/ca.pem',
      EXTRA_FROM_CONFIG: 'yes',
      AWS_REGION: 'eu-west-1',
    });
  });

  it("gives the commands it runs only Anthropic credentials: no other provider's keys, no Harness secrets (canaries)", async () => {
    const dump = join(repo.path, '..', 'seen.env');
    await finished(run({ commands: [`env -0 > ${dump}`] }, {}, '', { ...CREDENTIAL_CANARIES }));
    const env = readEnvDump(dump);
    expect(leakedCanaries(env)).toEqual(['ANTHROPIC_API_KEY', 'ANTHROPIC_AUTH_TOKEN', 'CLAUDE_CODE_OAUTH_TOKEN']);
    expect(env['PATH']).toBe(process.env['PATH']);
  });

  it('skips noise and still completes', async () => {
    const { result, events } = await finished(run({ noise: true, edits: [{ path: 'a.txt', content: 'a' }] }));
    expect(result.ok).toBe(true);
    expect(events.filter((e) => e.type === 'error')).toEqual([]);
  });

  it('fails on a 429 inside a "success" result although the exit code is 0', async () => {
    const { result } = await finished(run({ outcome: 'rate_limit_in_success' }));
    expect(result).toMatchObject({ ok: false, reason: 'rate_limited', exitCode: 0 });
    expect(result.message).toContain('429');
  });

  it('reports budget exhaustion and a run that died without a result', async () => {
    expect((await finished(run({ outcome: 'budget' }))).result).toMatchObject({ ok: false, reason: 'budget_exceeded' });
    const died = (await finished(run({ outcome: 'no_result', exitCode: 3, stderr: 'boom: something broke\n' }))).result;
    expect(died).toMatchObject({
      ok: false,
      reason: 'failed',
      exitCode: 3,
      message: 'claude exited (code 3) without a final result: boom: something broke',
    });
    expect(died.stderrTail).toBe('boom: something broke\n');
  });

  it('stops a 401 retry loop at once instead of waiting for the CLI to give up', async () => {
    const { result } = await finished(run({ outcome: 'auth_retry' }, { timeoutMs: 30_000 }));
    expect(result).toMatchObject({ ok: false, reason: 'auth_failed' });
    expect(result.durationMs).toBeLessThan(20_000);
  });

  it('cancels a running agent and leaves no process of its group behind', async () => {
    const pidFile = join(repo.path, '..', 'grandchild.pid');
    const controller = new AbortController();
    const handle = run({ hang: 'after_init', grandchildPidFile: pidFile }, { signal: controller.signal });
    const grandchild = Number(await waitForFile(pidFile));
    const agentPid = readFakeAgentLog(log)[0]!.pid;
    expect(isAlive(grandchild)).toBe(true);
    controller.abort();
    const { result, events } = await finished(handle);
    expect(result).toMatchObject({ ok: false, reason: 'cancelled' });
    expect(events.at(-1)).toMatchObject({ type: 'completed', reason: 'cancelled' });
    expect(isAlive(agentPid)).toBe(false);
    expect(isAlive(grandchild)).toBe(false);
    expect(isProcessGroupAlive(agentPid)).toBe(false);
  });

  describe('processes that left its process group with setsid', () => {
    const escapees: number[] = [];
    afterEach(() => {
      for (const pid of escapees.splice(0)) if (isRunning(pid)) process.kill(pid, 'SIGKILL');
    });
    const taskEnv = (scenario: FakeAgentScenario, taskId: string) => ({
      ...fakeAgentEnv(scenario, log),
      HARNESS_TASK_ID: `${taskId}-${String(process.pid)}`,
    });

    it('are ended by the task marker when the run ends normally', async () => {
      const pidFile = join(repo.path, '..', 'escaped.pid');
      const scenario = { commands: [escapeWithSetsid(pidFile)] };
      const { result } = await finished(
        runner().run({ prompt: 'x', cwd: repo.path, env: taskEnv(scenario, 'task-normal') }),
      );
      const escaped = Number(readFileSync(pidFile, 'utf8'));
      escapees.push(escaped);
      expect(result.ok).toBe(true);
      expect(isRunning(escaped)).toBe(false);
    });

    it('are ended by the task marker when the run is cancelled', async () => {
      const pidFile = join(repo.path, '..', 'escaped.pid');
      const controller = new AbortController();
      const scenario: FakeAgentScenario = { commands: [escapeWithSetsid(pidFile)], hang: 'after_commands' };
      const handle = runner().run({
        prompt: 'x',
        cwd: repo.path,
        env: taskEnv(scenario, 'task-cancel'),
        signal: controller.signal,
      });
      const escaped = Number(await waitForFile(pidFile));
      escapees.push(escaped);
      expect(isRunning(escaped)).toBe(true);
      controller.abort();
      expect((await finished(handle)).result.reason).toBe('cancelled');
      expect(isRunning(escaped)).toBe(false);
    });

    it('cannot keep a run from ending by holding its output pipes; with a marker they are ended', async () => {
      const marked = join(repo.path, '..', 'holder-marked.pid');
      const { result } = await finished(
        runner().run({ prompt: 'x', cwd: repo.path, env: taskEnv({ pipeHolderPidFile: marked }, 'task-pipes') }),
      );
      escapees.push(Number(readFileSync(marked, 'utf8')));
      expect(result.ok).toBe(true);
      expect(isRunning(Number(readFileSync(marked, 'utf8')))).toBe(false);
      // Without a marker the holder is not Harness's to end, but the run still ends.
      const unmarked = join(repo.path, '..', 'holder-unmarked.pid');
      const second = await finished(run({ pipeHolderPidFile: unmarked }));
      escapees.push(Number(readFileSync(unmarked, 'utf8')));
      expect(second.result.ok).toBe(true);
    });

    it("are left alone without a marker (harness exec runs in the user's own directory)", async () => {
      const pidFile = join(repo.path, '..', 'escaped.pid');
      await finished(run({ commands: [escapeWithSetsid(pidFile, repo.path)] }));
      const escaped = Number(readFileSync(pidFile, 'utf8'));
      escapees.push(escaped);
      expect(isRunning(escaped)).toBe(true);
    });
  });

  it('times out a silent agent (idle timeout) and kills its group', async () => {
    const pidFile = join(repo.path, '..', 'grandchild.pid');
    const { result } = await finished(
      run({ hang: 'before_output', grandchildPidFile: pidFile }, { idleTimeoutMs: 500 }),
    );
    expect(result).toMatchObject({ ok: false, reason: 'idle_timeout', message: 'no output for 0.5 s (idle timeout)' });
    expect(isAlive(Number(readFileSync(pidFile, 'utf8')))).toBe(false);
    expect(isProcessGroupAlive(readFakeAgentLog(log)[0]!.pid)).toBe(false);
  });

  it('enforces the total timeout even while the agent keeps talking', async () => {
    const talking = await finished(
      run({ hang: 'after_init', noise: true, delayMs: 50 }, { timeoutMs: 600, idleTimeoutMs: 60_000 }),
    );
    expect(talking.result).toMatchObject({ ok: false, reason: 'timeout', message: 'timed out after 0.6 s' });
  });

  it('says once that the binary is missing, how to install it and which key to set', async () => {
    const missing = new ClaudeCodeAgentRunner({
      config: { ...configFrom().agents.claude, cli_path: 'claude-not-installed-here' },
      sandboxMode: 'danger-full-access',
      baseEnv: { PATH: '/nonexistent' },
    });
    const { result, events } = await finished(missing.run({ prompt: 'x', cwd: repo.path }));
    expect(result).toMatchObject({ ok: false, reason: 'unavailable' });
    expect(result.message).toBe(
      'claude CLI not found: "claude-not-installed-here" is not on PATH; install it or set [agents.claude] cli_path (install: npm install -g @anthropic-ai/claude-code)',
    );
    // Only the completed event carries it: a separate error event would print it a second time.
    expect(events.map((e) => e.type)).toEqual(['completed']);
  });

  it('fails within the unreachable window when the model API keeps refusing connections, with its own words', async () => {
    const { result, events } = await finished(
      run({ outcome: 'connection_retry' }, { timeoutMs: 30_000 }, '', {}, 1500),
    );
    expect(result).toMatchObject({ ok: false, reason: 'failed' });
    expect(result.message).toMatch(
      /^claude cannot reach its model API \(still failing after 1\.5 s\): Unable to connect to API \(attempt \d+ of 10 failed without a response; retrying in /,
    );
    expect(result.durationMs).toBeLessThan(10_000);
    expect(events.filter((e) => e.type === 'error').length).toBeGreaterThan(1);
  });

  it('does not give up on a model API that answers after a few failed connections', async () => {
    const { result } = await finished(run({ connectionRetries: 3 }, { timeoutMs: 30_000 }, '', {}, 1500));
    expect(result).toMatchObject({ ok: true, reason: 'completed' });
  });

  it('says how to fix the refusal to run as root without IS_SANDBOX, and runs with it', async () => {
    const { result } = await finished(run({ asRoot: true }));
    expect(result).toMatchObject({ ok: false, reason: 'unavailable' });
    expect(result.message).toBe(
      'Claude Code refuses to run with full permissions as root ("--dangerously-skip-permissions cannot be used with root/sudo privileges for security reasons"): if this machine or container is the sandbox, set IS_SANDBOX = "1" in [agents.claude.env]; otherwise run Harness as another user',
    );
    expect((await finished(run({ asRoot: true }, {}, '[agents.claude.env]\nIS_SANDBOX = "1"\n'))).result).toMatchObject(
      { ok: true },
    );
  });
});

import { agentEnv, type AgentEnvAllowance, type HarnessConfig } from '@agent-harness/core';
import { AgentRunner, type AgentRequest, type AgentRun } from '../agent-runner.js';
import { runCliAgent } from '../process/cli-agent-process.js';
import { taskMarkerOf } from '../process/orphans.js';
import { CodexEventParser } from './codex-event-parser.js';

type CodexConfig = HarnessConfig['agents']['codex'];

/** @public */
export interface CodexAgentRunnerDeps {
  readonly config: CodexConfig;
  readonly sandboxMode: HarnessConfig['agents']['sandbox_mode'];
  /** The environment Harness itself runs with; the agent's is an allow-list of it (`CODEX_ENV`). */
  readonly baseEnv: Readonly<Record<string, string | undefined>>;
  /** How long Codex may keep reconnecting to its model API before the run fails. Default 60 s. */
  readonly unreachableTimeoutMs?: number | undefined;
}

/**
 * What Codex takes from the server's environment besides the base (see `agentEnv`): its
 * credentials, endpoint and home (OPENAI_API_KEY, OPENAI_BASE_URL, CODEX_API_KEY, CODEX_HOME…) and
 * the key of its Azure OpenAI provider. A custom `model_providers` entry's `env_key` is named in
 * `[agents.codex.env]`.
 * @public
 */
export const CODEX_ENV: AgentEnvAllowance = {
  names: ['AZURE_OPENAI_API_KEY'],
  prefixes: ['OPENAI_', 'CODEX_'],
};

/** How to install Codex, said when it is missing. */
export const CODEX_INSTALL_HINT = 'npm install -g @openai/codex';

/**
 * The command line for one run (without the binary). `danger-full-access` bypasses Codex's own
 * sandbox and approvals (the task's worktree is the isolation); the other modes are passed as
 * `sandbox_mode`, which `exec resume` also accepts. The prompt argument is `-`: Codex then reads
 * the prompt from stdin (also for `exec resume <thread> -`).
 */
export function codexArgs(
  config: CodexConfig,
  sandboxMode: CodexAgentRunnerDeps['sandboxMode'],
  request: AgentRequest,
): string[] {
  const args = ['exec'];
  if (request.resumeSessionId !== undefined) args.push('resume');
  args.push('--json', '--skip-git-repo-check');
  const mode = request.sandboxMode ?? sandboxMode;
  if (mode === 'danger-full-access' && request.allowedTools === undefined)
    args.push('--dangerously-bypass-approvals-and-sandbox');
  else args.push('-c', `sandbox_mode="${mode === 'danger-full-access' ? 'workspace-write' : mode}"`);
  const model = request.model ?? config.default_model;
  if (model !== undefined) args.push('-m', model);
  args.push(...config.extra_args);
  args.push('--');
  if (request.resumeSessionId !== undefined) args.push(request.resumeSessionId);
  args.push('-');
  return args;
}

/**
 * Codex (`codex exec --json … -`, the prompt on stdin, then stdin closed) as an `AgentRunner`.
 * @public
 */
export class CodexAgentRunner extends AgentRunner {
  readonly name = 'codex';

  constructor(private readonly deps: CodexAgentRunnerDeps) {
    super();
  }

  run(request: AgentRequest): AgentRun {
    const { config } = this.deps;
    return runCliAgent({
      agent: this.name,
      configKey: '[agents.codex] cli_path',
      installHint: CODEX_INSTALL_HINT,
      command: config.cli_path,
      args: codexArgs(config, this.deps.sandboxMode, request),
      stdin: request.prompt,
      cwd: request.cwd,
      env: agentEnv(this.deps.baseEnv, CODEX_ENV, config.env, request.env),
      parser: new CodexEventParser(),
      timeoutMs: request.timeoutMs ?? config.timeout_secs * 1000,
      idleTimeoutMs: request.idleTimeoutMs ?? config.idle_timeout_secs * 1000,
      signal: request.signal,
      marker: taskMarkerOf(request.env),
      unreachableTimeoutMs: this.deps.unreachableTimeoutMs,
    });
  }
}

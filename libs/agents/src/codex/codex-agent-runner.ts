import { homedir } from 'node:os';
import { join } from 'node:path';
import {
  agentEnv,
  type AgentEnvAllowance,
  type ApprovalPolicy,
  type CommandSandbox,
  type HarnessConfig,
} from '@agent-harness/core';
import { AgentRunner, type AgentRequest, type AgentRun } from '../agent-runner.js';
import { approvalLimits } from '../approval-policy.js';
import { runCliAgent } from '../process/cli-agent-process.js';
import { taskMarkerOf } from '../process/orphans.js';
import { CodexEventParser } from './codex-event-parser.js';

type CodexConfig = HarnessConfig['agents']['codex'];

/** @public */
export interface CodexAgentRunnerDeps {
  readonly config: CodexConfig;
  readonly sandboxMode: HarnessConfig['agents']['sandbox_mode'];
  /** `[agents] approval_policy`; unset is `full-auto`. */
  readonly approvalPolicy?: ApprovalPolicy | undefined;
  /** The environment Harness itself runs with; the agent's is an allow-list of it (`CODEX_ENV`). */
  readonly baseEnv: Readonly<Record<string, string | undefined>>;
  /** How long Codex may keep reconnecting to its model API before the run fails. Default 60 s. */
  readonly unreachableTimeoutMs?: number | undefined;
  /** The OS sandbox every run starts in; without one, runs start as they are (a library user's choice). */
  readonly sandbox?: CommandSandbox | undefined;
}

/** Hosts Codex reaches when no base URL is given: the OpenAI API and the ChatGPT login. */
export const CODEX_DOMAINS = ['api.openai.com', 'chatgpt.com', 'auth.openai.com'];

/**
 * The model services a Codex run was pointed at: `OPENAI_BASE_URL`, and any `base_url="…"` given in
 * `extra_args` (`-c model_providers.x={…,base_url="…"}`, `-c openai_base_url=…`).
 */
export function codexEndpoints(extraArgs: readonly string[], env: Readonly<Record<string, string>>): string[] {
  const urls = extraArgs.flatMap((arg) => [...arg.matchAll(/base_url\s*=\s*"?([^",}\s]+)/g)].map((m) => m[1] ?? ''));
  const fromEnv = env['OPENAI_BASE_URL'];
  return [...(fromEnv === undefined ? [] : [fromEnv]), ...urls].filter((url) => url !== '');
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
 * The command line for one run (without the binary). Inside Harness's OS sandbox (`confined`),
 * Codex's own sandbox is off: the OS sandbox enforces the mode, and Codex's (bubblewrap too) cannot
 * start inside another. Unconfined, `danger-full-access` bypasses Codex's sandbox and approvals and
 * the other modes are passed as `sandbox_mode`, which `exec resume` also accepts. The prompt
 * argument is `-`: Codex then reads the prompt from stdin (also for `exec resume <thread> -`).
 * A run that may not run commands (`approval_policy` `auto-edit`) has Codex's shell tools turned
 * off: it edits through `apply_patch` only.
 */
export function codexArgs(
  config: CodexConfig,
  sandboxMode: CodexAgentRunnerDeps['sandboxMode'],
  request: AgentRequest,
  confined = false,
  policy?: ApprovalPolicy,
): string[] {
  const args = ['exec'];
  if (request.resumeSessionId !== undefined) args.push('resume');
  args.push('--json', '--skip-git-repo-check');
  const { mode, commands } = approvalLimits(policy, request.sandboxMode ?? sandboxMode);
  // As `-c`, which `exec resume` takes too (`--disable` is the same setting). No command may run:
  // not its shell tools, nor a hook, a `notify` program or an MCP server an earlier edit set up.
  if (!commands)
    args.push(
      ...['-c', 'features.shell_tool=false', '-c', 'features.unified_exec=false', '-c', 'features.hooks=false'],
      ...['-c', 'notify=[]', '-c', 'mcp_servers={}'],
    );
  if (confined || (mode === 'danger-full-access' && request.allowedTools === undefined))
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
    const { config, sandbox } = this.deps;
    const { mode } = approvalLimits(this.deps.approvalPolicy, request.sandboxMode ?? this.deps.sandboxMode);
    const env = agentEnv(this.deps.baseEnv, CODEX_ENV, config.env, request.env);
    const codexHome = env['CODEX_HOME'] ?? join(env['HOME'] ?? homedir(), '.codex');
    const confined = sandbox !== undefined && mode !== 'danger-full-access';
    return runCliAgent({
      agent: this.name,
      configKey: '[agents.codex] cli_path',
      installHint: CODEX_INSTALL_HINT,
      command: config.cli_path,
      args: codexArgs(config, this.deps.sandboxMode, request, confined, this.deps.approvalPolicy),
      stdin: request.prompt,
      cwd: request.cwd,
      env,
      parser: new CodexEventParser(),
      timeoutMs: request.timeoutMs ?? config.timeout_secs * 1000,
      idleTimeoutMs: request.idleTimeoutMs ?? config.idle_timeout_secs * 1000,
      signal: request.signal,
      marker: taskMarkerOf(request.env),
      unreachableTimeoutMs: this.deps.unreachableTimeoutMs,
      sandbox:
        sandbox === undefined || !confined
          ? undefined
          : (command) =>
              sandbox.wrapAgent(command, {
                mode,
                stateDirs: [codexHome],
                stateFiles: [],
                endpoints: codexEndpoints(config.extra_args, env),
                domains: CODEX_DOMAINS,
              }),
    });
  }
}

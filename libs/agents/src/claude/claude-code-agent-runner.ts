import { homedir } from 'node:os';
import { join } from 'node:path';
import {
  agentEnv,
  type AgentEndReason,
  type AgentEnvAllowance,
  type ApprovalPolicy,
  type CommandSandbox,
  type HarnessConfig,
} from '@agent-harness/core';
import { AgentRunner, type AgentRequest, type AgentRun } from '../agent-runner.js';
import { approvalLimits } from '../approval-policy.js';
import { runCliAgent } from '../process/cli-agent-process.js';
import { taskMarkerOf } from '../process/orphans.js';
import { ClaudeStreamParser } from './claude-stream-parser.js';

type ClaudeConfig = HarnessConfig['agents']['claude'];

/**
 * Variables Claude Code sets for the sessions it runs. Inherited by a nested `claude` they make it
 * believe it is a sub-session of another (the original harness saw SIGTRAP crashes), so they are
 * removed. `CLAUDE_CONFIG_DIR` is the user's own setting and is kept.
 */
export const CLAUDE_NESTED_SESSION_VARS = [
  'CLAUDECODE',
  'CLAUDE_CODE_ENTRYPOINT',
  'CLAUDE_CODE_SESSION_ID',
  'CLAUDE_CODE_PARENT_SESSION_ID',
  'CLAUDE_CODE_SSE_PORT',
  'CLAUDE_CODE_EXECPATH',
  'CLAUDE_AGENT_SDK_VERSION',
];

/**
 * What Claude Code takes from the server's environment besides the base (see `agentEnv`): its
 * credentials (ANTHROPIC_API_KEY, ANTHROPIC_AUTH_TOKEN, CLAUDE_CODE_OAUTH_TOKEN), endpoint and
 * models (ANTHROPIC_BASE_URL, ANTHROPIC_MODEL…), its settings (CLAUDE_CODE_*, CLAUDE_CONFIG_DIR, the
 * DISABLE_* switches, IS_SANDBOX), never the markers of a session it would be nested in.
 * @public
 */
export const CLAUDE_ENV: AgentEnvAllowance = {
  names: [
    'CLAUDE_CONFIG_DIR',
    'IS_SANDBOX',
    'DISABLE_TELEMETRY',
    'DISABLE_AUTOUPDATER',
    'DISABLE_ERROR_REPORTING',
    'DISABLE_NON_ESSENTIAL_MODEL_CALLS',
    'MAX_THINKING_TOKENS',
    'BASH_DEFAULT_TIMEOUT_MS',
    'BASH_MAX_TIMEOUT_MS',
    'MCP_TIMEOUT',
    'MCP_TOOL_TIMEOUT',
  ],
  prefixes: ['ANTHROPIC_', 'CLAUDE_CODE_'],
  except: CLAUDE_NESTED_SESSION_VARS,
};

/** Tools that change files or run commands: denied unless a request allows them. */
const MUTATING_TOOLS = ['Bash', 'Edit', 'MultiEdit', 'NotebookEdit', 'Write'];
const READ_ONLY_TOOLS = ['Read', 'Grep', 'Glob', 'LS'];
/** Reading and editing, no shell: `approval_policy = "auto-edit"`. */
const EDITING_TOOLS = [...READ_ONLY_TOOLS, 'Edit', 'MultiEdit', 'NotebookEdit', 'Write'];

/** @public */
export interface ClaudeCodeAgentRunnerDeps {
  readonly config: ClaudeConfig;
  /** `[agents] sandbox_mode`, used when a request names none. */
  readonly sandboxMode: HarnessConfig['agents']['sandbox_mode'];
  /** `[agents] approval_policy`; unset is `full-auto`. */
  readonly approvalPolicy?: ApprovalPolicy | undefined;
  /** The environment Harness itself runs with; the agent's is an allow-list of it (`CLAUDE_ENV`). */
  readonly baseEnv: Readonly<Record<string, string | undefined>>;
  /** How long Claude Code may keep failing to reach its model API before the run fails. Default 60 s. */
  readonly unreachableTimeoutMs?: number | undefined;
  /** The OS sandbox every run starts in; without one, runs start as they are (a library user's choice). */
  readonly sandbox?: CommandSandbox | undefined;
}

/** Hosts Claude Code reaches when no `ANTHROPIC_BASE_URL` is given: its API, its login, its feature flags. */
export const CLAUDE_DOMAINS = ['api.anthropic.com', 'console.anthropic.com', 'statsig.anthropic.com', 'claude.ai'];

/** How to install Claude Code, said when it is missing. */
export const CLAUDE_INSTALL_HINT = 'npm install -g @anthropic-ai/claude-code';

const ROOT_REFUSAL = 'cannot be used with root/sudo privileges';

/**
 * Why Claude Code exited without a result, when its stderr says so: as root it refuses full access
 * (`--dangerously-skip-permissions`, `bypassPermissions`) unless `IS_SANDBOX=1`.
 */
export function explainClaudeExit(stderrTail: string): { reason: AgentEndReason; message: string } | undefined {
  const refusal = stderrTail.split('\n').find((line) => line.includes(ROOT_REFUSAL));
  if (refusal === undefined) return undefined;
  return {
    reason: 'unavailable',
    message: `Claude Code refuses to run with full permissions as root ("${refusal.trim()}"): if this machine or container is the sandbox, set IS_SANDBOX = "1" in [agents.claude.env]; otherwise run Harness as another user`,
  };
}

/** Model for a request: its own, else the phase's under `reasoning_budget`, else `default_model`. */
export function claudeModel(config: ClaudeConfig, request: Pick<AgentRequest, 'model' | 'phase'>): string {
  if (request.model !== undefined) return request.model;
  const budget = config.reasoning_budget;
  if (budget !== undefined && request.phase !== undefined) {
    const tier = {
      planning: budget.planning_tier,
      execution: budget.execution_tier,
      validation: budget.validation_tier,
    }[request.phase];
    return { xhigh: budget.xhigh_model, high: budget.high_model, medium: budget.medium_model }[tier];
  }
  return config.default_model;
}

/**
 * The command line for one run (without the binary). The prompt is not on it: `claude -p` reads it
 * from stdin when no prompt argument is given (also with `--resume`).
 */
export function claudeArgs(
  config: ClaudeConfig,
  sandboxMode: ClaudeCodeAgentRunnerDeps['sandboxMode'],
  request: AgentRequest,
  policy?: ApprovalPolicy,
): string[] {
  const args = ['-p', '--output-format', 'stream-json', '--verbose', '--model', claudeModel(config, request)];
  const limits = approvalLimits(policy, request.sandboxMode ?? sandboxMode);
  const asked = request.allowedTools?.filter((tool) => limits.commands || tool !== 'Bash');
  const allowed =
    asked ?? (limits.mode === 'read-only' ? READ_ONLY_TOOLS : limits.commands ? undefined : EDITING_TOOLS);
  if (allowed === undefined) {
    args.push('--dangerously-skip-permissions');
  } else {
    const denied = MUTATING_TOOLS.filter((tool) => !allowed.includes(tool));
    args.push('--permission-mode', 'bypassPermissions', '--allowedTools', allowed.join(','));
    if (denied.length > 0) args.push('--disallowedTools', denied.join(','));
  }
  // No command may run: neither a hook nor an MCP server an earlier run's edit could have set up.
  if (!limits.commands) args.push('--settings', '{"disableAllHooks":true}', '--strict-mcp-config');
  if (request.budgetUsd !== undefined) args.push('--max-budget-usd', String(request.budgetUsd));
  if (request.maxTurns !== undefined) args.push('--max-turns', String(request.maxTurns));
  if (request.resumeSessionId !== undefined) args.push('--resume', request.resumeSessionId);
  args.push(...config.extra_args);
  return args;
}

/**
 * Claude Code (`claude -p … --output-format stream-json --verbose`, the prompt on stdin) as an `AgentRunner`.
 * @public
 */
export class ClaudeCodeAgentRunner extends AgentRunner {
  readonly name = 'claude';

  constructor(private readonly deps: ClaudeCodeAgentRunnerDeps) {
    super();
  }

  run(request: AgentRequest): AgentRun {
    const { config, sandbox } = this.deps;
    const { mode } = approvalLimits(this.deps.approvalPolicy, request.sandboxMode ?? this.deps.sandboxMode);
    const confined = sandbox !== undefined && mode !== 'danger-full-access';
    const env = agentEnv(this.deps.baseEnv, CLAUDE_ENV, config.env, request.env);
    // Inside the OS sandbox, full access is what the sandbox allows: Claude Code accepts it as root.
    if (confined) env['IS_SANDBOX'] = '1';
    const home = env['HOME'] ?? homedir();
    const configDir = env['CLAUDE_CONFIG_DIR'];
    const baseUrl = env['ANTHROPIC_BASE_URL'];
    return runCliAgent({
      agent: this.name,
      configKey: '[agents.claude] cli_path',
      installHint: CLAUDE_INSTALL_HINT,
      command: config.cli_path,
      args: claudeArgs(config, this.deps.sandboxMode, request, this.deps.approvalPolicy),
      stdin: request.prompt,
      cwd: request.cwd,
      env,
      parser: new ClaudeStreamParser(),
      timeoutMs: request.timeoutMs ?? config.timeout_secs * 1000,
      idleTimeoutMs: request.idleTimeoutMs ?? config.idle_timeout_secs * 1000,
      signal: request.signal,
      marker: taskMarkerOf(request.env),
      unreachableTimeoutMs: this.deps.unreachableTimeoutMs,
      explainExit: explainClaudeExit,
      sandbox:
        sandbox === undefined
          ? undefined
          : (command) =>
              sandbox.wrapAgent(command, {
                mode,
                stateDirs: [join(home, '.claude'), ...(configDir === undefined ? [] : [configDir])],
                stateFiles: [join(home, '.claude.json')],
                endpoints: baseUrl === undefined ? [] : [baseUrl],
                domains: CLAUDE_DOMAINS,
              }),
    });
  }
}

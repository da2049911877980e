import { homedir } from 'node:os';
import { basename, join } from 'node:path';
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
import { AcpConversation } from './acp-conversation.js';

/** The keys every ACP agent's table has (`[agents.opencode]`, `[agents.custom.<name>]`). @public */
export type AcpAgentConfig = HarnessConfig['agents']['opencode'];

/** @public */
export interface AcpAgentRunnerDeps {
  /** Its name in Harness (`opencode`, or a custom agent's). */
  readonly name: string;
  /** Where a user points it elsewhere (`[agents.opencode] command`), said when it is missing. */
  readonly configKey: string;
  readonly installHint?: string | undefined;
  readonly config: AcpAgentConfig & { readonly command: readonly string[] };
  readonly sandboxMode: HarnessConfig['agents']['sandbox_mode'];
  /** `[agents] approval_policy`; unset is `full-auto`. */
  readonly approvalPolicy?: ApprovalPolicy | undefined;
  /**
   * For an agent that runs commands without asking: the variables of its environment that make its
   * own settings stop them (a run that may not run commands gets them over its env).
   */
  readonly withoutCommands?: ((env: Readonly<Record<string, string>>) => Record<string, string>) | undefined;
  /** The environment Harness itself runs with; the agent's is an allow-list of it. */
  readonly baseEnv: Readonly<Record<string, string | undefined>>;
  /** What the agent takes from the server's environment besides the base and `credentials`. */
  readonly allowance: AgentEnvAllowance;
  /** Its state under the home directory (`.local/share/opencode`): writable in its runs. */
  readonly homeState: readonly string[];
  /** Hosts it reaches when no endpoint of its own is configured (its model services). */
  readonly domains: readonly string[];
  /** The OS sandbox every run starts in; without one, runs start as they are (a library user's choice). */
  readonly sandbox?: CommandSandbox | undefined;
}

/**
 * The model services a run was pointed at, so its sandbox reaches them: the values of its
 * `*_BASE_URL` variables (from its `env` or the server's), and in a JSON value of its `env` (such as
 * `OPENCODE_CONFIG_CONTENT`) the strings under a `baseURL` / `base_url` key. Nothing else: a URL
 * that merely appears in a value (a `$schema`) opens nothing.
 */
export function acpEndpoints(
  configured: Readonly<Record<string, string>>,
  env: Readonly<Record<string, string>>,
): string[] {
  const urls = Object.entries({ ...env, ...configured }).flatMap(([name, value]) =>
    name.endsWith('BASE_URL') ? [value] : jsonStringsUnder(value, /^base_?url$/i),
  );
  return [...new Set(urls.filter((url) => /^https?:\/\/[^\s]+$/.test(url)))];
}

/** In a value that is a JSON object, the strings under the keys `key` matches, at any depth. */
export function jsonStringsUnder(value: string, key: RegExp): string[] {
  if (!value.trimStart().startsWith('{')) return [];
  let parsed: unknown;
  try {
    parsed = JSON.parse(value);
  } catch {
    return [];
  }
  const found: string[] = [];
  const visit = (node: unknown, depth: number): void => {
    if (typeof node !== 'object' || node === null || depth > 8) return;
    for (const [name, item] of Object.entries(node)) {
      if (key.test(name) && typeof item === 'string') found.push(item);
      else visit(item, depth + 1);
    }
  };
  visit(parsed, 0);
  return found;
}

/** A home state entry whose name has an extension (`.claude.json`) is a file; others are folders. */
function isStateFile(path: string): boolean {
  return basename(path).replace(/^\./, '').includes('.');
}

/**
 * Any agent that speaks the Agent Client Protocol (OpenCode, Gemini CLI, Claude Code through
 * `claude-code-acp`, one from `[agents.custom.<name>]`) as an `AgentRunner`: its command runs in
 * the task's OS sandbox and process group, one turn per run (`AcpConversation`), with the
 * timeouts, cancel and clean-up of every CLI agent.
 * @public
 */
export class AcpAgentRunner extends AgentRunner {
  readonly name: string;

  constructor(private readonly deps: AcpAgentRunnerDeps) {
    super();
    this.name = deps.name;
  }

  run(request: AgentRequest): AgentRun {
    const { config, sandbox } = this.deps;
    const { mode, commands } = approvalLimits(this.deps.approvalPolicy, request.sandboxMode ?? this.deps.sandboxMode);
    const allowance: AgentEnvAllowance = {
      ...this.deps.allowance,
      names: [...this.deps.allowance.names, ...config.credentials],
    };
    const allowed = agentEnv(this.deps.baseEnv, allowance, config.env, request.env);
    const env = commands ? allowed : { ...allowed, ...this.deps.withoutCommands?.(allowed) };
    const home = env['HOME'] ?? homedir();
    const [command = '', ...args] = config.command;
    const endpoints = acpEndpoints(config.env, env);
    return runCliAgent({
      agent: this.name,
      configKey: this.deps.configKey,
      installHint: this.deps.installHint,
      command,
      args,
      cwd: request.cwd,
      env,
      parser: new AcpConversation({
        agent: this.name,
        prompt: request.prompt,
        cwd: request.cwd,
        mode,
        commands,
        resumeSessionId: request.resumeSessionId,
        model: request.model,
      }),
      timeoutMs: request.timeoutMs ?? config.timeout_secs * 1000,
      idleTimeoutMs: request.idleTimeoutMs ?? config.idle_timeout_secs * 1000,
      signal: request.signal,
      marker: taskMarkerOf(request.env),
      sandbox:
        sandbox === undefined || mode === 'danger-full-access'
          ? undefined
          : (spec) =>
              sandbox.wrapAgent(spec, {
                mode,
                stateDirs: this.deps.homeState.filter((p) => !isStateFile(p)).map((p) => join(home, p)),
                stateFiles: this.deps.homeState.filter(isStateFile).map((p) => join(home, p)),
                endpoints,
                domains: this.deps.domains,
                extraDomains: config.domains,
              }),
    });
  }
}

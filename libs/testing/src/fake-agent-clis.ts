import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/**
 * Folder with the scripted `claude` and `codex` stand-ins. Point `[agents.claude] cli_path` /
 * `[agents.codex] cli_path` at the files in it, or put it first on PATH.
 * @public
 */
export const FAKE_AGENT_BIN_DIR = fileURLToPath(new URL('../fixtures/bin', import.meta.url));

/** What a scripted agent does in one run. @public */
export interface FakeAgentScenario {
  /** Session (Claude) or thread (Codex) id to report; default a random UUID (or the resumed id). */
  readonly session?: string;
  /** Files it writes, relative to its working directory (reported as Write / file_change). */
  readonly edits?: readonly { readonly path: string; readonly content: string }[];
  /** Shell commands it runs for real in its working directory (reported as Bash / command_execution). */
  readonly commands?: readonly string[];
  /** Its final answer. */
  readonly text?: string;
  readonly usage?: {
    readonly input?: number;
    readonly output?: number;
    readonly cacheRead?: number;
    readonly cacheWrite?: number;
  };
  readonly cost?: number;
  /**
   * How the run ends. Claude: success, error, rate_limit_in_success (a 429 inside a "success"
   * result), usage_limit, budget, auth_retry (401 retries forever), connection_retry (the model API
   * refuses connections: 10 retries, then its "Unable to connect" error), no_result, unknown_session
   * (asked to `--resume` a session: "No conversation found with session ID: …", exit 1). Codex: success,
   * turn_failed, quota, rate_limit, reconnect_forever (the model API is unreachable), needs_input,
   * no_result.
   */
  readonly outcome?: string;
  /** Failed connections to the model API (retries without a response) before it answers. */
  readonly connectionRetries?: number;
  /** Pause after each failed connection (the real CLIs wait seconds). Default 250 ms (Claude), 200 ms (Codex). */
  readonly retryPaceMs?: number;
  /** Claude: behave as when run as root, refusing full access unless IS_SANDBOX=1. */
  readonly asRoot?: boolean;
  /** Message of a Codex `turn_failed`. */
  readonly failure?: string;
  /** A Claude `rate_limit_event` (rejected) with this reset time (unix seconds). */
  readonly rateLimitEvent?: { readonly resetsAt: number };
  /** Interleave non-JSON lines and unknown event types. */
  readonly noise?: boolean;
  /** Stop printing and never exit: before any output, after the first lines, or after its edits and commands. */
  readonly hang?: 'before_output' | 'after_init' | 'after_commands';
  /** Start a `sleep` child in the agent's process group and write its PID here. */
  readonly grandchildPidFile?: string;
  /** Start a `setsid sleep` that inherits the agent's stdout and stderr, and write its PID here. */
  readonly pipeHolderPidFile?: string;
  readonly exitCode?: number;
  readonly stderr?: string;
  /** Claude: after its first lines, wait until this file exists before the edits (a benchmark's start gate). */
  readonly startWhenFileExists?: string;
  /**
   * A chatty agent: before its edits, `messages` assistant messages of `chars` characters each
   * (Claude: `assistant` text lines; Codex: `agent_message` items).
   */
  readonly chatter?: {
    readonly messages: number;
    readonly chars: number;
    /** Claude: paced at this many messages a second (default: as fast as it can print). */
    readonly perSecond?: number;
    /** Claude: each message says when it was printed (`message 3 @1765000000000: …`). */
    readonly stamped?: boolean;
  };
  /** Pause after each printed line, to make streaming visible. */
  readonly delayMs?: number;
  /**
   * One scenario per invocation, in order (the last repeats), laid over the rest: a reviewer that
   * asks for changes, then approves. Needs a counter file (see `fakeAgentEnv`).
   */
  readonly runs?: readonly Omit<FakeAgentScenario, 'runs'>[];
}

/** One recorded invocation of a scripted agent. @public */
export interface FakeAgentInvocation {
  readonly tool: 'claude' | 'codex';
  readonly argv: readonly string[];
  /** The prompt it read, as the real CLI reads it: from stdin (or a prompt argument). */
  readonly prompt: string;
  readonly cwd: string;
  readonly env: Readonly<Record<string, string>>;
  readonly pid: number;
}

/**
 * Environment that makes a scripted agent play `scenario`, log its invocation to `logFile`, and
 * count its invocations in `counterFile` (needed for `runs`).
 * @public
 */
export function fakeAgentEnv(
  scenario: FakeAgentScenario,
  logFile?: string,
  counterFile?: string,
): Record<string, string> {
  return {
    FAKE_AGENT_SCENARIO: JSON.stringify(scenario),
    ...(logFile === undefined ? {} : { FAKE_AGENT_LOG: logFile }),
    ...(counterFile === undefined ? {} : { FAKE_AGENT_COUNTER: counterFile }),
  };
}

/**
 * `fakeAgentEnv` as the `[agents.<tool>.env]` table of a configuration file: the way to hand a
 * scripted agent its scenario, since an agent gets only an allow-list of Harness's own environment.
 * Ends with a newline; put it where a new table may start.
 * @public
 */
export function fakeAgentToml(
  tool: 'claude' | 'codex',
  scenario: FakeAgentScenario,
  logFile?: string,
  counterFile?: string,
): string {
  const lines = Object.entries(fakeAgentEnv(scenario, logFile, counterFile)).map(
    ([name, value]) => `${name} = ${JSON.stringify(value)}`,
  );
  return `[agents.${tool}.env]\n${lines.join('\n')}\n`;
}

/** The invocations recorded in `logFile`, oldest first. @public */
export function readFakeAgentLog(logFile: string): FakeAgentInvocation[] {
  if (!existsSync(logFile)) return [];
  return readFileSync(logFile, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line) as FakeAgentInvocation);
}

/**
 * `[sandbox] allow_write` for a test's own directories (where a scripted agent logs and counts its
 * runs, where its commands leave marks): outside its worktree, nothing else is writable in the
 * sandbox. Ends with a newline; put it where a new table may start.
 * @public
 */
export function sandboxAllowWriteToml(...dirs: readonly string[]): string {
  return `[sandbox]\nallow_write = ${JSON.stringify(dirs)}\n`;
}

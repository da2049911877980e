import type { SandboxMode } from '../config/config.schema.js';

/** A command as Harness would spawn it, before any sandbox. @public */
export interface CommandSpec {
  readonly command: string;
  readonly args: readonly string[];
  readonly cwd: string;
  readonly env: Readonly<Record<string, string>>;
}

/**
 * A command ready to spawn (in its own process group, as every Harness child): the sandbox's
 * launcher around the original, or the original itself when the mode is `danger-full-access`.
 * `dispose()` once it has exited; `refused()` lists the connections its network filter refused.
 * @public
 */
export interface SandboxedCommand extends CommandSpec {
  readonly sandboxed: boolean;
  /**
   * Spawn it with a pipe on descriptor 3 (`withLifeline`) and keep that open while it runs. Only
   * Harness holds the other end, so the pipe closes when Harness dies, even by SIGKILL in the
   * moment before the sandbox has armed its own death signal; then the sandbox ends everything in
   * it. Without the pipe a sandboxed command refuses to start (exit 125).
   */
  readonly lifeline?: boolean;
  refused(): readonly string[];
  dispose(): Promise<void>;
}

/**
 * The `stdio` to spawn `command` with: `base` (stdin, stdout, stderr), then the lifeline pipe as
 * descriptor 3 when the command wants one.
 * @public
 */
export function withLifeline<const T extends readonly ['pipe' | 'ignore', 'pipe' | 'ignore', 'pipe' | 'ignore']>(
  command: { readonly lifeline?: boolean | undefined },
  base: T,
): [...T] | [...T, 'pipe'] {
  return command.lifeline === true ? [...base, 'pipe'] : [...base];
}

/** What an agent CLI itself needs inside its sandbox, besides its working directory. @public */
export interface AgentSandboxNeeds {
  readonly mode: SandboxMode;
  /** Its own login, settings and caches (`~/.claude`, `~/.codex`): writable in every mode, made when missing. */
  readonly stateDirs: readonly string[];
  /** State files beside them (`~/.claude.json`): writable when they exist. */
  readonly stateFiles: readonly string[];
  /** Its model service: base URLs it was given (`ANTHROPIC_BASE_URL`, a configured `base_url`). */
  readonly endpoints: readonly string[];
  /** Hosts it reaches when no base URL is given (its vendor's API and login). */
  readonly domains: readonly string[];
  /** Hosts it reaches in any case (those a user named for it, `[agents.custom.<name>] domains`). */
  readonly extraDomains?: readonly string[] | undefined;
}

/** Where a project command may connect: nowhere, or `[sandbox] allowed_domains` through the proxy. @public */
export type CommandNetwork = 'none' | 'allowed_domains';

/** How a project command (validation, pre-push, a guard, an API agent's shell tool) may touch the workspace. @public */
export type CommandAccess = 'workspace-write' | 'read-only';

/**
 * The port that puts every process Harness starts for a task into the OS sandbox the
 * configuration asks for. Implemented by `@agent-harness/agents` (`ConfiguredSandbox`).
 * @public
 */
export interface CommandSandbox {
  /** The configured mode (`[agents] sandbox_mode`), used when a run names none. */
  readonly mode: SandboxMode;
  /** An agent CLI run in `spec.cwd`. Throws (with the fix) when the mode needs a sandbox that cannot start. */
  wrapAgent(spec: CommandSpec, needs: AgentSandboxNeeds): Promise<SandboxedCommand>;
  /**
   * A project command in `spec.cwd`: no network but what `network` allows (default `[validation]
   * network`; workspace setup installs dependencies, so it reaches `[sandbox] allowed_domains`).
   */
  wrapCommand(spec: CommandSpec, access: CommandAccess, network?: CommandNetwork): Promise<SandboxedCommand>;
}

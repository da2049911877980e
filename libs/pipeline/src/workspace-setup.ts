import type { CommandRunner } from '@agent-harness/validation';
import { setupKey } from '@agent-harness/workspace';
import type { RunContext } from './run-context.js';
import { next, type PhaseResult } from './run-outcome.js';

/** One setup command and how long it may take. */
export interface SetupCommand {
  readonly command: string;
  readonly timeoutMs: number;
}

/** What makes a project's worktree ready: `[workspace]`, with the project's own keys applied. */
export interface ProjectSetup {
  /** `setup` (the project's, else the global one), then the original's `after_create_hook`. */
  readonly commands: readonly SetupCommand[];
  /** `setup_secret_env`, read from the server's environment: setup commands get them, nothing after. */
  readonly env: Readonly<Record<string, string>>;
  /** Names `setup_secret_env` lists that the server's environment does not set. */
  readonly missingEnv: readonly string[];
  /** The original's `before_remove_hook`: run when the task's worktree is released; a failure is logged. */
  readonly beforeRemove?: SetupCommand | undefined;
}

/** `[workspace]` for the engine: each project's setup, and how setup commands run. */
export interface WorkspaceSettings {
  forProject(name: string): ProjectSetup;
  /** Runs setup commands: in the sandbox, where `[sandbox] allowed_domains` are reachable (installs). */
  readonly runner: CommandRunner;
}

/**
 * Makes the task's new worktree ready before its agent runs: a reused worktree whose dependency
 * folders were made under another setup key (other setup commands, or changed lockfiles) is
 * cleaned of them too; then the setup commands run, unless a reused worktree's key is unchanged.
 * Their outcomes are stored like validation's (`stage: "setup"`); a failure fails the task
 * (class `setup`). Records the key the worktree's dependencies now answer to (`ctx.setupKey`).
 */
export async function setUpWorkspace(ctx: RunContext): Promise<PhaseResult> {
  const settings = ctx.deps.workspace;
  const { project, worktree } = ctx.workspace;
  const setup = settings?.forProject(project.name);
  const commands = setup?.commands ?? [];
  const key = setupKey(
    worktree.path,
    commands.map((c) => c.command),
  );
  const reused = worktree.reused;
  if (reused !== undefined && reused.setupKey !== key) {
    await ctx.deps.worktrees.clean(worktree.path, [], ctx.signal);
    await ctx.log('reused a finished worktree; its dependency folders were removed (setup or lockfiles changed)');
  } else if (reused !== undefined) {
    await ctx.log('reused a finished worktree with its dependency folders (setup and lockfiles unchanged)');
  }
  if (settings === undefined || setup === undefined || commands.length === 0) {
    ctx.setupKey = key;
    return next();
  }
  if (reused?.setupKey === key) {
    await ctx.log('workspace setup skipped: the reused worktree was set up with the same commands and lockfiles');
    ctx.setupKey = key;
    return next();
  }
  if (setup.missingEnv.length > 0)
    await ctx.log(
      `warning: setup_secret_env names what the server's environment does not set: ${setup.missingEnv.join(', ')}`,
    );
  const outcomes = [];
  let ok = true;
  let cancelled = false;
  for (const { command, timeoutMs } of commands) {
    const ran = await ctx.runChecks([command], { runner: settings.runner, timeoutMs, env: setup.env });
    outcomes.push(...ran.outcomes);
    ok = ran.ok;
    cancelled = ran.cancelled;
    if (!ok) break;
  }
  await ctx.event('validation', {
    stage: 'setup',
    ok,
    source: 'config',
    outcomes,
    ...(cancelled ? { cancelled: true } : {}),
  });
  if (cancelled || ctx.signal.aborted) return { kind: 'cancelled' };
  const failure = outcomes.at(-1);
  if (!ok) {
    const how =
      failure === undefined
        ? 'stopped'
        : failure.timedOut
          ? 'timed out'
          : `exited with code ${String(failure.exitCode)}`;
    return {
      kind: 'failed',
      error: `workspace setup failed: \`${failure?.command ?? ''}\` ${how}`,
      failureClass: 'setup',
    };
  }
  ctx.setupKey = key;
  return next();
}

/**
 * The original's `before_remove_hook`, when the task's worktree is released: it runs even after a
 * cancel (it is cleanup), bounded by its own timeout; a failure is logged, never fatal. Answers
 * whether it ran.
 */
export async function beforeRemove(ctx: RunContext): Promise<boolean> {
  const settings = ctx.deps.workspace;
  if (settings === undefined || ctx.project === undefined || ctx.worktree === undefined) return false;
  const hook = settings.forProject(ctx.project.name).beforeRemove;
  if (hook === undefined) return false;
  const ran = await ctx.runChecks([hook.command], {
    runner: settings.runner,
    timeoutMs: hook.timeoutMs,
    evenAfterStop: true,
  });
  await ctx.event('validation', { stage: 'before_remove', ok: ran.ok, source: 'config', outcomes: ran.outcomes });
  return true;
}

import { realpathSync } from 'node:fs';
import type { HarnessConfig, ProjectConfig } from '@agent-harness/core';
import type { ProjectSetup, SetupCommand, WorkspaceSettings } from '@agent-harness/pipeline';
import type { WorktreeReuse } from '@agent-harness/workspace';

type Env = Readonly<Record<string, string | undefined>>;

/**
 * `[workspace]` for the engine: each project's setup (its own `setup`, `setup_secret_env` when it
 * has them, else the global ones), with the original's hooks and, when Codex cloud mode is on, its
 * `setup_commands` and `setup_secret_env` after them. Projects registered through the API get the
 * global setup.
 */
export function workspaceSettingsOf(
  config: HarnessConfig,
  env: Env,
  runner: WorkspaceSettings['runner'],
): WorkspaceSettings {
  const { workspace } = config;
  const cloud = config.agents.codex.cloud;
  const hook = (command: string | undefined): SetupCommand | undefined =>
    command === undefined ? undefined : { command, timeoutMs: workspace.hook_timeout_secs * 1000 };
  const setupOf = (project: ProjectConfig | undefined): ProjectSetup => {
    const setup = project?.setup ?? [...workspace.setup, ...(cloud.enabled ? cloud.setup_commands : [])];
    const afterCreate = hook(workspace.after_create_hook);
    const names = secretEnvNames(config, project);
    return {
      commands: [
        ...setup.map((command) => ({ command, timeoutMs: workspace.setup_timeout_secs * 1000 })),
        ...(afterCreate === undefined ? [] : [afterCreate]),
      ],
      env: Object.fromEntries(names.flatMap((name) => (env[name] === undefined ? [] : [[name, env[name]]]))),
      missingEnv: names.filter((name) => env[name] === undefined),
      beforeRemove: hook(workspace.before_remove_hook),
    };
  };
  return {
    forProject: (name) => setupOf(config.projects.find((p) => p.name === name)),
    runner,
  };
}

/** The names of the server's environment variables a project's setup gets. */
function secretEnvNames(config: HarnessConfig, project: ProjectConfig | undefined): readonly string[] {
  const cloud = config.agents.codex.cloud;
  return (
    project?.setup_secret_env ?? [
      ...config.workspace.setup_secret_env,
      ...(cloud.enabled ? cloud.setup_secret_env : []),
    ]
  );
}

/** The values of every `setup_secret_env` variable: secrets the redactor hides from every output. */
export function setupSecretValues(config: HarnessConfig, env: Env): (string | undefined)[] {
  const names = new Set([undefined, ...config.projects].flatMap((project) => secretEnvNames(config, project)));
  return [...names].map((name) => env[name]);
}

/**
 * How a repository's finished worktrees are reused: `[workspace] idle_worktrees` and the project's
 * `dependency_dirs` (else the global ones), found by the project's root as git names it.
 */
export function worktreeReuseOf(config: HarnessConfig): (repoRoot: string) => WorktreeReuse {
  const canonical = (path: string): string => {
    try {
      return realpathSync(path);
    } catch {
      return path;
    }
  };
  const byRoot = new Map(config.projects.map((p) => [canonical(p.root), p]));
  return (repoRoot) => ({
    idle: config.workspace.idle_worktrees,
    keep: byRoot.get(canonical(repoRoot))?.dependency_dirs ?? config.workspace.dependency_dirs,
  });
}

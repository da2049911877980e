import { resolveConfig, type HarnessConfig } from '@agent-harness/core';
import { describe, expect, it } from 'vitest';
import { setupSecretValues, workspaceSettingsOf, worktreeReuseOf } from './workspace-settings.js';

function config(toml: string): HarnessConfig {
  const result = resolveConfig({ file: { path: '/c/h.toml', text: toml }, env: {}, homeDir: '/h', cwd: '/' });
  if (!result.ok) throw result.error;
  return result.value;
}

const runner = { run: () => Promise.reject(new Error('not run here')) };

describe('workspaceSettingsOf', () => {
  const toml = [
    '[workspace]',
    'setup = ["npm ci"]',
    'setup_secret_env = ["NPM_TOKEN", "UNSET_TOKEN"]',
    'after_create_hook = "make gen"',
    'before_remove_hook = "make clean"',
    'hook_timeout_secs = 30',
    '[agents.codex.cloud]',
    'enabled = true',
    'setup_commands = ["pip install -r requirements.txt"]',
    'setup_secret_env = ["PIP_TOKEN"]',
    '[[projects]]',
    'name = "own"',
    'root = "/src/own"',
    'setup = ["yarn install"]',
    'setup_secret_env = []',
    'dependency_dirs = ["packages/web/node_modules"]',
    '[[projects]]',
    'name = "plain"',
    'root = "/src/plain"',
  ].join('\n');
  const env = { NPM_TOKEN: 'npm_0123456789abcdef', PIP_TOKEN: 'pip_0123456789abcdef', OTHER: 'x' };

  it("gives a project the global setup, Codex cloud's after it, then the original's hook; secrets by name, for setup only", () => {
    const plain = workspaceSettingsOf(config(toml), env, runner).forProject('plain');
    expect(plain.commands).toEqual([
      { command: 'npm ci', timeoutMs: 900_000 },
      { command: 'pip install -r requirements.txt', timeoutMs: 900_000 },
      { command: 'make gen', timeoutMs: 30_000 },
    ]);
    expect(plain.env).toEqual({ NPM_TOKEN: 'npm_0123456789abcdef', PIP_TOKEN: 'pip_0123456789abcdef' });
    expect(plain.missingEnv).toEqual(['UNSET_TOKEN']);
    expect(plain.beforeRemove).toEqual({ command: 'make clean', timeoutMs: 30_000 });
    // A project registered through the API (not in the file) gets the same.
    expect(workspaceSettingsOf(config(toml), env, runner).forProject('registered').commands).toEqual(plain.commands);
  });

  it("lets a project's own keys replace the global ones; every secret value is known to the redactor", () => {
    const own = workspaceSettingsOf(config(toml), env, runner).forProject('own');
    expect(own.commands.map((c) => c.command)).toEqual(['yarn install', 'make gen']);
    expect(own.env).toEqual({});
    expect(
      setupSecretValues(config(toml), env)
        .filter((v) => v !== undefined)
        .sort(),
    ).toEqual(['npm_0123456789abcdef', 'pip_0123456789abcdef']);
    const reuse = worktreeReuseOf(config(toml));
    expect(reuse('/src/own')).toEqual({ idle: 4, keep: ['packages/web/node_modules'] });
    expect(reuse('/elsewhere')).toEqual({ idle: 4, keep: ['node_modules', '.venv', 'target'] });
  });
});

import { mkdirSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import type { HarnessConfig, SandboxMode } from '@agent-harness/core';
import { loadConfig } from '@agent-harness/runtime';
import { createTempDir, createTempGitRepo, type TempDir, type TempGitRepo } from '@agent-harness/testing';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { CliContext } from '../cli-context.js';
import { runAgentDirectory, runAgentSandbox } from './run-agent.js';

describe('run_agent policy', () => {
  let home: TempDir;
  let repo: TempGitRepo;
  let elsewhere: TempDir;

  beforeEach(async () => {
    home = await createTempDir('harness-home-');
    repo = await createTempGitRepo();
    elsewhere = await createTempDir('harness-elsewhere-');
  });
  afterEach(async () => {
    await Promise.all([home.cleanup(), repo.cleanup(), elsewhere.cleanup()]);
  });

  function configWith(sandboxMode: SandboxMode, projects: string[] = []): HarnessConfig {
    const result = loadConfig({ cli: { projects }, env: repo.gitEnv, cwd: home.path, homeDir: home.path });
    if (!result.ok) throw result.error;
    return { ...result.value, agents: { ...result.value.agents, sandbox_mode: sandboxMode } };
  }

  const ctx = (cwd: string): CliContext => ({
    env: {},
    cwd,
    homeDir: home.path,
    stdout: new PassThrough(),
    stderr: new PassThrough(),
    stderrIsTerminal: false,
    stopSignal: () => new Promise(() => undefined),
    exitCode: 0,
  });

  it('lets a caller narrow the configured sandbox, never widen it', () => {
    const config = configWith('workspace-write');
    expect(runAgentSandbox(config, undefined)).toBe('workspace-write');
    expect(runAgentSandbox(config, 'read-only')).toBe('read-only');
    expect(runAgentSandbox(config, 'workspace-write')).toBe('workspace-write');
    expect(() => runAgentSandbox(config, 'danger-full-access')).toThrow(
      'sandbox_mode danger-full-access is wider than the configured [agents] sandbox_mode (workspace-write); ask for read-only or workspace-write',
    );
    expect(runAgentSandbox(configWith('danger-full-access'), 'danger-full-access')).toBe('danger-full-access');
  });

  it('works in the start directory or below it, and in configured projects by name or path', () => {
    const config = configWith('read-only', [`app=${repo.path}`]);
    mkdirSync(join(elsewhere.path, 'sub'));
    expect(runAgentDirectory(config, ctx(elsewhere.path), undefined).root).toBe(elsewhere.path);
    expect(runAgentDirectory(config, ctx(elsewhere.path), 'sub').root).toBe(join(elsewhere.path, 'sub'));
    expect(runAgentDirectory(config, ctx(elsewhere.path), 'app')).toMatchObject({ name: 'app', root: repo.path });
    expect(runAgentDirectory(config, ctx(elsewhere.path), repo.path).root).toBe(repo.path);
  });

  it('refuses directories outside them, a symbolic link out of them, and any directory from / or home', () => {
    const config = configWith('read-only', [`app=${repo.path}`]);
    expect(() => runAgentDirectory(config, ctx(elsewhere.path), '..')).toThrow(
      /is neither inside a configured project/,
    );
    symlinkSync(home.path, join(elsewhere.path, 'escape'));
    expect(() => runAgentDirectory(config, ctx(elsewhere.path), 'escape')).toThrow(
      /is neither inside a configured project/,
    );
    // Desktop clients may start servers in / or the home directory: configured projects only then.
    mkdirSync(join(home.path, 'notes'));
    expect(() => runAgentDirectory(config, ctx(home.path), 'notes')).toThrow(/is neither inside a configured project/);
    expect(() => runAgentDirectory(config, ctx('/'), 'tmp')).toThrow(/is neither inside a configured project/);
    expect(runAgentDirectory(config, ctx('/'), 'app').root).toBe(repo.path);
  });
});

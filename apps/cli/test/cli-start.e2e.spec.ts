import { readFileSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { TaskListResponse } from '@agent-harness/core';
import { createTempDir, runHarness, type TempDir } from '@agent-harness/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

// What the everyday commands load, read from the built CLI run under a module-logging hook: a check
// of which modules load, not of how long they take, so it holds on a machine of any speed or load.
const cliPath = join(import.meta.dirname, '..', 'dist', 'main.js');
const moduleLog = pathToFileURL(join(import.meta.dirname, 'support', 'module-log.mjs')).href;

/** Packages that are most of a cold start and that none of these commands uses. */
const HEAVY_PACKAGES = [
  'typeorm',
  'better-sqlite3',
  'pg',
  '@modelcontextprotocol/sdk',
  '@opentelemetry/*',
  '@anthropic-ai/sdk',
  'openai',
  '@octokit/*',
  '@nestjs/*',
  'express',
  'rxjs',
  'zod',
];

/** Node's own modules that cost as much: `fetch`'s HTTP stack, and TLS (these commands talk plain HTTP). */
const HEAVY_BUILTINS = ['internal/deps/undici/undici', 'tls'];

/** Harness's own packages behind them: the composition root and the infrastructure it assembles. */
const HEAVY_WORKSPACE_PACKAGES = [
  'runtime',
  'persistence',
  'pipeline',
  'agents',
  'github',
  'observe',
  'workspace',
  'validation',
  'gc',
  'skills',
  'server',
  'app',
];

/** The npm package a loaded module belongs to ("@octokit/core", "yargs"), or undefined. */
function packageOf(module: string): string | undefined {
  const match = /\/node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(module);
  return match?.[1];
}

/**
 * The workspace package a loaded module belongs to ("runtime" for libs/runtime/dist/…), or undefined.
 * `@agent-harness/runtime/config` (the configuration loader alone) is not the composition root, nor
 * `@agent-harness/app/routes` (where each operation is on the REST API, as data) the operations.
 */
function workspacePackageOf(module: string): string | undefined {
  if (/\/runtime\/dist\/config\/[^/]+\.js$/.test(module) || module.endsWith('/app/dist/routes.js')) return undefined;
  const match = /\/(?:libs|apps)\/([^/]+)\/(?:dist|src)\//.exec(module);
  return match?.[1] ?? /\/node_modules\/@agent-harness\/([^/]+)\//.exec(module)?.[1];
}

const isHeavy = (pkg: string): boolean =>
  HEAVY_PACKAGES.some((heavy) => (heavy.endsWith('/*') ? pkg.startsWith(heavy.slice(0, -1)) : pkg === heavy));

/** The heavy packages among the loaded modules, each once. */
function heavyModules(modules: readonly string[]): string[] {
  const found = new Set<string>();
  for (const module of modules) {
    const pkg = packageOf(module);
    if (pkg !== undefined && isHeavy(pkg)) found.add(pkg);
    if (module.startsWith('builtin:') && HEAVY_BUILTINS.includes(module.slice(8))) found.add(module);
    const own = workspacePackageOf(module);
    if (own !== undefined && HEAVY_WORKSPACE_PACKAGES.includes(own)) found.add(`@agent-harness/${own}`);
  }
  return [...found].sort();
}

describe('what the CLI loads to start (built CLI, module log)', () => {
  let home: TempDir;
  let server: Server;
  let serverUrl: string;
  let configPath: string;
  let logCount = 0;

  beforeAll(async () => {
    home = await createTempDir('harness-cli-start-');
    configPath = join(home.path, 'harness.toml');
    writeFileSync(configPath, `[server]\ndata_dir = "${join(home.path, 'data')}"\n`);
    // A stand-in for a running server: `tasks list` is a client of its GET /tasks.
    const page: TaskListResponse = { tasks: [], total: 0, limit: 20, offset: 0, next_cursor: null };
    server = createServer((req, res) => {
      const ok = req.method === 'GET' && req.url?.startsWith('/tasks?') === true;
      res.writeHead(ok ? 200 : 404, { 'content-type': 'application/json' });
      res.end(JSON.stringify(ok ? page : { error: { code: 'NOT_FOUND', message: `no route ${String(req.url)}` } }));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    serverUrl = `http://127.0.0.1:${String((server.address() as AddressInfo).port)}`;
  });
  afterAll(async () => {
    await new Promise((resolve) => server.close(resolve));
    await home.cleanup();
  });

  /** Runs `harness <args>` and returns what it printed and every module it loaded. */
  async function run(
    args: string[],
  ): Promise<{ code: number | null; stdout: string; stderr: string; modules: string[] }> {
    const file = join(home.path, `modules-${String((logCount += 1))}.txt`);
    const result = await runHarness({
      cliPath,
      args,
      home: home.path,
      cwd: home.path,
      nodeArgs: ['--import', moduleLog],
      env: { MODULE_LOG_FILE: file },
      // A cap for a hung process on a loaded machine, not a speed check.
      timeoutMs: 120_000,
    });
    return {
      ...result,
      modules: readFileSync(file, 'utf8')
        .split('\n')
        .filter((line) => line !== ''),
    };
  }

  it.each([
    { name: '--help', args: () => ['--help'], says: 'harness tasks' },
    { name: 'tasks list', args: () => ['tasks', 'list', '--server', serverUrl], says: '0 of 0 task(s)' },
    { name: 'config check', args: () => ['config', 'check', '--config', configPath], says: 'configuration is valid' },
    // The help of the commands that do load them: they load when the command runs, not to describe it.
    { name: 'serve --help', args: () => ['serve', '--help'], says: '--log-format' },
    { name: 'mcp-server --help', args: () => ['mcp-server', '--help'], says: '--url' },
  ])('harness $name loads none of the heavy packages', async ({ args, says }) => {
    const { code, stdout, stderr, modules } = await run(args());
    expect(stderr).toBe('');
    expect(code).toBe(0);
    expect(stdout).toContain(says);
    // The log saw the CLI itself and its argument parser: an empty log would pass anything.
    expect(modules.some((m) => m.endsWith('/apps/cli/dist/cli.js'))).toBe(true);
    expect(modules.some((m) => packageOf(m) === 'yargs')).toBe(true);
    expect(modules).toContain('builtin:fs');
    expect(heavyModules(modules)).toEqual([]);
  });

  it('sees the heavy packages when a command does load the composition root', async () => {
    // The same log on a command that opens the database: the check above can fail.
    const { code, stderr, modules } = await run(['rule', 'load', '--config', configPath, home.path]);
    expect(code, stderr).toBe(0);
    expect(heavyModules(modules)).toEqual(
      expect.arrayContaining(['typeorm', 'better-sqlite3', '@agent-harness/runtime', '@agent-harness/persistence']),
    );
  });
});

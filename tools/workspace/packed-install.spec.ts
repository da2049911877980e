import { spawn } from 'node:child_process';
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

// The packages as they would be published: `npm pack` of every workspace package that is not
// private, all the tarballs installed together into an empty Node project (third-party
// dependencies from the registry the repo uses), then used from there as a user would: every
// export loads from `dist`, the libraries work (packed-install.smoke.mjs), the `harness` bin runs
// and `harness serve` answers /health.
//
// Like the end-to-end tests, it needs the build (`npm test` builds first) and builds nothing itself.
// The install skips lifecycle scripts: the only one that matters is better-sqlite3's native build
// (about 75 s to 110 s here, more than the rest of the install), so the binary the workspace
// install built for the same version and the same Node is copied in instead; `.ci/run`'s
// `npm install` and the Docker image's build (deploy/Dockerfile) run that build for real.

const root = join(import.meta.dirname, '..', '..');
const LICENSE = readFileSync(join(root, 'LICENSE'), 'utf8');
const INSTALL_TIMEOUT_MS = 240_000;

interface Manifest {
  name: string;
  version: string;
  private?: boolean;
  bin?: Record<string, string>;
  files?: string[];
  exports?: Record<string, string | Record<string, string>>;
  overrides?: Record<string, string | Record<string, string>>;
}
const readManifest = (dir: string): Manifest => JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as Manifest;

/** Every workspace package (`apps/*`, `libs/*`) that npm would publish. */
const publishable = ['libs', 'apps']
  .flatMap((group) => readdirSync(join(root, group)).map((name) => join(group, name)))
  .filter((dir) => existsSync(join(root, dir, 'package.json')))
  .map((dir) => ({ dir, manifest: readManifest(join(root, dir)) }))
  .filter(({ manifest }) => manifest.private !== true)
  .sort((a, b) => a.manifest.name.localeCompare(b.manifest.name));

// Files that must never ship: tests and their helpers, build state, secrets and credentials.
const NOT_SHIPPED: readonly [string, RegExp][] = [
  ['a test file', /\.(spec|test)\.[cm]?[jt]sx?(\.map)?$|\.(spec|test)\.d\.[cm]?ts(\.map)?$/],
  ['a test folder', /(^|\/)(test|tests|__tests__|__mocks__)\//],
  ['TypeScript build state', /\.tsbuildinfo$/],
  ['TypeScript source', /(^|\/)src\/.*(?<!\.d)\.ts$/],
  ['an environment or npm credentials file', /(^|\/)(\.env(\..*)?|\.npmrc|\.netrc|\.git-credentials)$/],
  ['a key or certificate', /\.(pem|key|p12|pfx|jks)$|(^|\/)id_(rsa|dsa|ecdsa|ed25519)(\.pub)?$/],
];
// Credentials by their shape: GitHub, Anthropic, OpenAI, AWS, Slack tokens and private keys.
const SECRET_SHAPES =
  /ghp_[A-Za-z0-9]{36}|github_pat_[A-Za-z0-9_]{22,}|sk-ant-[A-Za-z0-9_-]{20,}|sk-[A-Za-z0-9]{32,}|AKIA[0-9A-Z]{16}|xox[abprs]-[A-Za-z0-9-]{10,}|-----BEGIN [A-Z ]*PRIVATE KEY-----/;

interface Packed {
  name: string;
  filename: string;
  files: { path: string }[];
}

interface Run {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  ms: number;
}

/** The environment for npm and the installed CLI: this process's, without what `npm test` sets for its child. */
function cleanEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (!/^npm_/i.test(key) && key !== 'INIT_CWD' && key !== 'NODE_OPTIONS') env[key] = value;
  }
  return { ...env, NO_COLOR: '1', npm_config_update_notifier: 'false', ...extra };
}

/** Runs a command to its end (its whole process group is killed after `timeoutMs`). */
function run(
  command: string,
  args: readonly string[],
  options: { cwd: string; env?: NodeJS.ProcessEnv; timeoutMs: number },
): Promise<Run> {
  const started = Date.now();
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, {
      cwd: options.cwd,
      env: options.env ?? cleanEnv(),
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true,
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    const timer = setTimeout(() => {
      if (child.pid !== undefined) process.kill(-child.pid, 'SIGKILL');
    }, options.timeoutMs);
    child.once('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.once('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr, ms: Date.now() - started });
    });
  });
}

const said = (result: Run): string => `exit ${String(result.code)}\n${result.stdout}\n${result.stderr}`;

describe('the packages as published: npm pack, installed together into an empty Node project', () => {
  const scratch = mkdtempSync(join(tmpdir(), 'harness-packed-'));
  const packs = join(scratch, 'packs');
  const project = join(scratch, 'project');
  const installed = (name: string): string => join(project, 'node_modules', name);
  let packed: Packed[] = [];
  let install: Run | undefined;

  beforeAll(async () => {
    const unbuilt = publishable.filter(({ dir }) => !existsSync(join(root, dir, 'dist')));
    if (unbuilt.length > 0) {
      throw new Error(
        `not built: ${unbuilt.map((p) => p.dir).join(', ')}; run \`npm run build\` first (\`npm test\` builds before it tests)`,
      );
    }
    mkdirSync(packs);
    mkdirSync(project);
    const pack = await run(
      'npm',
      ['pack', '--json', '--pack-destination', packs, ...publishable.flatMap(({ dir }) => ['--workspace', dir])],
      { cwd: root, timeoutMs: 120_000 },
    );
    if (pack.code !== 0) throw new Error(`npm pack failed: ${said(pack)}`);
    packed = JSON.parse(pack.stdout) as Packed[];

    // An empty ES-module project, with the repo's npm settings (.npmrc) and nothing else of it.
    writeFileSync(
      join(project, 'package.json'),
      `${JSON.stringify({ name: 'packed-install-check', version: '0.0.0', private: true, type: 'module' }, null, 2)}\n`,
    );
    copyFileSync(join(root, '.npmrc'), join(project, '.npmrc'));
    install = await run(
      'npm',
      [
        'install',
        '--no-audit',
        '--no-fund',
        '--prefer-offline',
        '--ignore-scripts',
        ...packed.map((p) => join(packs, p.filename)),
      ],
      { cwd: project, timeoutMs: INSTALL_TIMEOUT_MS },
    );
    if (install.code !== 0) throw new Error(`npm install of the tarballs failed: ${said(install)}`);
    await provideSqliteBinding();
    process.stdout.write(
      `packed-install: npm pack ${String(pack.ms)} ms, npm install of ${String(packed.length)} tarballs ${String(install.ms)} ms\n`,
    );
  }, INSTALL_TIMEOUT_MS + 180_000);

  afterAll(() => {
    rmSync(scratch, { recursive: true, force: true });
  });

  /** better-sqlite3's addon without its 75 s build: the workspace's, when it is the same version. */
  async function provideSqliteBinding(): Promise<void> {
    const ours = dirname(
      createRequire(join(root, 'libs', 'persistence', 'package.json')).resolve('better-sqlite3/package.json'),
    );
    const theirs = installed('better-sqlite3');
    const addon = join('build', 'Release', 'better_sqlite3.node');
    if (readManifest(ours).version === readManifest(theirs).version && existsSync(join(ours, addon))) {
      mkdirSync(join(theirs, 'build', 'Release'), { recursive: true });
      copyFileSync(join(ours, addon), join(theirs, addon));
      return;
    }
    const rebuild = await run('npm', ['rebuild', 'better-sqlite3', '--ignore-scripts=false'], {
      cwd: project,
      timeoutMs: INSTALL_TIMEOUT_MS,
    });
    if (rebuild.code !== 0) throw new Error(`npm rebuild better-sqlite3 failed: ${said(rebuild)}`);
  }

  it('packs every workspace package that is not private, the CLI and the server included', () => {
    expect(packed.map((p) => p.name)).toEqual(publishable.map((p) => p.manifest.name));
    expect(packed.map((p) => p.name)).toEqual(expect.arrayContaining(['@agent-harness/cli', '@agent-harness/server']));
  });

  it.each(publishable.map((p) => [p.manifest.name, p] as const))(
    '%s ships its README, the LICENSE, what its exports and bin name, and no tests, build state or secrets',
    (name, { manifest }) => {
      const entry = packed.find((p) => p.name === name);
      expect(entry, `${name} was packed`).toBeDefined();
      const files = (entry?.files ?? []).map((f) => f.path);
      expect(files).toEqual(expect.arrayContaining(['package.json', 'README.md', 'LICENSE']));
      expect(readFileSync(join(installed(name), 'LICENSE'), 'utf8')).toBe(LICENSE);
      for (const [what, pattern] of NOT_SHIPPED) {
        expect(
          files.filter((file) => pattern.test(file)),
          `${what} in ${name}`,
        ).toEqual([]);
      }
      const leaks = files.filter((file) => SECRET_SHAPES.test(readFileSync(join(installed(name), file), 'utf8')));
      expect(leaks, `files of ${name} holding something shaped like a credential`).toEqual([]);
      // Every file an export condition or a bin names is in the tarball (but the workspace-only source).
      const targets = Object.values(manifest.exports ?? {}).flatMap((target) =>
        typeof target === 'string'
          ? [target]
          : Object.entries(target)
              .filter(([condition]) => condition !== '@agent-harness/source')
              .map(([, path]) => path),
      );
      for (const target of [...targets, ...Object.values(manifest.bin ?? {})]) {
        expect(files, `${name}: ${target}`).toContain(target.replace(/^\.\//, ''));
      }
      for (const bin of Object.values(manifest.bin ?? {})) {
        expect(readFileSync(join(installed(name), bin), 'utf8')).toMatch(/^#!\/usr\/bin\/env node\n/);
      }
    },
  );

  it("installs from the tarballs; the only engine warnings are the packages the repo's own overrides pin", () => {
    expect(install?.code).toBe(0);
    // A consumer does not get the root package.json's `overrides`: on Node 20, npm warns about the
    // transitive packages they pin back (file-type of @nestjs/common, content-type of
    // @octokit/request: their newer versions declare Node 22 but run on 20). Any other EBADENGINE is
    // a dependency that no longer supports a Node version the README promises.
    const warned = [...(install?.stderr ?? '').matchAll(/EBADENGINE\s+package: '([^@']+|@[^@']+)@/g)].map((m) => m[1]);
    const overridden = Object.values(readManifest(root).overrides ?? {}).flatMap((value) =>
      typeof value === 'string' ? [] : Object.keys(value),
    );
    expect(warned.filter((name) => name !== undefined && !overridden.includes(name))).toEqual([]);
    // Every @agent-harness dependency came from a local tarball, none from the registry.
    const lock = JSON.parse(readFileSync(join(project, 'package-lock.json'), 'utf8')) as {
      packages: Record<string, { resolved?: string }>;
    };
    const ours = Object.entries(lock.packages).filter(([path]) => path.includes('node_modules/@agent-harness/'));
    expect(ours.map(([path]) => path).sort()).toEqual(packed.map((p) => `node_modules/${p.name}`).sort());
    for (const [path, entry] of ours) expect(entry.resolved, path).toMatch(/^file:/);
  });

  it('every export of every package loads from dist, and the libraries work from the installed tree', async () => {
    copyFileSync(join(import.meta.dirname, 'packed-install.smoke.mjs'), join(project, 'smoke.mjs'));
    const smoke = await run(process.execPath, ['smoke.mjs'], { cwd: project, timeoutMs: 60_000 });
    expect(smoke.code, said(smoke)).toBe(0);
    const { loaded } = JSON.parse(smoke.stdout) as { loaded: string[] };
    expect(loaded).toEqual(
      expect.arrayContaining(['@agent-harness/core', '@agent-harness/core/version', '@agent-harness/server']),
    );
  });

  it('the installed `harness` bin prints its version and checks a configuration', async () => {
    const harness = join(project, 'node_modules', '.bin', 'harness');
    const version = await run(harness, ['--version'], { cwd: project, timeoutMs: 30_000 });
    expect(version).toMatchObject({ code: 0, stdout: `${readManifest(join(root, 'apps', 'cli')).version}\n` });
    writeFileSync(join(project, 'harness.toml'), '[concurrency]\nmax_concurrent_tasks = "two"\n');
    const check = await run(harness, ['config', 'check', '--config', 'harness.toml'], {
      cwd: project,
      env: cleanEnv({ HOME: scratch }),
      timeoutMs: 30_000,
    });
    expect(check.code, said(check)).toBe(2);
    expect(check.stderr).toContain('concurrency.max_concurrent_tasks');
  });

  it('`harness serve` from the installed packages answers /health and the dashboard, and stops on SIGTERM', async () => {
    const home = join(scratch, 'home');
    mkdirSync(home);
    writeFileSync(join(project, 'serve.toml'), `[server]\ndata_dir = ${JSON.stringify(join(home, 'data'))}\n`);
    const child = spawn(
      join(project, 'node_modules', '.bin', 'harness'),
      ['serve', '--config', 'serve.toml', '--port', '0', '--no-schedulers'],
      { cwd: project, env: cleanEnv({ HOME: home }), stdio: ['ignore', 'pipe', 'pipe'], detached: true },
    );
    let out = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (out += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (out += chunk));
    const exited = new Promise<number | null>((resolve) => child.once('close', resolve));
    try {
      const deadline = Date.now() + 30_000;
      let url: string | undefined;
      while (url === undefined && Date.now() < deadline && child.exitCode === null) {
        url = /listening on (http:\/\/\S+)/.exec(out)?.[1];
        if (url === undefined) await new Promise((resolve) => setTimeout(resolve, 50));
      }
      expect(url, out).toBeDefined();
      const health = await fetch(`${url ?? ''}/health`);
      expect(await health.json()).toMatchObject({ status: 'ok', version: readManifest(root).version });
      const dashboard = await fetch(`${url ?? ''}/`);
      expect(dashboard.status).toBe(200);
      expect(dashboard.headers.get('content-type')).toMatch(/^text\/html/);
      child.kill('SIGTERM');
      expect(await exited, out).toBe(0);
    } finally {
      if (child.exitCode === null && child.pid !== undefined) process.kill(-child.pid, 'SIGKILL');
    }
  });
});

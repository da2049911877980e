import { spawnSync, type SpawnSyncReturns } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { validate, ValidationSeverity, type ValidatorSettings } from 'dockerfile-utils';
import { describe, expect, it, type TestContext } from 'vitest';

// deploy/: the container image, the systemd unit, the example configuration and their README.
// Checked here as far as this machine allows: it has no Docker engine and no systemd as PID 1.
// - The Dockerfile: linted by dockerfile-utils (the Docker language server's linter) with every
//   rule an error, its shell steps parsed by sh, its structure (stages, user, health check,
//   volume, entry point) and everything it names (files, packages, the CLI's bin and flags, the
//   port, the health route) checked against the repository.
// - The unit: `systemd-analyze verify`; what it names, checked the same way; its syscall filter
//   against bubblewrap's syscalls; and bubblewrap run as an unprivileged user under the unit's
//   mount and privilege settings, rebuilt with unshare and setpriv (root needed, as CI has).
// Where systemd-analyze or root is missing these tests fail, saying so;
// HARNESS_TEST_SKIP_DEPLOY_HOST=1 reports them as skipped instead, never silently.

const root = join(import.meta.dirname, '..', '..');
const deploy = join(root, 'deploy');
const SKIP_ENV = 'HARNESS_TEST_SKIP_DEPLOY_HOST';
const read = (path: string): string => readFileSync(join(root, path), 'utf8');
const manifest = (dir: string): Record<string, unknown> =>
  JSON.parse(read(join(dir, 'package.json'))) as Record<string, unknown>;
const CONFIG_PATH = '/etc/harness/harness.toml';
const STATE_DIR = '/var/lib/harness';
/** A token `harness` accepts (16+ characters), for the checks that read deploy/harness.toml. */
const TOKEN = 'deploy-spec-0123456789abcdef';

/** Runs the built CLI (like the end-to-end tests, this needs the build). */
function harness(args: readonly string[], env: Record<string, string> = {}): SpawnSyncReturns<string> {
  return spawnSync(process.execPath, [join(root, 'apps', 'cli', 'bin', 'harness.js'), ...args], {
    cwd: root,
    encoding: 'utf8',
    env: { PATH: process.env['PATH'] ?? '/usr/bin:/bin', HOME: tmpdir(), NO_COLOR: '1', ...env },
    timeout: 30_000,
  });
}

/** The resolved configuration of deploy/harness.toml (or the defaults), as `harness config show` has it. */
function resolvedConfig(withFile: boolean): { server: { http_addr: string; data_dir: string; drain_secs: number } } {
  const shown = harness(['config', 'show', '--json', ...(withFile ? ['--config', join(deploy, 'harness.toml')] : [])], {
    HARNESS_API_TOKEN: TOKEN,
  });
  expect(shown.status, shown.stderr).toBe(0);
  return JSON.parse(shown.stdout) as { server: { http_addr: string; data_dir: string; drain_secs: number } };
}
const portOf = (hostPort: string): string => hostPort.slice(hostPort.lastIndexOf(':') + 1);

/** How long `harness serve` may take to stop beyond `drain_secs` (apps/cli's serve command). */
function shutdownCapSecs(): number {
  const match = /const SHUTDOWN_CAP_MS = ([\d_]+);/.exec(read('apps/cli/src/commands/serve.command.ts'));
  expect(match, 'SHUTDOWN_CAP_MS in apps/cli/src/commands/serve.command.ts').not.toBeNull();
  return Number((match?.[1] ?? '').replaceAll('_', '')) / 1000;
}

/** Fails (or, with HARNESS_TEST_SKIP_DEPLOY_HOST=1, skips) loudly when the host cannot run a check. */
function requireHost(ctx: TestContext, problem: string | undefined): void {
  if (problem === undefined) return;
  const why = `not run: ${problem}`;
  if (process.env[SKIP_ENV] === '1') {
    process.stderr.write(`*** ${why} (${SKIP_ENV}=1) ***\n`);
    ctx.skip(why);
  }
  throw new Error(`${why}; or set ${SKIP_ENV}=1 to report this test as skipped`);
}
const hasCommand = (name: string): boolean => spawnSync('sh', ['-c', `command -v ${name}`]).status === 0;
const systemdAnalyzeProblem = (): string | undefined =>
  hasCommand('systemd-analyze') ? undefined : 'systemd-analyze is missing (Debian: apt-get install systemd)';

// ---- The Dockerfile, as Docker reads it: comments dropped, continued lines joined, stages tracked.

interface Instruction {
  readonly keyword: string;
  readonly args: string;
  readonly stage: string;
}

function parseDockerfile(text: string): Instruction[] {
  const instructions: Instruction[] = [];
  let stage = '';
  let pending = '';
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (line.startsWith('#') || (line === '' && pending === '')) continue;
    if (line.endsWith('\\')) {
      pending += `${line.slice(0, -1)} `;
      continue;
    }
    const whole = `${pending}${line}`.trim();
    pending = '';
    if (whole === '') continue;
    const [keyword = '', ...rest] = whole.split(/\s+/);
    const args = whole.slice(keyword.length).trim();
    if (keyword.toUpperCase() === 'FROM') stage = /\sAS\s+(\S+)$/i.exec(args)?.[1] ?? `#${String(rest.length)}`;
    instructions.push({ keyword: keyword.toUpperCase(), args, stage });
  }
  return instructions;
}

const dockerfileText = read('deploy/Dockerfile');
const instructions = parseDockerfile(dockerfileText);
const stages = [...new Set(instructions.filter((i) => i.keyword === 'FROM').map((i) => i.stage))];
const finalStage = stages.at(-1) ?? '';
const inFinal = (keyword: string): Instruction[] =>
  instructions.filter((i) => i.stage === finalStage && i.keyword === keyword);
const jsonArgs = (i: Instruction | undefined): string[] => JSON.parse(i?.args ?? 'null') as string[];
/** `KEY=value` pairs of the final stage's ENV instructions (values without spaces). */
const finalEnv = new Map(
  inFinal('ENV').flatMap((i) => [...i.args.matchAll(/(\w+)=(\S+)/g)].map((m) => [m[1] ?? '', m[2] ?? ''] as const)),
);
const cliBins = Object.keys(manifest('apps/cli')['bin'] ?? {});

describe('deploy/Dockerfile', () => {
  it('passes dockerfile-utils with every rule an error', () => {
    const error = ValidationSeverity.ERROR;
    const strict: ValidatorSettings = {
      deprecatedMaintainer: error,
      directiveCasing: error,
      emptyContinuationLine: error,
      instructionCasing: error,
      instructionCmdMultiple: error,
      instructionEntrypointMultiple: error,
      instructionHealthcheckMultiple: error,
      instructionJSONInSingleQuotes: error,
      instructionWorkdirRelative: error,
    };
    const problems = validate(dockerfileText, strict).map(
      (d) => `line ${String(d.range.start.line + 1)}: ${typeof d.message === 'string' ? d.message : d.message.value}`,
    );
    expect(problems).toEqual([]);
  });

  it('every RUN step is valid sh', () => {
    for (const run of instructions.filter((i) => i.keyword === 'RUN')) {
      const parsed = spawnSync('sh', ['-n', '-c', run.args], { encoding: 'utf8' });
      expect(parsed.status, `${run.args}\n${parsed.stderr}`).toBe(0);
    }
  });

  it('builds in stages, on the Node the repository supports, and runs as a user that is not root', () => {
    expect(stages).toEqual(['build', 'agent-clis', 'runtime']);
    for (const from of instructions.filter((i) => i.keyword === 'FROM')) {
      expect(from.args).toMatch(/^node:\$\{NODE_VERSION\}-\$\{DEBIAN_RELEASE\}-slim AS \S+$/);
    }
    const nodeVersion = /^ARG NODE_VERSION=(\d+)\.(\d+)\.(\d+)$/m.exec(dockerfileText);
    expect(nodeVersion).not.toBeNull();
    const [major, minor] = [Number(nodeVersion?.[1]), Number(nodeVersion?.[2])];
    // engines: ^20.19.0 || ^22.13.0 || >=24.11.0
    expect((manifest('.')['engines'] as { node: string }).node).toBe('^20.19.0 || ^22.13.0 || >=24.11.0');
    expect(
      (major === 20 && minor >= 19) || (major === 22 && minor >= 13) || major > 24 || (major === 24 && minor >= 11),
    ).toBe(true);
    const user = inFinal('USER').at(-1)?.args;
    expect(user).toBe('10001:10001');
    expect(
      inFinal('RUN')
        .map((i) => i.args)
        .join('\n'),
    ).toMatch(/useradd --system --uid 10001 --gid harness\b/);
  });

  it('fetches nothing from a URL: COPY only, no ADD, no curl or wget', () => {
    expect(instructions.filter((i) => i.keyword === 'ADD')).toEqual([]);
    expect(instructions.filter((i) => i.keyword === 'RUN' && /\b(curl|wget)\b/.test(i.args))).toEqual([]);
  });

  it('copies only what exists: repository paths, and earlier stages', () => {
    for (const copy of instructions.filter((i) => i.keyword === 'COPY')) {
      const from = /--from=(\S+)/.exec(copy.args)?.[1];
      const parts = copy.args.replace(/--\S+/g, '').trim().split(/\s+/);
      if (from !== undefined) {
        expect(stages.indexOf(from), copy.args).toBeGreaterThanOrEqual(0);
        expect(stages.indexOf(from)).toBeLessThan(stages.indexOf(copy.stage));
      } else {
        for (const source of parts.slice(0, -1)) expect(existsSync(join(root, source)), source).toBe(true);
      }
    }
    // What the build stage reads from the copied repository.
    expect(dockerfileText).toContain("require('/src/package.json')");
    expect(Object.keys(manifest('.'))).toEqual(expect.arrayContaining(['overrides', 'allowScripts']));
    expect(dockerfileText).toContain('cp /src/.npmrc');
    expect(existsSync(join(root, '.npmrc'))).toBe(true);
    expect(dockerfileText).toContain('rm /tmp/packs/agent-harness-testing-*.tgz');
    expect(manifest('libs/testing')['name']).toBe('@agent-harness/testing');
    expect(dockerfileText).toMatch(/COPY tools\/agent-clis\/package\.json \.\//);
  });

  it('installs git and the sandbox from Debian, and runs under tini', () => {
    const apt = inFinal('RUN').find((i) => i.args.includes('apt-get install'))?.args ?? '';
    for (const pkg of ['git', 'bubblewrap', 'socat', 'ripgrep', 'tini', 'ca-certificates']) {
      expect(apt.split(/\s+/), pkg).toContain(pkg);
    }
    expect(jsonArgs(inFinal('ENTRYPOINT').at(-1))).toEqual(['/usr/bin/tini', '--']);
  });

  it("starts `harness serve --config /etc/harness/harness.toml`: the CLI's bin and flag", () => {
    const cmd = jsonArgs(inFinal('CMD').at(-1));
    expect(cmd).toEqual(['harness', 'serve', '--config', CONFIG_PATH]);
    expect(cliBins).toContain(cmd[0]);
    expect(finalEnv.get('PATH')?.split(':')[0]).toBe('/opt/harness/node_modules/.bin');
    const help = harness(['serve', '--help']);
    expect(help.status, help.stderr).toBe(0);
    expect(help.stdout).toMatch(/^\s+--config\s/m);
  });

  it("exposes the server's default port, checks /health there, and keeps HOME and data_dir in its volume", () => {
    const port = portOf(resolvedConfig(false).server.http_addr);
    expect(inFinal('EXPOSE').map((i) => i.args)).toEqual([port]);
    expect(finalEnv.get('HARNESS_HEALTH_URL')).toBe(`http://127.0.0.1:${port}/health`);
    const healthcheck = inFinal('HEALTHCHECK').at(-1)?.args ?? '';
    expect(healthcheck).toContain('process.env.HARNESS_HEALTH_URL');
    expect(read('apps/server/src/health/health.controller.ts')).toContain("@Controller('health')");
    expect(jsonArgs(inFinal('VOLUME').at(-1))).toEqual([STATE_DIR]);
    expect(finalEnv.get('HOME')).toBe(STATE_DIR);
    const example = resolvedConfig(true).server;
    expect(example.data_dir.startsWith(`${STATE_DIR}/`)).toBe(true);
    expect(portOf(example.http_addr)).toBe(port);
    expect(inFinal('STOPSIGNAL').map((i) => i.args)).toEqual(['SIGTERM']);
  });

  it('sends no node_modules, build output, .git or secrets, and everything the build needs', () => {
    const ignored = read('deploy/Dockerfile.dockerignore')
      .split('\n')
      .map((line) => line.trim())
      .filter((line) => line !== '' && !line.startsWith('#'));
    expect(ignored).toEqual(
      expect.arrayContaining(['.git', '**/node_modules', '**/dist', '**/*.tsbuildinfo', '**/.env']),
    );
    for (const needed of [
      'package.json',
      'package-lock.json',
      '.npmrc',
      'tools',
      'libs',
      'apps',
      'nx.json',
      '*.json',
    ]) {
      expect(ignored, needed).not.toContain(needed);
    }
  });
});

// ---- The unit, as systemd reads it: `Key=value` lines by section.

const unitText = read('deploy/harness.service');
const unit = new Map<string, string[]>();
for (const line of unitText.split('\n')) {
  const match = /^([A-Za-z]+)=(.*)$/.exec(line.trim());
  if (match?.[1] !== undefined) unit.set(match[1], [...(unit.get(match[1]) ?? []), match[2] ?? '']);
}
const one = (key: string): string | undefined => unit.get(key)?.at(-1);
const HARNESS_BIN = '/opt/harness/node_modules/.bin/harness';
// What bubblewrap calls to build its sandbox (strace of the sandbox Harness starts, as an unprivileged user).
const BWRAP_SYSCALLS = ['capset', 'clone', 'mount', 'pivot_root', 'prctl', 'umount2', 'unshare', 'socket', 'sendto'];

describe('deploy/harness.service', () => {
  it('passes systemd-analyze verify', (ctx) => {
    requireHost(ctx, systemdAnalyzeProblem());
    // verify also checks that ExecStart's program exists: a stand-in at a path of its own.
    const dir = mkdtempSync(join(tmpdir(), 'harness-unit-'));
    try {
      const stub = join(dir, 'harness');
      writeFileSync(stub, '#!/bin/sh\nexit 0\n');
      chmodSync(stub, 0o755);
      writeFileSync(join(dir, 'harness.service'), unitText.replaceAll(HARNESS_BIN, stub));
      const verified = spawnSync('systemd-analyze', ['verify', join(dir, 'harness.service')], { encoding: 'utf8' });
      expect({ status: verified.status, output: `${verified.stdout}${verified.stderr}` }).toEqual({
        status: 0,
        output: '',
      });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("starts the installed package's bin as `harness serve --config /etc/harness/harness.toml`, as the image does", () => {
    const [program, ...args] = (one('ExecStart') ?? '').split(/\s+/);
    expect(program).toBe(HARNESS_BIN);
    expect(cliBins).toContain(HARNESS_BIN.split('/').at(-1));
    expect(['harness', ...args]).toEqual(jsonArgs(inFinal('CMD').at(-1)));
    expect(unit.get('Environment')).toEqual(
      expect.arrayContaining([
        `HOME=${STATE_DIR}`,
        expect.stringMatching(/^PATH=\/opt\/harness\/node_modules\/\.bin:/),
      ]),
    );
  });

  it('runs as its own user with its state in /var/lib/harness, secrets from an optional root-only file', () => {
    expect(one('User')).toBe('harness');
    expect(one('StateDirectory')).toBe('harness');
    expect(one('StateDirectoryMode')).toBe('0700');
    expect(resolvedConfig(true).server.data_dir.startsWith(`${STATE_DIR}/`)).toBe(true);
    expect(one('EnvironmentFile')).toBe('-/etc/harness/harness.env');
    expect(read('deploy/harness.env.example')).toMatch(/^HARNESS_API_TOKEN=$/m);
    expect(one('Restart')).toBe('on-failure');
    expect(one('RestartPreventExitStatus')).toBe('2');
  });

  it('stops like `harness serve` drains: SIGTERM to it alone, longer than drain_secs and its shutdown cap, then SIGKILL to the rest', () => {
    expect(one('KillMode')).toBe('mixed');
    expect(one('KillSignal')).toBe('SIGTERM');
    const needed = resolvedConfig(true).server.drain_secs + shutdownCapSecs();
    expect(Number(/^(\d+)s?$/.exec(one('TimeoutStopSec') ?? '')?.[1])).toBeGreaterThan(needed);
    // The README's `docker run` gives the container as long.
    const stopTimeout = Number(/--stop-timeout (\d+)/.exec(read('deploy/README.md'))?.[1]);
    expect(stopTimeout).toBeGreaterThan(needed);
  });

  it('sets none of the options that stop bubblewrap (user namespaces, a fresh /proc) or Node', () => {
    const breaking = [
      'PrivateUsers',
      'RestrictNamespaces',
      'ProtectKernelTunables',
      'ProtectKernelLogs',
      'ProtectProc',
      'ProcSubset',
      'MemoryDenyWriteExecute',
      'PrivateNetwork',
    ];
    expect(breaking.filter((key) => unit.has(key))).toEqual([]);
    expect(one('RestrictAddressFamilies')?.split(/\s+/)).toEqual(
      expect.arrayContaining(['AF_UNIX', 'AF_INET', 'AF_INET6', 'AF_NETLINK']),
    );
  });

  it("denies none of bubblewrap's syscalls", (ctx) => {
    requireHost(ctx, systemdAnalyzeProblem());
    const filter = one('SystemCallFilter') ?? '';
    expect(filter.startsWith('~'), 'a deny list').toBe(true);
    const groups = filter.slice(1).trim().split(/\s+/);
    const listed = spawnSync('systemd-analyze', ['syscall-filter', ...groups], { encoding: 'utf8' });
    expect(listed.status, listed.stderr).toBe(0);
    const denied = new Set(
      listed.stdout
        .split('\n')
        .map((line) => line.trim())
        .filter((l) => /^[a-z0-9_]+$/.test(l)),
    );
    expect(denied.size).toBeGreaterThan(10);
    expect(BWRAP_SYSCALLS.filter((call) => denied.has(call))).toEqual([]);
  });

  it("bubblewrap works as an unprivileged user under the unit's mount and privilege settings (rebuilt with unshare)", (ctx) => {
    const missing = ['bwrap', 'unshare', 'setpriv', 'mount'].filter((name) => !hasCommand(name));
    requireHost(
      ctx,
      process.getuid?.() !== 0
        ? "needs root, to rebuild the unit's mounts with unshare (CI runs as root)"
        : missing.length > 0
          ? `missing ${missing.join(', ')}`
          : undefined,
    );
    // The sandbox Harness starts (libs/sandbox), run as nobody with no capabilities and no_new_privs
    // (User=, CapabilityBoundingSet=, NoNewPrivileges=) in a mount namespace with the unit's mounts:
    // ProtectSystem=strict (a read-only /), ProtectHome=yes (an empty /home), PrivateTmp=yes,
    // ProtectControlGroups=yes (a read-only /sys/fs/cgroup).
    const sandbox =
      "bwrap --die-with-parent --unshare-pid --unshare-ipc --unshare-uts --unshare-cgroup-try --unshare-net --ro-bind / / --dev /dev --proc /proc --tmpfs /tmp -- sh -c 'echo sandboxed'";
    const asService = `setpriv --reuid=65534 --regid=65534 --clear-groups --bounding-set=-all --inh-caps=-all --no-new-privs sh -c "${sandbox}"`;
    const unitMounts = [
      'mount -t tmpfs -o mode=1777 tmpfs /tmp',
      'mount -t tmpfs -o ro,mode=0755 tmpfs /home',
      'if [ -d /sys/fs/cgroup ]; then mount --bind /sys/fs/cgroup /sys/fs/cgroup && mount -o remount,bind,ro /sys/fs/cgroup; fi',
      'mount -o remount,bind,ro /',
    ].join(' && ');
    const inNamespace = (script: string) =>
      spawnSync('unshare', ['--mount', '--propagation', 'private', 'sh', '-c', script], {
        encoding: 'utf8',
        timeout: 30_000,
      });
    const hardened = inNamespace(`${unitMounts} && ${asService}`);
    expect({ status: hardened.status, stdout: hardened.stdout, stderr: hardened.stderr }).toEqual({
      status: 0,
      stdout: 'sandboxed\n',
      stderr: '',
    });
    // The control: ProtectKernelTunables=' read-only /proc/sys, which the unit leaves out, breaks it.
    const tunables = inNamespace(
      `mount --bind /proc/sys /proc/sys && mount -o remount,bind,ro /proc/sys && ${asService}`,
    );
    expect(tunables.status).not.toBe(0);
    expect(tunables.stderr).toContain("Can't mount proc");
  });
});

describe('deploy/harness.toml and deploy/README.md', () => {
  it('the example configuration is valid, and listening beyond loopback asks for the API token', () => {
    const checked = harness(['config', 'check', '--config', join(deploy, 'harness.toml')], {
      HARNESS_API_TOKEN: TOKEN,
    });
    expect(checked.status, checked.stderr).toBe(0);
    const example = resolvedConfig(true).server;
    expect(example.http_addr).toBe(`0.0.0.0:${portOf(resolvedConfig(false).server.http_addr)}`);
    expect(read('deploy/harness.toml')).toMatch(/HARNESS_API_TOKEN/);
  });

  it("the README's docker run mounts the volume and the configuration, and gives the sandbox what it needs", () => {
    const readme = read('deploy/README.md');
    const run = /docker run -d [\s\S]*?\n\s+harness\n/.exec(readme)?.[0] ?? '';
    for (const flag of [
      '--security-opt seccomp=unconfined',
      '--security-opt apparmor=unconfined',
      '--security-opt systempaths=unconfined',
      `:${STATE_DIR}`,
      `:${CONFIG_PATH}:ro`,
      '--env-file /etc/harness/harness.env',
    ]) {
      expect(run, flag).toContain(flag);
    }
    expect(run).not.toContain('--privileged');
  });

  it('every repository path the README names exists', () => {
    const readme = read('deploy/README.md');
    // `deploy/harness.toml` from the root, and `../docs/security.md` links from deploy/.
    const paths = [
      ...readme.matchAll(/(?<![\w/.-])((?:\.\.\/)?(?:deploy|tools|docs|config|apps|libs)\/[\w./-]*\w)/g),
    ].map((m) => m[1] ?? '');
    expect(paths.length).toBeGreaterThan(5);
    const resolved = (path: string): string => (path.startsWith('../') ? join(deploy, path) : join(root, path));
    expect(paths.filter((path) => !existsSync(resolved(path)))).toEqual([]);
  });
});

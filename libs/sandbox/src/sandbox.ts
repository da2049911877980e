import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { bwrapArgs, type PortForward } from './bwrap-command.js';
import { isLoopback, NetworkBridge, type BridgeForward } from './network-bridge.js';
import type { NetworkEndpoint, SandboxPolicy } from './sandbox-policy.js';
import type { CommandSpec, SandboxedCommand } from '@agent-harness/core';

/** The loopback port of the filtering proxy inside a sandbox (another is taken if an endpoint has it). */
const PROXY_PORT = 3128;

/** Whether sandboxes can start here, and if not, the one line that says how to fix it. @public */
export type SandboxAvailability = { readonly ok: true } | { readonly ok: false; readonly why: string };

/** The line that names the fix when bubblewrap or socat is missing. @public */
export const SANDBOX_FIX = 'install bubblewrap and socat (Debian/Ubuntu: apt-get install bubblewrap socat)';

function findOnPath(name: string, path: string | undefined): string | undefined {
  for (const dir of (path ?? '').split(delimiter)) {
    if (dir === '') continue;
    const candidate = join(dir, name);
    try {
      if (statSync(candidate).isFile()) return candidate;
    } catch {
      // not in this directory
    }
  }
  return undefined;
}

function kindOf(path: string): 'dir' | 'file' | undefined {
  try {
    const stat = statSync(path);
    return stat.isDirectory() ? 'dir' : 'file';
  } catch {
    return undefined;
  }
}

function run(file: string, args: readonly string[]): Promise<{ ok: boolean; output: string }> {
  return new Promise((resolve) => {
    execFile(file, args, { timeout: 10_000 }, (error, stdout, stderr) => {
      resolve({ ok: error === null, output: `${stdout}${stderr}`.trim() });
    });
  });
}

/**
 * The OS sandbox on Linux: bubblewrap for the filesystem, process and network namespaces, socat
 * and a bridge Harness holds for the allowed network. One instance serves every run.
 * @public
 */
export class BubblewrapSandbox {
  readonly bwrap: string | undefined;
  readonly socat: string | undefined;

  constructor(env: Readonly<Record<string, string | undefined>> = process.env) {
    this.bwrap = findOnPath('bwrap', env['PATH']);
    this.socat = findOnPath('socat', env['PATH']);
  }

  /** Starts a trivial sandbox once: missing tools or a kernel without namespaces say so here. */
  async probe(): Promise<SandboxAvailability> {
    if (process.platform !== 'linux')
      return { ok: false, why: `the sandbox needs Linux (bubblewrap); this is ${process.platform}` };
    if (this.bwrap === undefined) return { ok: false, why: `bubblewrap (bwrap) is not on PATH: ${SANDBOX_FIX}` };
    if (this.socat === undefined) return { ok: false, why: `socat is not on PATH: ${SANDBOX_FIX}` };
    const probe = await run(this.bwrap, [
      '--die-with-parent',
      '--unshare-pid',
      '--unshare-net',
      '--ro-bind',
      '/',
      '/',
      '--dev',
      '/dev',
      '--proc',
      '/proc',
      '--',
      'true',
    ]);
    if (!probe.ok)
      return {
        ok: false,
        why: `bubblewrap cannot start a sandbox here (${probe.output.split('\n')[0] ?? 'no output'}): allow unprivileged user namespaces (sysctl kernel.unprivileged_userns_clone=1) or run as root`,
      };
    return { ok: true };
  }

  /**
   * The command wrapped in its sandbox, with the network bridge it needs already listening.
   * `danger-full-access` runs the command as it is.
   */
  async wrap(policy: SandboxPolicy, spec: CommandSpec): Promise<SandboxedCommand> {
    if (policy.mode === 'danger-full-access')
      return { ...spec, sandboxed: false, refused: () => [], dispose: () => Promise.resolve() };
    if (this.bwrap === undefined || this.socat === undefined)
      throw new Error(`the sandbox cannot start: ${SANDBOX_FIX}`);
    const network = policy.network;
    const endpoints: readonly NetworkEndpoint[] = network.kind === 'filtered' ? network.endpoints : [];
    const domains = network.kind === 'filtered' ? network.domains : [];
    // Loopback endpoints get a port of the same number inside; the rest go through the proxy.
    const local = endpoints.filter((e) => isLoopback(e.host));
    const remote = endpoints.filter((e) => !isLoopback(e.host));
    const forwards: (PortForward & BridgeForward)[] = local.map((target, i) => ({
      port: target.port,
      socket: `f${String(i)}.sock`,
      target: { host: target.host === 'localhost' ? '127.0.0.1' : target.host, port: target.port },
    }));
    const withProxy = remote.length > 0 || domains.length > 0;
    let proxyPort = PROXY_PORT;
    while (forwards.some((f) => f.port === proxyPort)) proxyPort += 1;
    const dir = forwards.length > 0 || withProxy ? mkdtempSync(join(tmpdir(), 'harness-net-')) : undefined;
    let bridge: NetworkBridge | undefined;
    try {
      if (dir !== undefined)
        bridge = await NetworkBridge.open(dir, forwards, withProxy ? { endpoints: remote, domains } : undefined);
    } catch (error) {
      if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
      throw error;
    }
    const portForwards: PortForward[] = [
      ...forwards.map(({ port, socket }) => ({ port, socket })),
      ...(withProxy ? [{ port: proxyPort, socket: 'proxy.sock' }] : []),
    ];
    const proxyUrl = `http://127.0.0.1:${String(proxyPort)}`;
    // The host's TMPDIR may be hidden inside: the sandbox has its own /tmp.
    const env: Record<string, string> = withProxy
      ? {
          ...spec.env,
          TMPDIR: '/tmp',
          HTTP_PROXY: proxyUrl,
          HTTPS_PROXY: proxyUrl,
          http_proxy: proxyUrl,
          https_proxy: proxyUrl,
          // Yarn 2+ reads only its own proxy settings (a setup's `yarn install`).
          YARN_HTTP_PROXY: proxyUrl,
          YARN_HTTPS_PROXY: proxyUrl,
          NO_PROXY: 'localhost,127.0.0.1,::1',
          no_proxy: 'localhost,127.0.0.1,::1',
        }
      : { ...spec.env, TMPDIR: '/tmp' };
    const args = bwrapArgs({
      policy,
      cwd: spec.cwd,
      command: spec.command,
      args: spec.args,
      kindOf,
      bridgeDir: dir,
      forwards: portForwards,
      socat: this.socat,
    });
    let disposed = false;
    return {
      command: this.bwrap,
      args,
      cwd: spec.cwd,
      env,
      sandboxed: true,
      lifeline: true,
      refused: () => bridge?.refused ?? [],
      dispose: async () => {
        if (disposed) return;
        disposed = true;
        await bridge?.close();
        if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
      },
    };
  }
}

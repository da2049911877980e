import { lstatSync, mkdirSync, readFileSync, realpathSync, statSync } from 'node:fs';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import {
  HOME_SECRETS,
  type AgentSandboxNeeds,
  type CommandAccess,
  type CommandNetwork,
  type CommandSandbox,
  type CommandSpec,
  type HarnessConfig,
  type SandboxedCommand,
  type SandboxMode,
} from '@agent-harness/core';
import {
  BubblewrapSandbox,
  type NetworkEndpoint,
  type NetworkPolicy,
  type SandboxAvailability,
  type SandboxPolicy,
} from '@agent-harness/sandbox';
import { AGENT_DESCRIPTORS, agentDescriptorsOf } from '../registry/agent-descriptors.js';

/** The built-in agents' own state and logins under the home directory: each run sees only its own agent's. */
const AGENT_STATE = AGENT_DESCRIPTORS.flatMap((descriptor) => descriptor.homeState);

/**
 * Host paths with sockets into services outside the sandbox (the user's D-Bus and systemd, which
 * start commands; Docker; ssh and gpg agents): a network namespace does not cover them.
 */
const HOST_SOCKETS = ['/run', '/var/run'];

/** @public */
export interface ConfiguredSandboxOptions {
  /** `[agents] sandbox_mode`: the mode of runs that name none, and of project commands (off only in `danger-full-access`). */
  readonly mode: SandboxMode;
  /** The home whose credentials are hidden (the server's). */
  readonly home: string;
  /** Harness's data dir: its database and every task's worktree, hidden (the run's own worktree stays visible). */
  readonly dataDir: string;
  /** The projects' checkouts, hidden (a run's own directory stays visible). */
  readonly projectRoots: readonly string[];
  readonly sandbox: HarnessConfig['sandbox'];
  /** `[validation] network`. */
  readonly commandNetwork: HarnessConfig['validation']['network'];
  /** Default: bubblewrap from the server's PATH. */
  readonly bubblewrap?: BubblewrapSandbox | undefined;
  /** Every agent's state under the home directory (hidden from the others' runs); default the built-in agents'. */
  readonly agentState?: readonly string[] | undefined;
}

/**
 * The policy Harness applies to every process it starts for a task, built from the configuration:
 * the worktree writable (or read-only), the agent's own state writable, credentials, the data dir
 * and other checkouts hidden, the repository's shared `.git` read-only, and the network closed but
 * for the agent's model service and `[sandbox] allowed_domains`.
 * @public
 */
export class ConfiguredSandbox implements CommandSandbox {
  readonly mode: SandboxMode;
  private readonly bubblewrap: BubblewrapSandbox;
  private probed: Promise<SandboxAvailability> | undefined;

  constructor(private readonly options: ConfiguredSandboxOptions) {
    this.mode = options.mode;
    this.bubblewrap = options.bubblewrap ?? new BubblewrapSandbox();
  }

  /** Builds it from the configuration (`[agents] sandbox_mode`, `[sandbox]`, `[validation] network`). */
  static fromConfig(config: HarnessConfig, home: string, bubblewrap?: BubblewrapSandbox): ConfiguredSandbox {
    return new ConfiguredSandbox({
      mode: config.agents.sandbox_mode,
      home,
      dataDir: config.server.data_dir,
      projectRoots: config.projects.map((p) => p.root),
      // A GitHub App's private key is never readable inside, wherever the file is: its real path
      // (a secret mounted by Kubernetes is a link into `..data/`, and the sandbox cannot cover a link).
      sandbox:
        config.github.app === undefined
          ? config.sandbox
          : {
              ...config.sandbox,
              deny_read: [...config.sandbox.deny_read, realPathOf(config.github.app.private_key_path)],
            },
      commandNetwork: config.validation.network,
      bubblewrap,
      agentState: agentDescriptorsOf(config).flatMap((descriptor) => descriptor.homeState),
    });
  }

  /**
   * What the server's start and every task's log say when `[agents] sandbox_mode` turns the OS
   * sandbox off; undefined when it is on.
   */
  get warning(): string | undefined {
    return this.mode === 'danger-full-access'
      ? 'warning: [agents] sandbox_mode = "danger-full-access": agents and project commands run without the OS sandbox (they can read your credentials, other checkouts and the network)'
      : undefined;
  }

  /** Whether the sandbox starts on this machine (tried once, then remembered). */
  availability(): Promise<SandboxAvailability> {
    this.probed ??= this.bubblewrap.probe();
    return this.probed;
  }

  /** Why runs in `mode` cannot start here, or undefined when they can (`danger-full-access` always can). */
  async refusal(mode: SandboxMode = this.mode): Promise<string | undefined> {
    if (mode === 'danger-full-access') return undefined;
    const availability = await this.availability();
    return availability.ok ? undefined : `sandbox_mode "${mode}" needs the OS sandbox: ${availability.why}`;
  }

  async wrapAgent(spec: CommandSpec, needs: AgentSandboxNeeds): Promise<SandboxedCommand> {
    for (const dir of needs.stateDirs) mkdirSync(dir, { recursive: true, mode: 0o700 });
    const domains = [
      ...(needs.endpoints.length === 0 ? needs.domains : []),
      ...(needs.extraDomains ?? []),
      ...this.options.sandbox.allowed_domains,
    ];
    return this.wrap(
      this.policy(needs.mode, spec.cwd, [...needs.stateDirs, ...needs.stateFiles], {
        kind: 'filtered',
        endpoints: needs.endpoints.flatMap(endpointOf),
        domains,
      }),
      spec,
    );
  }

  wrapCommand(
    spec: CommandSpec,
    access: CommandAccess,
    reach: CommandNetwork = this.options.commandNetwork,
  ): Promise<SandboxedCommand> {
    const network: NetworkPolicy =
      reach === 'allowed_domains'
        ? { kind: 'filtered', endpoints: [], domains: this.options.sandbox.allowed_domains }
        : { kind: 'none' };
    return this.wrap(this.policy(this.mode === 'danger-full-access' ? this.mode : access, spec.cwd, [], network), spec);
  }

  /** What a run in `cwd` may touch. Exposed for `harness sandbox`-style diagnostics and tests. */
  policy(mode: SandboxMode, cwd: string, stateDirs: readonly string[], network: NetworkPolicy): SandboxPolicy {
    const git = gitLayout(cwd);
    const workspace = [cwd];
    // `[sandbox] allow_write` are caches granted by the user: writable in every mode, like the agent's state.
    const writableAlways = [...stateDirs, ...this.options.sandbox.allow_write];
    const denied = [
      ...HOME_SECRETS.map((p) => join(this.options.home, p)),
      ...(this.options.agentState ?? AGENT_STATE).map((p) => join(this.options.home, p)),
      // A symbolic link (`/var/run` → `/run` on most systems) is hidden with its target.
      ...HOST_SOCKETS.filter((p) => lstatSync(p, { throwIfNoEntry: false })?.isDirectory() === true),
      this.options.dataDir,
      ...this.options.projectRoots,
      ...git.checkouts,
      ...this.options.sandbox.deny_read,
    ];
    // A denial at the very path of the workspace would hide it: the run's own directory stays.
    const visible = [...workspace, ...writableAlways];
    const denyRead = [...new Set(denied.map((p) => resolve(p)))].filter((p) => !visible.includes(p));
    return { mode, writable: workspace, stateDirs: writableAlways, denyRead, readOnly: git.readOnly, network };
  }

  private async wrap(policy: SandboxPolicy, spec: CommandSpec): Promise<SandboxedCommand> {
    if (policy.mode !== 'danger-full-access') {
      const refusal = await this.refusal(policy.mode);
      if (refusal !== undefined) throw new Error(refusal);
    }
    return this.bubblewrap.wrap(policy, spec);
  }
}

/** A base URL's host and port (`http://127.0.0.1:8080/v1` → 127.0.0.1:8080); nothing for a bad URL. */
function endpointOf(url: string): NetworkEndpoint[] {
  try {
    const parsed = new URL(url);
    if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') return [];
    const port = parsed.port === '' ? (parsed.protocol === 'https:' ? 443 : 80) : Number(parsed.port);
    return [{ host: parsed.hostname.replace(/^\[|\]$/g, ''), port }];
  } catch {
    return [];
  }
}

/**
 * What of git a run in `cwd` may read. A linked worktree (a task's) has a `.git` file naming its
 * own dir in the shared repository. The shared `.git` is read-only, that dir included: git's config,
 * hooks, refs, and the files that say where the repository is (`commondir`, `gitdir`), are not the
 * agent's to change, since Harness's own git reads them outside the sandbox. So is the `.git` file
 * itself, which would otherwise point Harness's git at a repository the agent made. Git reads,
 * diffs and shows status inside; Harness commits. The main checkout around the shared `.git` is
 * hidden. A plain checkout's `.git` is read-only too. A `.git` file git does not link back to opens
 * nothing.
 */
function gitLayout(cwd: string): { readOnly: string[]; checkouts: string[] } {
  const dotGit = join(cwd, '.git');
  let isFile: boolean;
  try {
    isFile = statSync(dotGit).isFile();
  } catch {
    return { readOnly: [], checkouts: [] };
  }
  if (!isFile) return { readOnly: [dotGit], checkouts: [] };
  try {
    const match = /^gitdir:\s*(.+)$/m.exec(readFileSync(dotGit, 'utf8'));
    if (match?.[1] === undefined) return { readOnly: [dotGit], checkouts: [] };
    const own = resolve(cwd, match[1].trim());
    // Trust the file only when git's own link back from the shared repository names this worktree.
    if (resolve(own, readFileSync(join(own, 'gitdir'), 'utf8').trim()) !== dotGit)
      return { readOnly: [dotGit], checkouts: [] };
    const common = resolve(own, readFileSync(join(own, 'commondir'), 'utf8').trim());
    // A shared repository named `.git` sits in the main checkout; a bare one has none to hide.
    const checkouts = common.endsWith('/.git') && isAbsolute(common) ? [dirname(common)] : [];
    return { readOnly: [dotGit, common], checkouts };
  } catch {
    return { readOnly: [dotGit], checkouts: [] };
  }
}

/** The file a path leads to after its links; the path itself when it cannot be resolved. */
function realPathOf(path: string): string {
  try {
    return realpathSync(path);
  } catch {
    return path;
  }
}

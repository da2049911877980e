import type { SandboxMode } from '@agent-harness/core';

/** A host and port a sandboxed process may connect to (a model service, say). @public */
export interface NetworkEndpoint {
  readonly host: string;
  readonly port: number;
}

/**
 * Where a sandboxed process may connect. `none`: nowhere (its own loopback only). `filtered`: the
 * endpoints, plus HTTP(S) to the domains through a proxy Harness holds (`example.com` or
 * `*.example.com`). `host`: the host's network as it is.
 * @public
 */
export type NetworkPolicy =
  | { readonly kind: 'none' }
  | {
      readonly kind: 'filtered';
      readonly endpoints: readonly NetworkEndpoint[];
      readonly domains: readonly string[];
    }
  | { readonly kind: 'host' };

/** What one sandboxed process may read, write and reach. Paths are absolute. @public */
export interface SandboxPolicy {
  /**
   * `read-only`: nothing writable but a private tmp and `stateDirs`; `workspace-write`: also
   * `writable`; `danger-full-access`: no sandbox at all.
   */
  readonly mode: SandboxMode;
  /** The workspace (the task's worktree and the like): writable in `workspace-write`, read-only in `read-only`. */
  readonly writable: readonly string[];
  /** Writable in every mode: the agent's own state and login (`~/.claude`, `~/.codex`). */
  readonly stateDirs: readonly string[];
  /** Never readable: a directory is hidden behind an empty one, a file behind an empty file. */
  readonly denyRead: readonly string[];
  /** Readable (not writable) again inside a hidden directory: the shared `.git` of a checkout. */
  readonly readOnly: readonly string[];
  readonly network: NetworkPolicy;
}

import { lstatSync, readlinkSync, realpathSync } from 'node:fs';
import { dirname, isAbsolute, relative, resolve, sep } from 'node:path';
import type { SandboxMode } from '@agent-harness/core';
import type {
  PermissionOption,
  RequestPermissionRequest,
  RequestPermissionResponse,
  ToolKind,
} from '@agentclientprotocol/sdk/unstable';
import { pathsOf, type KnownToolCall } from './acp-session-updates.js';

/** The only tool kinds a `read-only` run allows. */
const READING_KINDS: readonly ToolKind[] = ['read', 'search', 'think'];
/** What an `auto-edit` run is granted: reading, and changing files. */
const EDITING_KINDS: readonly ToolKind[] = [...READING_KINDS, 'edit', 'delete', 'move'];

/** A request naming more paths, or longer ones, is refused unread: checking them must stay cheap. */
const MAX_PATHS = 64;
const MAX_PATH_LENGTH = 4096;

/** Harness's answer to one permission request, and why (said in the run's events when it refuses). */
export interface PermissionDecision {
  readonly allow: boolean;
  readonly why: string;
}

/**
 * How Harness answers an ACP agent's permission requests: never for a path outside the worktree
 * (whatever the mode), nor one it cannot check (`..`, `~`, a URL); in a `read-only` run only tools
 * that read (by the kind the agent gives now or gave before); otherwise yes: the OS sandbox around
 * the agent is what confines it.
 */
export function decidePermission(
  request: RequestPermissionRequest,
  known: KnownToolCall | undefined,
  context: { readonly cwd: string; readonly mode: SandboxMode; readonly commands?: boolean | undefined },
): PermissionDecision {
  const paths = [
    ...new Set([
      ...(known?.paths ?? []),
      ...pathsOf(request.toolCall.locations, request.toolCall.rawInput, request.toolCall.content),
    ]),
  ];
  if (paths.length > MAX_PATHS) return { allow: false, why: `it names ${String(paths.length)} paths` };
  const outside = paths.find((path) => !isInside(context.cwd, path));
  if (outside !== undefined) return { allow: false, why: `${outside.slice(0, 300)} is outside the worktree` };
  const kinds = [request.toolCall.kind ?? undefined, known?.kind];
  // `approval_policy` `auto-edit`: reading and editing are granted; anything else (a command, a
  // fetch, a tool that says nothing of itself) never.
  if (context.commands === false) {
    const other = kinds.find((kind) => kind !== undefined && !EDITING_KINDS.includes(kind));
    if (other !== undefined || kinds.every((kind) => kind === undefined))
      return {
        allow: false,
        why: `this run may not run commands ([agents] approval_policy; tool kind: ${other ?? 'unknown'})`,
      };
  }
  if (context.mode === 'read-only') {
    const changing = kinds.find((kind) => kind !== undefined && !READING_KINDS.includes(kind));
    if (changing !== undefined || kinds.every((kind) => kind === undefined))
      return { allow: false, why: `the run is read-only (tool kind: ${changing ?? 'unknown'})` };
  }
  return { allow: true, why: 'inside the worktree' };
}

/**
 * The answer the agent understands: its `allow_once` option (each later call is asked again; an
 * agent offering only `allow_always` is answered `cancelled`), its `reject_once` or
 * `reject_always`; `cancelled` when it offered none of the kind.
 */
export function permissionAnswer(
  options: readonly PermissionOption[],
  decision: PermissionDecision,
): RequestPermissionResponse {
  const order = decision.allow ? ['allow_once'] : ['reject_once', 'reject_always'];
  for (const kind of order) {
    const option = options.find((o) => o.kind === kind);
    if (option !== undefined) return { outcome: { outcome: 'selected', optionId: option.optionId } };
  }
  return { outcome: { outcome: 'cancelled' } };
}

/**
 * Whether `path` (relative paths are taken from `root`) is `root` or inside it, links resolved. A
 * path with a `..` segment, a `~` or a scheme (`file:`) is never inside: it means something else
 * once a link or a shell has its say.
 */
export function isInside(root: string, path: string): boolean {
  if (path.length > MAX_PATH_LENGTH || path.includes('\0')) return false;
  if (/^(~|[a-z][a-z0-9+.-]*:)/i.test(path) || path.split(/[\\/]+/).includes('..')) return false;
  const realRoot = realOrSelf(root);
  const target = realOrSelf(isAbsolute(path) ? path : resolve(root, path));
  const rel = relative(realRoot, target);
  return rel === '' || (!rel.startsWith(`..${sep}`) && rel !== '..' && !isAbsolute(rel));
}

/**
 * The path with its links resolved, as far as it exists (a file about to be written does not): the
 * nearest existing ancestor resolved by the kernel, the rest appended. A dangling link on the way is
 * followed (writing through it would create its target), at most 40 of them.
 */
function realOrSelf(path: string): string {
  let absolute = resolve(path);
  for (let links = 0; ;) {
    let existing = absolute;
    for (;;) {
      try {
        return resolve(realpathSync.native(existing), relative(existing, absolute));
      } catch {
        if (links < 40 && lstatSync(existing, { throwIfNoEntry: false })?.isSymbolicLink() === true) break;
        const parent = dirname(existing);
        if (parent === existing) return absolute;
        existing = parent;
      }
    }
    links += 1;
    absolute = resolve(dirname(existing), readlinkSync(existing), relative(existing, absolute));
  }
}

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

/** Tool kinds that change files or run commands: refused in `read-only` runs. */
const CHANGING_KINDS: readonly ToolKind[] = ['edit', 'delete', 'move', 'execute'];

/** Harness's answer to one permission request, and why (said in the run's events when it refuses). */
export interface PermissionDecision {
  readonly allow: boolean;
  readonly why: string;
}

/**
 * How Harness answers an ACP agent's permission requests: never for a path outside the worktree
 * (whatever the mode), never for a change in a `read-only` run (or a tool whose kind is unknown
 * there), otherwise yes: the OS sandbox around the agent is what confines it.
 */
export function decidePermission(
  request: RequestPermissionRequest,
  known: KnownToolCall | undefined,
  context: { readonly cwd: string; readonly mode: SandboxMode },
): PermissionDecision {
  const paths = [
    ...new Set([
      ...(known?.paths ?? []),
      ...pathsOf(request.toolCall.locations, request.toolCall.rawInput, request.toolCall.content),
    ]),
  ];
  const outside = paths.find((path) => !isInside(context.cwd, path));
  if (outside !== undefined) return { allow: false, why: `${outside} is outside the worktree` };
  const kind = request.toolCall.kind ?? known?.kind;
  if (context.mode === 'read-only' && (kind === undefined || CHANGING_KINDS.includes(kind)))
    return { allow: false, why: `the run is read-only (tool kind: ${kind ?? 'unknown'})` };
  return { allow: true, why: 'inside the worktree' };
}

/**
 * The answer the agent understands: one of its own options, `allow_once` rather than
 * `allow_always` (each later call is asked again), `reject_once` rather than `reject_always`;
 * `cancelled` when it offered none of the kind.
 */
export function permissionAnswer(
  options: readonly PermissionOption[],
  decision: PermissionDecision,
): RequestPermissionResponse {
  const order = decision.allow ? ['allow_once', 'allow_always'] : ['reject_once', 'reject_always'];
  for (const kind of order) {
    const option = options.find((o) => o.kind === kind);
    if (option !== undefined) return { outcome: { outcome: 'selected', optionId: option.optionId } };
  }
  return { outcome: { outcome: 'cancelled' } };
}

/** Whether `path` (relative paths are taken from `root`) is `root` or inside it, links resolved. */
export function isInside(root: string, path: string): boolean {
  const realRoot = realOrSelf(root);
  const target = realOrSelf(isAbsolute(path) ? path : resolve(root, path));
  const rel = relative(realRoot, target);
  return rel === '' || (!rel.startsWith(`..${sep}`) && rel !== '..' && !isAbsolute(rel));
}

/**
 * The path with its links resolved, as far as it exists (a file about to be written does not). A
 * dangling link is followed too: writing through it would create its target.
 */
function realOrSelf(path: string, depth = 0): string {
  const absolute = resolve(path);
  try {
    return realpathSync(absolute);
  } catch {
    if (depth < 40 && lstatSync(absolute, { throwIfNoEntry: false })?.isSymbolicLink() === true)
      return realOrSelf(resolve(dirname(absolute), readlinkSync(absolute)), depth + 1);
    const parent = dirname(absolute);
    return parent === absolute ? absolute : resolve(realOrSelf(parent, depth), relative(parent, absolute));
  }
}

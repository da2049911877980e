import { Buffer } from 'node:buffer';
import { existsSync, readdirSync, readFileSync, readlinkSync } from 'node:fs';
import { AppError } from '@agent-harness/core';
import { pollPauseMs } from './process-group.js';

/**
 * The environment variable that marks every process of a task: Harness puts `HARNESS_TASK_ID=<id>`
 * in the environment of the task's agent runs and validation commands, and every process they start
 * inherits it, also one that left the agent's process group with `setsid`.
 * @public
 */
export const TASK_MARKER_ENV = 'HARNESS_TASK_ID';

/** An environment variable (name and value) that marks a task's processes. @public */
export interface ProcessMarker {
  readonly name: string;
  readonly value: string;
}

/** The marker a request's environment carries (`HARNESS_TASK_ID`), if any. @public */
export function taskMarkerOf(env: Readonly<Record<string, string>> | undefined): ProcessMarker | undefined {
  const value = env?.[TASK_MARKER_ENV];
  return value === undefined || value === '' ? undefined : { name: TASK_MARKER_ENV, value };
}

/** @public */
export interface KillTaskProcessesOptions {
  /** Processes whose environment holds `name=value` (read from /proc/<pid>/environ). */
  readonly marker?: ProcessMarker | undefined;
  /** Processes working in this directory or below it, also after it was removed ("… (deleted)"). */
  readonly dir?: string | undefined;
  /** Between SIGTERM and SIGKILL. Default 2 s. */
  readonly graceMs?: number | undefined;
}

const DELETED_SUFFIX = ' (deleted)';
const POLL_MS = 25;
/** Rounds of find-and-end: a process may start another while it is being ended. */
const MAX_ROUNDS = 5;

interface Found {
  readonly pid: number;
  readonly pgid: number;
}

/** Field 4 (parent) and 5 (process group) of /proc/<pid>/stat, and its state; the name (field 2) may hold spaces. */
function statOf(pid: number | 'self'): { state: string; ppid: number; pgid: number } | undefined {
  try {
    const stat = readFileSync(`/proc/${String(pid)}/stat`, 'utf8');
    const [state = '', ppid = '0', pgid = '0'] = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return { state, ppid: Number(ppid), pgid: Number(pgid) };
  } catch {
    return undefined;
  }
}

/** Running: it exists and is not a zombie waiting for its parent. */
function isRunning(pid: number): boolean {
  const stat = statOf(pid);
  return stat !== undefined && stat.state !== 'Z';
}

/** This process, its ancestors and their groups: never ended, whatever they carry or wherever they work. */
function protectedProcesses(): { pids: Set<number>; groups: Set<number> } {
  const pids = new Set([0, 1, process.pid]);
  const groups = new Set([0, 1]);
  let stat = statOf('self');
  for (let depth = 0; stat !== undefined && depth < 64; depth++) {
    groups.add(stat.pgid);
    if (pids.has(stat.ppid)) break;
    pids.add(stat.ppid);
    stat = statOf(stat.ppid);
  }
  return { pids, groups };
}

function worksIn(pid: string, dir: string): boolean {
  let cwd = readlinkSync(`/proc/${pid}/cwd`);
  // A process whose directory was removed (a worktree after cleanup) reads "<dir> (deleted)".
  if (cwd.endsWith(DELETED_SUFFIX)) cwd = cwd.slice(0, -DELETED_SUFFIX.length);
  return cwd === dir || cwd.startsWith(dir.endsWith('/') ? dir : `${dir}/`);
}

/**
 * Whether the environment holds `name=value` exactly: searched as bytes (every process is read at
 * each scan). `undefined` when it cannot tell yet: a process in the middle of `exec` reads as an
 * empty environment for a moment (kernel threads, which have no program, always do).
 */
function carries(pid: string, entry: Buffer): boolean | undefined {
  const environ = readFileSync(`/proc/${pid}/environ`);
  if (environ.length === 0) return isUserProcess(pid) ? undefined : false;
  for (let at = environ.indexOf(entry); at !== -1; at = environ.indexOf(entry, at + 1)) {
    // A whole entry: at the start, or right after the NUL that ends the one before.
    if (at === 0 || environ[at - 1] === 0) return true;
  }
  return false;
}

function isUserProcess(pid: string): boolean {
  try {
    readlinkSync(`/proc/${pid}/exe`);
    return true;
  } catch {
    return false;
  }
}

/** The task's processes, and how many others could not be told apart yet (caught mid-`exec`?). */
function findTaskProcesses(
  options: KillTaskProcessesOptions,
  spared: { pids: Set<number>; groups: Set<number> },
): { found: Found[]; unsure: number } {
  const found: Found[] = [];
  let unsure = 0;
  // Each entry of /proc/<pid>/environ ends with a NUL, the last one too.
  const marker =
    options.marker === undefined ? undefined : Buffer.from(`${options.marker.name}=${options.marker.value}\0`);
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry) || spared.pids.has(Number(entry))) continue;
    try {
      const marked = marker === undefined ? false : carries(entry, marker);
      const matches = marked === true || (options.dir !== undefined && worksIn(entry, options.dir));
      if (!matches && marked !== undefined) continue;
      const stat = statOf(Number(entry));
      if (stat === undefined || stat.state === 'Z') continue;
      if (matches) found.push({ pid: Number(entry), pgid: stat.pgid });
      else if (marked === undefined) unsure++;
    } catch {
      // Gone meanwhile, or not ours to inspect.
    }
  }
  return { found, unsure };
}

function signal(found: readonly Found[], spared: { groups: Set<number> }, sig: NodeJS.Signals): void {
  // The group too, so what a process started a moment ago goes with it; and the process itself,
  // because `setsid` gave it a group (and session) of its own.
  for (const group of new Set(found.map((f) => f.pgid))) {
    if (spared.groups.has(group)) continue;
    try {
      process.kill(-group, sig);
    } catch {
      // Already gone.
    }
  }
  for (const { pid } of found) {
    try {
      process.kill(pid, sig);
    } catch {
      // Already gone.
    }
  }
}

async function waitUntilGone(pids: readonly number[], ms: number): Promise<boolean> {
  const deadline = Date.now() + ms;
  for (let attempt = 0; ; attempt++) {
    if (!pids.some(isRunning)) return true;
    if (Date.now() >= deadline) return false;
    await new Promise((resolve) => setTimeout(resolve, pollPauseMs(attempt)));
  }
}

/**
 * Ends every process of a task: those whose environment carries the task's marker and those working
 * in its directory (also after the directory was removed), each with its process group: SIGTERM,
 * then SIGKILL after `graceMs`. A crashed server's agents and what they left running with `setsid`
 * are found this way, not by remembered PIDs that may have been reused. Never ends the calling
 * process, its ancestors or their process groups. Returns the PIDs it ended.
 * @public
 */
export async function killTaskProcesses(options: KillTaskProcessesOptions): Promise<number[]> {
  if (options.marker === undefined && options.dir === undefined) {
    throw new AppError('INVALID_ARGUMENT', 'killTaskProcesses needs a marker or a directory to find the processes by');
  }
  if (options.marker !== undefined && (options.marker.name === '' || options.marker.value === '')) {
    throw new AppError(
      'INVALID_ARGUMENT',
      `killTaskProcesses: the marker needs a name and a value (got "${options.marker.name}=${options.marker.value}")`,
    );
  }
  // Without /proc (not Linux) processes cannot be found this way; the process groups are still ended.
  if (!existsSync('/proc/self')) return [];
  const graceMs = options.graceMs ?? 2000;
  const spared = protectedProcesses();
  const ended = new Set<number>();
  for (let round = 0; round < MAX_ROUNDS; round++) {
    const scan = findTaskProcesses(options, spared);
    let found = scan.found;
    if (found.length === 0 && scan.unsure > 0) {
      // A process caught mid-`exec` reads an empty environment for a moment: one more look, a
      // moment later, tells it from one that runs with none (`env -i`), which costs this pause only.
      await new Promise((resolve) => setTimeout(resolve, POLL_MS));
      found = findTaskProcesses(options, spared).found;
    }
    if (found.length === 0) break;
    signal(found, spared, 'SIGTERM');
    const pids = found.map((f) => f.pid);
    if (!(await waitUntilGone(pids, graceMs))) {
      signal(
        found.filter((f) => isRunning(f.pid)),
        spared,
        'SIGKILL',
      );
      await waitUntilGone(pids, Math.max(graceMs, 1000));
    }
    for (const pid of pids) ended.add(pid);
  }
  return [...ended];
}

/**
 * `killTaskProcesses({ dir, graceMs })`: ends every process working in `dir` (also after it was
 * removed) with its process group. Returns the PIDs it ended. Pass the task's marker to
 * `killTaskProcesses` as well to find what left the directory.
 * @public
 */
export function killProcessesInDirectory(dir: string, graceMs = 2000): Promise<number[]> {
  return killTaskProcesses({ dir, graceMs });
}

import { readdirSync, readFileSync, readlinkSync } from 'node:fs';

/**
 * PIDs of the processes whose working directory is `dir` or below it (Linux, from /proc). A test
 * uses it to prove that an agent run left nothing behind in its worktree.
 * @public
 */
export function processesInDirectory(dir: string): number[] {
  const pids: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const cwd = readlinkSync(`/proc/${entry}/cwd`);
      if (cwd === dir || cwd.startsWith(`${dir}/`)) pids.push(Number(entry));
    } catch {
      // Gone meanwhile, or not ours to inspect.
    }
  }
  return pids;
}

/**
 * Whether a process is running: it exists and is not a zombie waiting to be reaped (Linux, from
 * /proc). A test uses it to prove that a process a task started was ended.
 * @public
 */
export function isProcessRunning(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${String(pid)}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[0] !== 'Z';
  } catch {
    return false;
  }
}

/**
 * The host PID of a process that wrote its own PID (`$$`, `process.pid`) from inside a sandbox's
 * PID namespace, where it is a small number of that namespace: the process whose `NSpid` ends with
 * `innerPid` and whose environment holds `marker` (`NAME=value`, such as the task's
 * `HARNESS_TASK_ID`). A PID written outside any namespace is returned as it is.
 * @public
 */
export function hostPid(innerPid: number, marker: string): number {
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const nsPids = /^NSpid:\s+(.+)$/m.exec(readFileSync(`/proc/${entry}/status`, 'utf8'))?.[1]?.split(/\s+/) ?? [];
      if (nsPids.length < 2 || Number(nsPids[nsPids.length - 1]) !== innerPid) continue;
      if (readFileSync(`/proc/${entry}/environ`, 'utf8').split('\0').includes(marker)) return Number(entry);
    } catch {
      // Gone meanwhile, or not ours to inspect.
    }
  }
  return innerPid;
}

/**
 * PIDs of the running processes whose environment holds `marker` (`NAME=value`): what a task
 * started, wherever it went (`setsid`, a sandbox's PID namespace).
 * @public
 */
export function processesWithMarker(marker: string): number[] {
  const pids: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry) || Number(entry) === process.pid) continue;
    try {
      if (
        readFileSync(`/proc/${entry}/environ`, 'utf8').split('\0').includes(marker) &&
        isProcessRunning(Number(entry))
      )
        pids.push(Number(entry));
    } catch {
      // Gone meanwhile, or not ours to inspect.
    }
  }
  return pids;
}

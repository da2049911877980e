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

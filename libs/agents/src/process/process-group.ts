import { readdirSync, readFileSync } from 'node:fs';

/**
 * True while any process of the group led by `pid` is alive. A zombie is not: the sandbox's
 * launcher (bubblewrap) leaves one in the group for the system's init to reap, and waiting for
 * that would add seconds to every run's end.
 */
export function isProcessGroupAlive(pid: number): boolean {
  try {
    process.kill(-pid, 0);
  } catch (error) {
    // EPERM: it exists but belongs to someone else; it is alive all the same.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
  return process.platform !== 'linux' || hasLiveMember(pid);
}

/** Whether a process of group `pgid` runs that is not a zombie (Linux, from /proc). */
function hasLiveMember(pgid: number): boolean {
  let entries: string[];
  try {
    entries = readdirSync('/proc');
  } catch {
    return true;
  }
  for (const entry of entries) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const [state, , group] = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      if (Number(group) === pgid && state !== 'Z' && state !== 'X') return true;
    } catch {
      // Gone meanwhile.
    }
  }
  return false;
}

function signalGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal);
  } catch {
    // The group is already gone.
  }
}

/**
 * The pause before the `attempt`-th look (from 0) while waiting for ended processes to go: 1 ms,
 * doubling up to 25 ms. A signalled process is usually gone within a millisecond or two (an agent's
 * sandbox as it closes), so a first look at 25 ms would add that much to most runs' ends.
 */
export function pollPauseMs(attempt: number): number {
  return Math.min(25, 2 ** attempt);
}

/**
 * Ends every process of the group led by `pid`: SIGTERM, then SIGKILL for whatever is still alive
 * after `graceMs`. Resolves once the group is gone (or after one more grace period past SIGKILL,
 * so the wait is always bounded).
 */
export async function killProcessGroup(pid: number, graceMs: number): Promise<void> {
  if (!isProcessGroupAlive(pid)) return;
  signalGroup(pid, 'SIGTERM');
  if (await waitForGroupExit(pid, graceMs)) return;
  signalGroup(pid, 'SIGKILL');
  await waitForGroupExit(pid, Math.max(graceMs, 1000));
}

async function waitForGroupExit(pid: number, ms: number): Promise<boolean> {
  const deadline = Date.now() + ms;
  for (let attempt = 0; Date.now() < deadline; attempt++) {
    if (!isProcessGroupAlive(pid)) return true;
    await new Promise((resolve) => setTimeout(resolve, pollPauseMs(attempt)));
  }
  return !isProcessGroupAlive(pid);
}

/** True while any process of the group led by `pid` is alive. */
export function isProcessGroupAlive(pid: number): boolean {
  try {
    process.kill(-pid, 0);
    return true;
  } catch (error) {
    // EPERM: it exists but belongs to someone else; it is alive all the same.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function signalGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal);
  } catch {
    // The group is already gone.
  }
}

const POLL_MS = 25;

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
  while (Date.now() < deadline) {
    if (!isProcessGroupAlive(pid)) return true;
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
  }
  return !isProcessGroupAlive(pid);
}

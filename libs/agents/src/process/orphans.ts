import { readdirSync, readFileSync, readlinkSync } from 'node:fs';
import { killProcessGroup } from './process-group.js';

function processGroupOf(pid: string): number {
  // Field 5 of /proc/<pid>/stat is the process group; the command name (field 2) may hold spaces.
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[2]);
}

/** Process groups with a process whose working directory is `dir` or below it (Linux /proc). */
function processGroupsIn(dir: string): number[] {
  const own = processGroupOf('self');
  const groups = new Set<number>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const cwd = readlinkSync(`/proc/${entry}/cwd`);
      if (cwd !== dir && !cwd.startsWith(`${dir}/`)) continue;
      const pgid = processGroupOf(entry);
      // Never our own group (or init's): only what a previous server left behind.
      if (pgid > 1 && pgid !== own) groups.add(pgid);
    } catch {
      // Gone meanwhile, or not ours to inspect.
    }
  }
  return [...groups];
}

/**
 * Ends every process working in `dir` (a task's worktree) with its whole process group: after a
 * crash, the agents a dead server started are found by where they work, not by remembered PIDs that
 * may have been reused. Returns the groups it ended.
 * @public
 */
export async function killProcessesInDirectory(dir: string, graceMs = 2000): Promise<number[]> {
  const groups = processGroupsIn(dir);
  await Promise.all(groups.map((pgid) => killProcessGroup(pgid, graceMs)));
  return groups;
}

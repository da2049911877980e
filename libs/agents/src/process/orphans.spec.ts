import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { createTempDir, type TempDir } from '@agent-harness/testing';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { escapedSleep, isRunning } from '../../test/helpers.js';
import { killProcessesInDirectory, killTaskProcesses } from './orphans.js';

describe('killTaskProcesses', () => {
  // Unique per run: other test runs on this machine use markers too.
  const id = (name: string): string => `${name}-${String(process.pid)}-${String(Date.now())}`;
  let dir: TempDir;
  const started: number[] = [];
  const children: ChildProcess[] = [];
  beforeEach(async () => {
    dir = await createTempDir('task-procs-');
  });
  afterEach(async () => {
    for (const pid of started.splice(0)) if (isRunning(pid)) process.kill(pid, 'SIGKILL');
    for (const child of children.splice(0)) child.kill('SIGKILL');
    await dir.cleanup();
  });

  /** A `sleep` that left its parent's group and session with `setsid`, as an agent's `setsid cmd &` does. */
  const escaped = (cwd: string, env: Record<string, string> = {}): number => {
    const pid = escapedSleep(cwd, env);
    started.push(pid);
    return pid;
  };

  it('finds processes by the marker in their environment, wherever they work, and leaves other tasks alone', async () => {
    const [a, b] = [id('task-a'), id('task-b')];
    const mine = escaped('/', { HARNESS_TASK_ID: a });
    const other = escaped('/', { HARNESS_TASK_ID: b });
    const ended = await killTaskProcesses({ marker: { name: 'HARNESS_TASK_ID', value: a }, graceMs: 500 });
    expect(ended).toEqual([mine]);
    expect(isRunning(mine)).toBe(false);
    expect(isRunning(other)).toBe(true);
  });

  it('finds processes by working directory, also after the directory was removed', async () => {
    const sub = join(dir.path, 'worktree', 'src');
    mkdirSync(sub, { recursive: true });
    const inside = escaped(sub);
    rmSync(join(dir.path, 'worktree'), { recursive: true, force: true });
    // The kernel now reports its directory as "<path> (deleted)".
    expect(execFileSync('readlink', [`/proc/${String(inside)}/cwd`], { encoding: 'utf8' }).trim()).toBe(
      `${sub} (deleted)`,
    );
    const outside = escaped(dir.path);
    expect(await killTaskProcesses({ dir: join(dir.path, 'worktree'), graceMs: 500 })).toEqual([inside]);
    expect(isRunning(inside)).toBe(false);
    expect(isRunning(outside)).toBe(true);
    // The old name still works.
    expect(await killProcessesInDirectory(dir.path, 500)).toEqual([outside]);
  });

  it('leaves alone a process with an empty environment (read as "mid-exec, look again", never as a match)', async () => {
    const bare = spawn('env', ['-i', '/bin/sleep', '300'], { cwd: '/', stdio: 'ignore', detached: true });
    children.push(bare);
    const pid = bare.pid ?? 0;
    const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
    for (
      let i = 0;
      i < 200 && execFileSync('cat', [`/proc/${String(pid)}/comm`], { encoding: 'utf8' }).trim() !== 'sleep';
      i++
    )
      await pause(10);
    const task = id('task-none');
    const mine = escaped('/', { HARNESS_TASK_ID: task });
    expect(await killTaskProcesses({ marker: { name: 'HARNESS_TASK_ID', value: task }, graceMs: 300 })).toEqual([mine]);
    expect(isRunning(pid)).toBe(true);
  });

  it('ends a process that ignores SIGTERM with SIGKILL after the grace period', async () => {
    const task = id('task-stubborn');
    const stubborn = escapedSleep('/', { HARNESS_TASK_ID: task }, "trap '' TERM;");
    started.push(stubborn);
    expect(await killTaskProcesses({ marker: { name: 'HARNESS_TASK_ID', value: task }, graceMs: 300 })).toContain(
      stubborn,
    );
    expect(isRunning(stubborn)).toBe(false);
  });

  it('never ends the calling process or its process group', async () => {
    // Children in our own process group: one works in the task directory, one elsewhere.
    const inDir = spawn('sleep', ['300'], { cwd: dir.path, stdio: 'ignore' });
    const elsewhere = spawn('sleep', ['300'], { cwd: '/', stdio: 'ignore' });
    children.push(inDir, elsewhere);
    const ownGroup = Number(
      execFileSync('ps', ['-o', 'pgid=', '-p', String(process.pid)], { encoding: 'utf8' }).trim(),
    );
    expect(Number(execFileSync('ps', ['-o', 'pgid=', '-p', String(inDir.pid)], { encoding: 'utf8' }).trim())).toBe(
      ownGroup,
    );
    const exited = new Promise((resolve) => inDir.once('exit', resolve));
    expect(await killTaskProcesses({ dir: dir.path, graceMs: 500 })).toEqual([inDir.pid]);
    await exited;
    // Ended by its PID alone: the rest of our group (and we) live on.
    expect(elsewhere.exitCode).toBeNull();
    expect(isRunning(elsewhere.pid ?? 0)).toBe(true);
  });

  it('refuses to run without a marker or a directory', async () => {
    await expect(killTaskProcesses({})).rejects.toThrow('killTaskProcesses needs a marker or a directory');
    await expect(killTaskProcesses({ marker: { name: 'HARNESS_TASK_ID', value: '' } })).rejects.toThrow(
      'the marker needs a name and a value',
    );
  });
});

import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createTempDir, isProcessRunning, type TempDir } from '@agent-harness/testing';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ShellCommandRunner } from './shell-command-runner.js';

describe('ShellCommandRunner', () => {
  let dir: TempDir;
  const started: number[] = [];
  beforeEach(async () => {
    dir = await createTempDir('harness-shell-');
  });
  afterEach(async () => {
    for (const pid of started.splice(0)) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // Already gone.
      }
    }
    await dir.cleanup();
  });

  const runner = new ShellCommandRunner({ PATH: process.env['PATH'] });

  async function pidWritten(file: string): Promise<number> {
    for (let i = 0; i < 400 && !(existsSync(file) && readFileSync(file, 'utf8').trim() !== ''); i++)
      await new Promise((r) => setTimeout(r, 25));
    const pid = Number(readFileSync(file, 'utf8').trim());
    started.push(pid);
    return pid;
  }

  it('ends the whole process group at once on abort and says the command was cancelled', async () => {
    const pidFile = join(dir.path, 'sleep.pid');
    const controller = new AbortController();
    const running = runner.run(`echo started; sleep 600 & echo $! > ${pidFile}; wait`, {
      cwd: dir.path,
      timeoutMs: 600_000,
      signal: controller.signal,
    });
    const pid = await pidWritten(pidFile);
    expect(isProcessRunning(pid)).toBe(true);
    controller.abort();
    const outcome = await running;
    expect(outcome).toMatchObject({ cancelled: true, timedOut: false });
    expect(outcome.output).toContain('started');
    expect(isProcessRunning(pid)).toBe(false);
    // A signal aborted before the start runs nothing.
    const marker = join(dir.path, 'ran');
    expect(
      await runner.run(`touch ${marker}`, { cwd: dir.path, timeoutMs: 10_000, signal: controller.signal }),
    ).toMatchObject({ cancelled: true, exitCode: null });
    expect(existsSync(marker)).toBe(false);
  });

  it('answers even when a process that left its group holds the output pipes', async () => {
    const pidFile = join(dir.path, 'holder.pid');
    const outcome = await runner.run(`setsid sleep 600 & echo $! > ${pidFile}; echo done`, {
      cwd: dir.path,
      timeoutMs: 600_000,
    });
    await pidWritten(pidFile);
    expect(outcome).toMatchObject({ exitCode: 0, timedOut: false, output: 'done\n' });
    expect(outcome.cancelled).toBeUndefined();
  });
});

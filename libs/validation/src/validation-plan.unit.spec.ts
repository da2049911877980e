import { describe, expect, it } from 'vitest';
import {
  CommandRunner,
  detectLanguages,
  fixPrompt,
  runChecks,
  validationCommands,
  type CommandOutcome,
} from './validation-plan.js';

class ScriptedRunner extends CommandRunner {
  readonly ran: string[] = [];
  constructor(private readonly exitCodes: Record<string, number>) {
    super();
  }
  run(command: string): Promise<CommandOutcome> {
    this.ran.push(command);
    return Promise.resolve({
      command,
      exitCode: this.exitCodes[command] ?? 0,
      timedOut: false,
      output: `ran ${command}`,
      durationMs: 1,
    });
  }
}

describe('validation plan', () => {
  it('detects languages from top-level files', () => {
    expect(detectLanguages(['Cargo.toml', 'README.md'])).toEqual(['rust']);
    expect(detectLanguages(['package.json', 'pyproject.toml', 'go.mod'])).toEqual(['node', 'python', 'go']);
    expect(detectLanguages(['README.md'])).toEqual([]);
  });

  it('prefers configured commands, else language defaults, else nothing', () => {
    expect(validationCommands(['make check'], ['Cargo.toml'])).toEqual({ commands: ['make check'], source: 'config' });
    expect(validationCommands([], ['Cargo.toml'])).toEqual({
      commands: ['cargo fmt --all -- --check', 'cargo check --all-targets --quiet'],
      source: 'detected',
    });
    expect(validationCommands([], ['package.json', 'package-lock.json']).commands).toEqual([
      'npm ci --ignore-scripts --no-audit --no-fund --loglevel=error',
      'npm test --if-present',
    ]);
    expect(validationCommands([], ['package.json']).commands).toEqual(['npm test --if-present']);
    expect(validationCommands([], ['notes.txt'])).toEqual({ commands: [], source: 'none' });
  });

  it('stops at the first failing command', async () => {
    const runner = new ScriptedRunner({ b: 2 });
    const result = await runChecks(runner, ['a', 'b', 'c'], '/w', 1000);
    expect(result.ok).toBe(false);
    expect(result.cancelled).toBe(false);
    expect(runner.ran).toEqual(['a', 'b']);
    expect(result.outcomes.at(-1)).toMatchObject({ command: 'b', exitCode: 2 });
  });

  it('stops at a cancelled command, and runs nothing once the signal has aborted', async () => {
    const controller = new AbortController();
    class CancellingRunner extends CommandRunner {
      readonly ran: string[] = [];
      run(command: string, options: { signal?: AbortSignal | undefined }): Promise<CommandOutcome> {
        this.ran.push(command);
        expect(options.signal).toBe(controller.signal);
        controller.abort();
        return Promise.resolve({
          command,
          exitCode: null,
          timedOut: false,
          cancelled: true,
          output: '',
          durationMs: 1,
        });
      }
    }
    const runner = new CancellingRunner();
    const result = await runChecks(runner, ['a', 'b'], '/w', 1000, undefined, controller.signal);
    expect(result).toMatchObject({ ok: false, cancelled: true, outcomes: [{ command: 'a', cancelled: true }] });
    expect(runner.ran).toEqual(['a']);
    expect(await runChecks(new ScriptedRunner({}), ['a'], '/w', 1000, undefined, controller.signal)).toEqual({
      ok: false,
      cancelled: true,
      outcomes: [],
    });
  });

  it('tells the agent which command failed and how', () => {
    const prompt = fixPrompt(
      {
        command: 'cargo check',
        exitCode: 101,
        timedOut: false,
        output: 'error[E0308]: mismatched types\n',
        durationMs: 5,
      },
      1,
      2,
    );
    expect(prompt).toBe(
      'Validation failed (fix attempt 1 of 2): `cargo check` exited with code 101.\nIts output (the end of it) follows. Fix the cause in the code, not the check, then stop.\n```\nerror[E0308]: mismatched types\n```',
    );
    expect(
      fixPrompt({ command: 'npm test', exitCode: null, timedOut: true, output: '', durationMs: 5 }, 2, 2),
    ).toContain('`npm test` did not finish in time');
  });
});

import { join } from 'node:path';
import { createTempDir, runHarness, type TempDir } from '@agent-harness/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

// Every command's --help, reached by walking the "Commands:" sections from the top: each option and
// positional says what it is for. About 40 runs of the built CLI, one after another: each loads only
// yargs and the module of the command it shows (see cli-start.e2e.spec.ts), and the caps below are for a
// process that hangs, not a speed check, so a loaded machine makes this slower but not red.
const cliPath = join(import.meta.dirname, '..', 'dist', 'main.js');

/** Sections of a yargs help page: heading → its entry lines. */
function sections(help: string): Map<string, string[]> {
  const found = new Map<string, string[]>();
  let current: string[] | undefined;
  for (const line of help.split('\n')) {
    if (/^[A-Z][a-z]+:$/.test(line)) found.set(line.slice(0, -1), (current = []));
    else if (line.startsWith('  ') && current !== undefined) current.push(line);
    else current = undefined;
  }
  return found;
}

/** "  harness tasks show <id>    Show one task" → "tasks show". */
function subcommand(line: string): string {
  const words =
    line
      .trim()
      .split(/\s{2,}/)[0]
      ?.split(' ') ?? [];
  return words
    .slice(1)
    .filter((w) => !/^[<[]/.test(w))
    .join(' ');
}

/** "  --limit  At most this many  [number] [default: 20]" → "At most this many". */
function description(line: string): string {
  const [, ...rest] = line.trim().split(/\s{2,}/);
  return rest
    .join('  ')
    .replace(/(\s*\[[^\]]*\])+$/, '')
    .trim();
}

describe('harness --help (built CLI)', () => {
  let home: TempDir;
  beforeAll(async () => {
    home = await createTempDir('harness-home-');
  });
  afterAll(async () => {
    await home.cleanup();
  });

  it('describes every option and positional of every command', async () => {
    const pending = [''];
    const visited: string[] = [];
    const undescribed: string[] = [];
    while (pending.length > 0 && visited.length < 50) {
      const command = pending.shift() ?? '';
      visited.push(command);
      const result = await runHarness({
        cliPath,
        args: [...(command === '' ? [] : command.split(' ')), '--help'],
        home: home.path,
        cwd: home.path,
        timeoutMs: 120_000,
      });
      expect(result.code, `harness ${command} --help`).toBe(0);
      const page = sections(result.stdout);
      for (const line of page.get('Commands') ?? []) pending.push(subcommand(line));
      for (const line of [...(page.get('Options') ?? []), ...(page.get('Positionals') ?? [])]) {
        if (description(line) === '') undescribed.push(`harness ${command}: ${line.trim()}`);
      }
    }
    expect(visited).toEqual(
      expect.arrayContaining([
        'serve',
        'exec',
        'config show',
        'config check',
        'tasks submit',
        'tasks list',
        'tasks show',
        'tasks watch',
        'tasks cancel',
      ]),
    );
    expect(undescribed).toEqual([]);
  }, 600_000);
});

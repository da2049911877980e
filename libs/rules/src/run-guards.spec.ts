import { chmod, mkdir, mkdtemp, readFile, realpath, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AppError } from '@agent-harness/core';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { parseRuleFile } from './parse-rule-file.js';
import { createRuleCatalogue, type RuleCatalogue } from './rule-catalogue.js';
import { runGuards } from './run-guards.js';

// Real guard scripts in real temp directories, run as real processes.

let root: string;
let project: string;
let guards: string;

beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), 'harness-guards-'));
  project = join(root, 'project');
  guards = join(project, '.harness', 'guards');
  await mkdir(guards, { recursive: true });
  await mkdir(join(project, 'src'));
});

afterEach(async () => {
  await rm(root, { recursive: true, force: true });
});

async function guard(name: string, script: string, mode = 0o755, dir = guards): Promise<string> {
  const path = join(dir, name);
  await writeFile(path, `#!/bin/sh\n${script}\n`);
  await chmod(path, mode);
  return path;
}

/** A zombie (ended, not yet reaped by a container's init) counts as not running. */
async function isRunning(pid: number): Promise<boolean> {
  const stat = await readFile(`/proc/${String(pid)}/stat`, 'utf8').catch(() => undefined);
  if (stat === undefined) return false;
  return !/^\S+ \(.*\) Z/.test(stat);
}

function catalogue(markdown: string): RuleCatalogue {
  const source = { kind: 'project' as const, path: 'rules.md' };
  return createRuleCatalogue([{ source, ...parseRuleFile(markdown, source) }]);
}

const rules = catalogue(
  '---\npaths: ["**/*.ts"]\n---\n## TS-01: No any\nseverity: high\n\n## SEC-02: No secrets\nseverity: critical\n',
);
const parentEnv = { ...process.env, GITHUB_TOKEN: 'ghp_canary_token', ANTHROPIC_API_KEY: 'sk-ant-canary' };

describe('runGuards', () => {
  it('runs every guard, keeps going past failures, and reports each failure', async () => {
    await guard(
      'a-find.sh',
      [
        'echo "src/a.ts:3:TS-01:Unexpected any: use unknown"',
        'echo "$1/src/b.ts:7:ts-01:absolute path inside the project"',
        'echo "src/a.py:1:TS-01:a .py file is outside the rule\'s paths"',
        'echo "src/c.py:9:CUSTOM-1:a rule the catalogue does not know"',
        'echo "../outside.ts:1:SEC-02:escapes the project"',
        'echo "this line is not a finding"',
        'exit 1',
      ].join('\n'),
    );
    await guard('b-crash.sh', 'echo "guard blew up" >&2\nexit 3');
    await guard('c-not-executable.sh', 'echo "src/a.ts:1:SEC-02:never runs"', 0o644);
    await guard('d-segfault.sh', 'kill -SEGV $$');
    await writeFile(join(guards, 'README.md'), 'notes, not a guard');
    await writeFile(join(guards, '.gitkeep'), '');

    const result = await runGuards({ projectRoot: project, catalogue: rules, env: parentEnv, timeoutMs: 10_000 });

    expect(result.violations).toEqual([
      {
        file: 'src/a.ts',
        line: 3,
        ruleId: 'TS-01',
        message: 'Unexpected any: use unknown',
        severity: 'high',
        unknownRule: false,
        guard: 'a-find.sh',
      },
      {
        file: 'src/b.ts',
        line: 7,
        ruleId: 'TS-01',
        message: 'absolute path inside the project',
        severity: 'high',
        unknownRule: false,
        guard: 'a-find.sh',
      },
      {
        file: 'src/c.py',
        line: 9,
        ruleId: 'CUSTOM-1',
        message: 'a rule the catalogue does not know',
        severity: 'medium',
        unknownRule: true,
        guard: 'a-find.sh',
      },
    ]);
    expect(result.guards.map((g) => g.guard)).toEqual(['a-find.sh', 'b-crash.sh', 'd-segfault.sh']);
    expect(result.guards[0]).toMatchObject({
      exitCode: 1,
      violations: 3,
      malformedLines: 2,
      outOfScope: 1,
      malformedSamples: ['../outside.ts:1:SEC-02:escapes the project', 'this line is not a finding'],
    });
    expect(result.problems.map((p) => [p.guard, p.kind])).toEqual([
      ['c-not-executable.sh', 'not_executable'],
      ['b-crash.sh', 'failed'],
      ['d-segfault.sh', 'crashed'],
    ]);
    const failed = result.problems.find((p) => p.kind === 'failed');
    expect(failed).toMatchObject({ exitCode: 3, stderr: 'guard blew up\n' });
    expect(failed?.message).toContain('exited with 3');
    expect(failed?.message).toContain('guard blew up');
    expect(result.problems.find((p) => p.kind === 'crashed')?.signal).toBe('SIGSEGV');
  });

  it('gives guards the project root, the files, the project as cwd, and no secret from the environment', async () => {
    await guard(
      'probe.sh',
      [
        'echo "args.txt:1:ARGS:$#|$1|$2|$3"',
        'echo "cwd.txt:1:CWD:$(pwd -P)"',
        'echo "env.txt:1:ENV:${GITHUB_TOKEN:-no-token}|${ANTHROPIC_API_KEY:-no-key}|${PATH:+has-path}|${EXTRA:-}"',
      ].join('\n'),
    );
    const result = await runGuards({
      projectRoot: project,
      files: ['src/a.ts', '-rf.ts'],
      catalogue: rules,
      env: parentEnv,
      extraEnv: { EXTRA: 'configured' },
    });
    const message = (ruleId: string): string | undefined => result.violations.find((v) => v.ruleId === ruleId)?.message;
    expect(message('ARGS')).toBe(`3|${project}|src/a.ts|./-rf.ts`);
    expect(message('CWD')).toBe(await realpath(project));
    expect(message('ENV')).toBe('no-token|no-key|has-path|configured');
    expect(result.problems).toEqual([]);
  });

  it('kills a guard that runs past the timeout, with the processes it started, and keeps what it printed', async () => {
    const pidFile = join(root, 'sleeper.pid');
    await guard('slow.sh', `echo "src/a.ts:1:TS-01:printed before the hang"\nsleep 30 &\necho $! > "${pidFile}"\nwait`);
    await guard('z-after.sh', 'echo "src/z.ts:2:TS-01:the next guard still runs"');

    const started = Date.now();
    const result = await runGuards({ projectRoot: project, catalogue: rules, env: parentEnv, timeoutMs: 1500 });

    expect(Date.now() - started).toBeLessThan(15_000);
    expect(result.problems).toEqual([expect.objectContaining({ guard: 'slow.sh', kind: 'timeout' })]);
    expect(result.problems[0]?.message).toContain('1500 ms');
    expect(result.guards[0]).toMatchObject({ guard: 'slow.sh', timedOut: true });
    expect(result.violations.map((v) => v.message)).toEqual(['printed before the hang', 'the next guard still runs']);
    const sleeper = Number((await readFile(pidFile, 'utf8')).trim());
    expect(await isRunning(sleeper)).toBe(false);
  });

  it('stops a guard that floods its output and keeps the whole lines within the limit', async () => {
    await guard('flood.sh', 'while true; do echo "src/a.ts:1:TS-01:again and again"; done');
    const result = await runGuards({ projectRoot: project, catalogue: rules, env: parentEnv, maxOutputBytes: 4096 });
    expect(result.problems).toEqual([expect.objectContaining({ guard: 'flood.sh', kind: 'output_limit' })]);
    const lineBytes = 'src/a.ts:1:TS-01:again and again\n'.length;
    expect(result.violations).toHaveLength(Math.floor(4096 / lineBytes));
    expect(result.guards[0]?.malformedLines).toBe(0);
  });

  it('refuses a guard symlinked out of the guards directory and one that cannot start', async () => {
    const outside = await guard('outside.sh', 'echo "src/a.ts:1:SEC-02:must not run"', 0o755, root);
    await symlink(outside, join(guards, 'escape.sh'));
    await writeFile(join(guards, 'no-interpreter'), '#!/nonexistent/interpreter\n');
    await chmod(join(guards, 'no-interpreter'), 0o755);
    const result = await runGuards({ projectRoot: project, catalogue: rules, env: parentEnv });
    expect(result.violations).toEqual([]);
    expect(result.problems.map((p) => [p.guard, p.kind])).toEqual([
      ['escape.sh', 'unsafe_path'],
      ['no-interpreter', 'spawn_failed'],
    ]);
  });

  it('refuses a project guards directory that leads out of the project', async () => {
    const elsewhere = join(root, 'elsewhere');
    await mkdir(elsewhere);
    await guard('x.sh', 'echo "src/a.ts:1:SEC-02:must not run"', 0o755, elsewhere);
    await rm(guards, { recursive: true });
    await symlink(elsewhere, guards);
    const result = await runGuards({ projectRoot: project, catalogue: rules, env: parentEnv });
    expect(result.guards).toEqual([]);
    expect(result.problems).toEqual([expect.objectContaining({ kind: 'unsafe_path' })]);
  });

  it('finds nothing to do without a guards directory, and refuses files outside the project', async () => {
    await rm(join(project, '.harness'), { recursive: true });
    expect(await runGuards({ projectRoot: project, catalogue: rules, env: parentEnv })).toMatchObject({
      violations: [],
      guards: [],
      problems: [],
    });
    for (const files of [['../etc/passwd'], ['/etc/passwd'], ['']]) {
      await expect(runGuards({ projectRoot: project, files, catalogue: rules, env: parentEnv })).rejects.toSatisfy(
        (error: unknown) => error instanceof AppError && error.code === 'INVALID_ARGUMENT',
      );
    }
    for (const timeoutMs of [0, -1, Number.NaN]) {
      await expect(runGuards({ projectRoot: project, timeoutMs, catalogue: rules, env: parentEnv })).rejects.toSatisfy(
        (error: unknown) => error instanceof AppError && error.code === 'INVALID_ARGUMENT',
      );
    }
    await expect(runGuards({ projectRoot: join(root, 'missing'), catalogue: rules, env: parentEnv })).rejects.toSatisfy(
      (error: unknown) => error instanceof AppError && error.code === 'INVALID_ARGUMENT',
    );
  });
});

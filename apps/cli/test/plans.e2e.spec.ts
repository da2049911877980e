import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { openDatabase, TypeOrmPlanStore, TypeOrmTaskRepository } from '@agent-harness/persistence';
import { applyPlanUpdate, type ExecPlanJson } from '@agent-harness/plans';
import {
  createTempDir,
  createTempGitRepo,
  killStartedHarnessProcesses,
  runHarness,
  type TempDir,
  type TempGitRepo,
} from '@agent-harness/testing';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';

// `harness plan init|status|list` as a user runs them: a spec in a repository becomes a stored plan
// and its exec-plan-<id>.md; status reads the database (the record) by id, prefix or file; a file
// whose plan is not stored is shown as it is; mistakes stop before anything is written.
const cliPath = join(import.meta.dirname, '..', 'dist', 'main.js');

const SPEC = [
  '# Ship exec plans',
  '',
  '## Milestones',
  '- [ ] Model and Markdown',
  '- [x] SQL store',
  '',
  '## Steps',
  '1. Write `libs/plans/src/exec-plan.types.ts`',
  '2. Add the CLI',
  '',
  '## Validation',
  '- Test: npx vitest run libs/plans',
  '- Check: lint is clean',
].join('\n');

describe('harness plan (built CLI)', () => {
  let home: TempDir;
  let repo: TempGitRepo;
  let configFile: string;
  let dataDir: string;

  beforeEach(async () => {
    home = await createTempDir('harness-home-');
    repo = await createTempGitRepo();
    dataDir = join(home.path, 'data');
    configFile = join(home.path, 'harness.toml');
    writeFileSync(
      configFile,
      `[server]\ndata_dir = ${JSON.stringify(dataDir)}\n[[projects]]\nname = "app"\nroot = ${JSON.stringify(repo.path)}\n`,
    );
    writeFileSync(join(repo.path, 'spec.md'), SPEC);
  });
  afterEach(async () => {
    await home.cleanup();
    await repo.cleanup();
  });
  afterAll(() => {
    killStartedHarnessProcesses();
  });

  const run = (...args: string[]) =>
    runHarness({ cliPath, args: [...args, '--config', configFile], cwd: repo.path, home: home.path });

  const planFiles = (dir: string): string[] => readdirSync(dir).filter((f) => /^exec-plan-[0-9a-f]{12}\.md$/.test(f));

  it('init stores the plan and writes its file; status and list show it', async () => {
    const init = await run('plan', 'init', 'spec.md');
    expect(init.stderr).toBe('');
    expect(init.code).toBe(0);
    const id = /^plan ([0-9a-f]{12}): Ship exec plans$/m.exec(init.stdout)?.[1] ?? '';
    expect(init.stdout).toContain('2 milestone(s) (1 done), 2 step(s)');
    const file = join(repo.path, `exec-plan-${id}.md`);
    expect(init.stdout).toContain(`written to ${file}`);
    const markdown = readFileSync(file, 'utf8');
    expect(markdown).toMatch(/^# ExecPlan: Ship exec plans\n\n- \*\*ID\*\*: [0-9a-f]{12}\n- \*\*Status\*\*: draft\n/);
    expect(markdown).toContain('- [x] SQL store <!-- completed ');
    expect(markdown).toContain(
      '1. [ ] Write `libs/plans/src/exec-plan.types.ts`\n   - `libs/plans/src/exec-plan.types.ts`',
    );

    const byPrefix = await run('plan', 'status', id.slice(0, 6));
    expect(byPrefix.code).toBe(0);
    const [first, second, ...rest] = byPrefix.stdout.split('\n');
    expect(first).toBe(`plan ${id}: Ship exec plans`);
    expect(second).toMatch(/^status draft, project app, updated \S+ \(version 1\)$/);
    expect(rest.join('\n')).toBe(
      [
        'milestones: 1/2 done',
        '  0 [ ] Model and Markdown',
        '  1 [x] SQL store',
        'steps: 0/2 done',
        '  0 [ ] Write `libs/plans/src/exec-plan.types.ts`  (libs/plans/src/exec-plan.types.ts)',
        '  1 [ ] Add the CLI',
        'validation: 1 test(s), 1 check(s); 0 decision(s), 0 surprise(s)',
        '',
      ].join('\n'),
    );
    const byFile = await run('plan', 'status', `exec-plan-${id}.md`, '--json');
    expect(byFile.code).toBe(0);
    const json = JSON.parse(byFile.stdout) as ExecPlanJson;
    expect(json).toMatchObject({
      id,
      purpose: 'Ship exec plans',
      project: 'app',
      status: 'draft',
      validation: { tests: ['npx vitest run libs/plans'], checks: ['lint is clean'] },
      version: 1,
    });
    expect(json.progress.map((m) => m.completed)).toEqual([false, true]);

    const list = await run('plan', 'list');
    expect(list.code).toBe(0);
    expect(list.stdout).toMatch(new RegExp(`^${id}  draft     1/2  app  Ship exec plans  \\S+\\n$`));
    expect((await run('plan', 'list', '--status', 'active')).stdout).toBe('no plans\n');
    const listed = JSON.parse((await run('plan', 'list', 'app', '--json')).stdout) as ExecPlanJson[];
    expect(listed.map((p) => p.id)).toEqual([id]);
  });

  it('init --out --json writes there and prints the id and path', async () => {
    const out = join(home.path, 'plans');
    mkdirSync(out);
    const init = await run('plan', 'init', 'spec.md', 'app', '--out', out, '--json');
    expect(init.code).toBe(0);
    const printed = JSON.parse(init.stdout) as { plan_id: string; path: string };
    expect(printed.path).toBe(join(out, `exec-plan-${printed.plan_id}.md`));
    expect(existsSync(printed.path)).toBe(true);
    expect(planFiles(repo.path)).toEqual([]);
  });

  it('status by file shows the stored plan (the record), or the file when its plan is not stored', async () => {
    const init = await run('plan', 'init', 'spec.md');
    const id = /^plan ([0-9a-f]{12})/.exec(init.stdout)?.[1] ?? '';
    // The plan moves on in the database (as an RPC update would move it); the file stays behind.
    const database = await openDatabase({ file: join(dataDir, 'harness.db') });
    try {
      const store = new TypeOrmPlanStore(database.dataSource);
      const stored = await store.get(id);
      if (stored === undefined) throw new Error('not stored');
      await store.save(applyPlanUpdate(stored, { action: 'complete_milestone', index: 0 }, new Date()));
    } finally {
      await database.close();
    }
    const status = await run('plan', 'status', `exec-plan-${id}.md`);
    expect(status.code).toBe(0);
    expect(status.stdout).toContain('milestones: 2/2 done');
    expect(status.stderr).toBe(
      `harness: exec-plan-${id}.md is version 1; showing the stored plan, version 2 (the database is the record)\n`,
    );

    // A file whose id the database does not know (copied from elsewhere, edited by hand).
    const foreign = readFileSync(join(repo.path, `exec-plan-${id}.md`), 'utf8')
      .replace(id, 'abcdefabcdef')
      .replace('2. [ ] Add the CLI', '2. [x] Add the CLI');
    writeFileSync(join(repo.path, 'other-plan.md'), foreign);
    const shown = await run('plan', 'status', 'other-plan.md');
    expect(shown.code).toBe(0);
    expect(shown.stdout).toContain('plan abcdefabcdef: Ship exec plans');
    expect(shown.stdout).toContain('steps: 1/2 done');
    expect(shown.stderr).toBe('harness: plan abcdefabcdef is not in the database: showing the file as it is\n');
  });

  it('link ties a task to a milestone: stored with the plan, refused for an unknown task or milestone', async () => {
    const init = await run('plan', 'init', 'spec.md');
    const id = /^plan ([0-9a-f]{12})/.exec(init.stdout)?.[1] ?? '';
    // A queued task, as a server's submit stores it.
    const taskId = '0f1c2d3e-4b5a-4c6d-8e7f-9a0b1c2d3e4f';
    const now = new Date().toISOString();
    const database = await openDatabase({ file: join(dataDir, 'harness.db') });
    try {
      await new TypeOrmTaskRepository(database.dataSource).create(
        {
          id: taskId,
          project: 'app',
          kind: 'prompt',
          prompt: 'Add the CLI',
          status: 'queued',
          attempt: 1,
          inputTokens: 0,
          outputTokens: 0,
          validationRetries: 0,
          reviewRounds: 0,
          createdAt: now,
          updatedAt: now,
          version: 1,
        },
        { kind: 'status', data: { from: null, to: 'queued', attempt: 1 } },
      );
    } finally {
      await database.close();
    }
    const linked = await run('plan', 'link', id.slice(0, 6), '0', taskId.slice(0, 8), '--json');
    expect(linked.code, linked.stderr).toBe(0);
    const plan = JSON.parse(linked.stdout) as ExecPlanJson;
    expect(JSON.stringify(plan)).toContain(taskId);
    const status = await run('plan', 'status', id, '--json');
    expect(status.stdout).toContain(taskId);

    const unknownTask = await run('plan', 'link', id, '0', 'deadbeef');
    expect(unknownTask.code).not.toBe(0);
    expect(unknownTask.stderr).toContain('deadbeef');
    const noMilestone = await run('plan', 'link', id, '9', taskId);
    expect(noMilestone.code).not.toBe(0);
    expect(noMilestone.stderr).toMatch(/milestone/);
    const negative = await run('plan', 'link', id, '-1', taskId);
    expect(negative.code).not.toBe(0);
  });

  it('a missing, unreadable or hostile spec, or a bad --out, stops before anything is written', async () => {
    const refused = async (args: string[], message: string): Promise<void> => {
      const result = await run(...args);
      expect(result.code).toBe(2);
      expect(result.stdout).toBe('');
      expect(result.stderr).toBe(`harness: ${message}\n`);
    };
    await refused(['plan', 'init', 'missing.md'], `SPEC: cannot read ${join(repo.path, 'missing.md')}`);
    await refused(['plan', 'init', '.'], `SPEC: ${repo.path} is not a file`);
    await refused(
      ['plan', 'init', 'spec.md', '--out', 'nowhere'],
      `--out: ${join(repo.path, 'nowhere')} is not a directory`,
    );
    writeFileSync(join(repo.path, 'long.md'), `# P\n## Milestones\n- ${'x'.repeat(1001)}\n`);
    await refused(['plan', 'init', 'long.md'], 'spec (line 3, a milestone): at most 1000 characters, not 1001');
    const project = await run('plan', 'init', 'spec.md', 'no-such-project');
    expect(project.code).toBe(2);
    expect(project.stderr).toMatch(/^harness: project no-such-project: no configured project has that name/);
    expect(existsSync(dataDir)).toBe(false);
    expect(planFiles(repo.path)).toEqual([]);
  });

  it('usage mistakes and unknown plans', async () => {
    const missing = await run('plan', 'init');
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('harness: missing an argument: harness plan init <SPEC> [PROJECT]');
    const none = await run('plan');
    expect(none.code).toBe(2);
    expect(none.stderr).toContain('harness: name a plan command: init, status, list');
    const neither = await run('plan', 'status', 'not-a-plan');
    expect(neither).toMatchObject({
      code: 2,
      stderr: 'harness: PLAN: not-a-plan is neither a plan file nor a plan id (or its first 4+ characters)\n',
    });
    writeFileSync(join(repo.path, 'broken.md'), '# A plan file without its header\n');
    expect(await run('plan', 'status', 'broken.md')).toMatchObject({
      code: 2,
      stderr: 'harness: plan file: no "- **ID**: <id>" line in its header\n',
    });
    expect(existsSync(dataDir)).toBe(false);
    expect(await run('plan', 'status', 'abcdef')).toMatchObject({ code: 1, stderr: 'harness: no plan abcdef\n' });
    expect((await run('plan', 'list', '--status', 'bogus')).code).toBe(2);
  });
});

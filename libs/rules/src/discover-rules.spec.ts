import { execFileSync } from 'node:child_process';
import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { BUILTIN_RULES_DIR, discoverRules } from './discover-rules.js';
import { FileLearnedRuleStore } from './file-learned-rule-store.js';

// Real rule directories in a temp dir: the project's, a home's, an extra one and a learned store.

let root: string;
let project: string;
let home: string;

beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), 'harness-rules-'));
  project = join(root, 'project');
  home = join(root, 'home');
  await mkdir(join(project, '.harness', 'rules'), { recursive: true });
  await mkdir(join(home, '.harness', 'rules'), { recursive: true });
});

afterEach(async () => {
  await rm(root, { recursive: true, force: true });
});

async function write(path: string, text: string): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  await writeFile(path, text);
}

const rule = (id: string, title: string, severity = 'high'): string => `## ${id}: ${title}\nseverity: ${severity}\n\n`;

describe('discoverRules', () => {
  it('merges project, user, extra, learned and built-in rules, the earlier source winning', async () => {
    const projectRules = join(project, '.harness', 'rules');
    await write(join(projectRules, 'own.md'), rule('SEC-01', 'Project version of SEC-01') + rule('OWN-1', 'Own'));
    await write(join(projectRules, 'nested', 'more.md'), rule('OWN-2', 'Nested'));
    await write(join(projectRules, 'notes.txt'), rule('TXT-1', 'Not markdown'));
    await write(join(projectRules, '.draft.md'), rule('HID-1', 'Hidden'));
    await write(join(home, '.harness', 'rules', 'mine.md'), rule('OWN-1', 'User version') + rule('USR-1', 'User'));
    await write(join(project, 'conventions', 'extra.md'), rule('EXT-1', 'Extra'));
    const learned = new FileLearnedRuleStore(join(root, 'data', 'rules', 'learned'));
    await learned.save({ id: 'SEC-02', title: 'Learned version', severity: 'low', body: '', paths: [] });
    await learned.save({ id: 'OWN-2', title: 'Learned, shadowed', severity: 'low', body: '', paths: [] });

    const catalogue = await discoverRules({
      projectRoot: project,
      homeDir: home,
      discoveryPaths: ['conventions', '~/.harness/rules'],
      learned,
    });

    expect(catalogue.find('SEC-01')).toMatchObject({ title: 'Project version of SEC-01', source: { kind: 'project' } });
    expect(catalogue.find('OWN-1')).toMatchObject({ title: 'Own', source: { kind: 'project' } });
    expect(catalogue.find('OWN-2')?.source).toEqual({ kind: 'project', path: join(projectRules, 'nested', 'more.md') });
    expect(catalogue.find('USR-1')?.source.kind).toBe('user');
    expect(catalogue.find('EXT-1')?.source).toEqual({ kind: 'extra', path: join(project, 'conventions', 'extra.md') });
    expect(catalogue.find('SEC-02')).toMatchObject({ title: 'Learned version', source: { kind: 'learned' } });
    expect(catalogue.find('SEC-03')?.source.kind).toBe('builtin');
    expect(catalogue.find('TXT-1')).toBeUndefined();
    expect(catalogue.find('HID-1')).toBeUndefined();

    const kinds = catalogue.sources.map((source) => source.kind);
    expect(kinds.indexOf('project')).toBeLessThan(kinds.indexOf('user'));
    expect(kinds.lastIndexOf('learned')).toBeLessThan(kinds.indexOf('builtin'));
    // The user directory named again as a discovery path is read once.
    expect(catalogue.sources.filter((source) => source.path.endsWith('mine.md'))).toHaveLength(1);
    expect(catalogue.sources).toContainEqual({
      path: join(projectRules, 'own.md'),
      kind: 'project',
      count: 2,
      shadowed: 0,
    });
    const shadowed = catalogue.problems.filter((p) => p.code === 'shadowed').map((p) => [p.ruleId, p.source.kind]);
    expect(shadowed).toEqual(
      expect.arrayContaining([
        ['OWN-1', 'user'],
        ['OWN-2', 'learned'],
        ['SEC-01', 'builtin'],
        ['SEC-02', 'builtin'],
      ]),
    );
    expect(catalogue.problems.filter((p) => p.code !== 'shadowed')).toEqual([]);
  });

  it('loads no built-ins when they are switched off, and reports bad files without failing', async () => {
    const projectRules = join(project, '.harness', 'rules');
    await write(join(projectRules, 'a.md'), '## NO-SEV: Missing severity\nThis is critical.\n' + rule('OK-1', 'Fine'));
    await write(join(projectRules, 'big.md'), rule('BIG-1', 'Too big') + 'x'.repeat(2000));
    const catalogue = await discoverRules({
      projectRoot: project,
      homeDir: home,
      builtin: false,
      limits: { maxFileBytes: 1024 },
    });
    expect(catalogue.rules.map((r) => r.id)).toEqual(['OK-1']);
    expect(catalogue.problems.map((p) => [p.code, p.source.path])).toEqual([
      ['missing_severity', join(projectRules, 'a.md')],
      ['too_large', join(projectRules, 'big.md')],
    ]);
  });

  it('follows symlinks inside a rule directory only, and never blocks on a FIFO', async () => {
    const projectRules = join(project, '.harness', 'rules');
    await write(join(root, 'outside', 'secret.md'), rule('OUT-1', 'Outside'));
    await write(join(projectRules, 'real', 'in.md'), rule('IN-1', 'Inside'));
    await symlink(join(root, 'outside', 'secret.md'), join(projectRules, 'escape.md'));
    await symlink(join(projectRules, 'real', 'in.md'), join(projectRules, 'alias.md'));
    execFileSync('mkfifo', [join(projectRules, 'pipe.md')]);
    await symlink(join(projectRules, 'pipe.md'), join(projectRules, 'pipe-alias.md'));

    const catalogue = await discoverRules({ projectRoot: project, homeDir: home, builtin: false });

    expect(catalogue.find('OUT-1')).toBeUndefined();
    expect(catalogue.find('IN-1')).toBeDefined();
    expect(catalogue.problems.map((p) => [p.code, p.source.path])).toEqual(
      expect.arrayContaining([
        ['unsafe_path', join(projectRules, 'escape.md')],
        ['unreadable', join(projectRules, 'pipe.md')],
        ['unreadable', join(projectRules, 'pipe-alias.md')],
      ]),
    );
    // The alias and its target are one file: no shadowing of IN-1 by itself.
    expect(catalogue.problems).toHaveLength(3);
  });

  it("refuses a project's rule directory that leads out of the project", async () => {
    await write(join(root, 'elsewhere', 'x.md'), rule('ELSE-1', 'Elsewhere'));
    await rm(join(project, '.harness', 'rules'), { recursive: true });
    await symlink(join(root, 'elsewhere'), join(project, '.harness', 'rules'));
    const catalogue = await discoverRules({ projectRoot: project, homeDir: home, builtin: false });
    expect(catalogue.rules).toEqual([]);
    expect(catalogue.problems.map((p) => [p.code, p.source.kind])).toEqual([['unsafe_path', 'project']]);
  });

  it('reads nothing and reports nothing when no rule directory exists', async () => {
    const catalogue = await discoverRules({
      projectRoot: join(root, 'bare'),
      homeDir: join(root, 'nohome'),
      builtin: false,
    });
    expect(catalogue.rules).toEqual([]);
    expect(catalogue.problems).toEqual([]);
    expect(catalogue.sources).toEqual([]);
  });
});

describe('the built-in catalogue', () => {
  it('parses without a problem into a concise catalogue with scoped language rules', async () => {
    const catalogue = await discoverRules({ projectRoot: join(root, 'bare'), homeDir: join(root, 'nohome') });
    expect(catalogue.problems).toEqual([]);
    expect(catalogue.sources.every((source) => source.path.startsWith(BUILTIN_RULES_DIR))).toBe(true);
    expect(catalogue.rules.length).toBeGreaterThanOrEqual(25);
    expect(catalogue.rules.length).toBeLessThanOrEqual(40);
    const prefixes = new Set(catalogue.rules.map((r) => r.id.split('-')[0]));
    expect([...prefixes].sort()).toEqual(['CS', 'GO', 'PY', 'RS', 'SEC', 'TS']);
    const scoped = (file: string): string[] => catalogue.rulesFor(file).map((r) => r.id.split('-')[0] ?? '');
    expect(new Set(scoped('src/main.rs'))).toEqual(new Set(['SEC', 'CS', 'RS']));
    expect(new Set(scoped('web/App.tsx'))).toEqual(new Set(['SEC', 'CS', 'TS']));
    expect(new Set(scoped('pkg/server.go'))).toEqual(new Set(['SEC', 'CS', 'GO']));
    expect(new Set(scoped('app/models.py'))).toEqual(new Set(['SEC', 'CS', 'PY']));
    for (const r of catalogue.rules) expect(r.body.length, r.id).toBeGreaterThan(20);
  });
});

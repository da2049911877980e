import { describe, expect, it } from 'vitest';
import { createRuleCatalogue, ruleAppliesTo, type LoadedRuleFile } from './rule-catalogue.js';
import type { Rule, RuleSource } from './rule.types.js';

function file(source: RuleSource, ...ids: string[]): LoadedRuleFile {
  const rules: Rule[] = ids.map((id) => ({ id, title: id, severity: 'low', body: '', paths: [], source }));
  return { source, rules, problems: [] };
}

const project: RuleSource = { kind: 'project', path: '/p/.harness/rules/a.md' };
const user: RuleSource = { kind: 'user', path: '/home/u/.harness/rules/b.md' };
const learned: RuleSource = { kind: 'learned', path: '/data/rules/learned/LEARN-001.md' };
const builtin: RuleSource = { kind: 'builtin', path: '/pkg/builtin/security.md' };

describe('createRuleCatalogue', () => {
  it('lets the earlier source win whatever order the files come in, and reports the shadowing', () => {
    const catalogue = createRuleCatalogue([
      file(builtin, 'SEC-01', 'SEC-02'),
      file(learned, 'SEC-02', 'LEARN-001'),
      file(user, 'SEC-01'),
      file(project, 'SEC-01', 'OWN-1'),
    ]);
    expect(catalogue.find('SEC-01')?.source).toEqual(project);
    expect(catalogue.find('SEC-02')?.source).toEqual(learned);
    expect(catalogue.find('NOPE')).toBeUndefined();
    expect(catalogue.rules.map((rule) => rule.id).sort()).toEqual(['LEARN-001', 'OWN-1', 'SEC-01', 'SEC-02']);
    expect(catalogue.sources).toEqual([
      { path: project.path, kind: 'project', count: 2, shadowed: 0 },
      { path: user.path, kind: 'user', count: 0, shadowed: 1 },
      { path: learned.path, kind: 'learned', count: 2, shadowed: 0 },
      { path: builtin.path, kind: 'builtin', count: 0, shadowed: 2 },
    ]);
    const shadowed = catalogue.problems.filter((problem) => problem.code === 'shadowed');
    expect(shadowed.map((problem) => [problem.ruleId, problem.source.kind])).toEqual([
      ['SEC-01', 'user'],
      ['SEC-01', 'builtin'],
      ['SEC-02', 'builtin'],
    ]);
    expect(shadowed[0]?.message).toContain(`shadowed by ${project.path} (project)`);
  });

  it("keeps the files' own problems", () => {
    const problem = { code: 'missing_severity' as const, message: 'no severity', source: project, ruleId: 'X-1' };
    const catalogue = createRuleCatalogue([{ source: project, rules: [], problems: [problem] }]);
    expect(catalogue.problems).toEqual([problem]);
    expect(catalogue.sources).toEqual([{ path: project.path, kind: 'project', count: 0, shadowed: 0 }]);
  });
});

describe('ruleAppliesTo and rulesFor', () => {
  it('applies rules without paths everywhere and scoped rules only where their globs match', () => {
    const everywhere: Rule = { id: 'ALL-1', title: 't', severity: 'low', body: '', paths: [], source: project };
    const rustOnly: Rule = { ...everywhere, id: 'RS-1', paths: ['**/*.rs', 'build.rs'] };
    expect(ruleAppliesTo(everywhere, 'anything.txt')).toBe(true);
    expect(ruleAppliesTo(rustOnly, 'src/main.rs')).toBe(true);
    expect(ruleAppliesTo(rustOnly, 'src/main.ts')).toBe(false);
    const catalogue = createRuleCatalogue([{ source: project, rules: [everywhere, rustOnly], problems: [] }]);
    expect(catalogue.rulesFor('src/lib.ts').map((rule) => rule.id)).toEqual(['ALL-1']);
    expect(catalogue.rulesFor('src/lib.rs').map((rule) => rule.id)).toEqual(['ALL-1', 'RS-1']);
  });
});

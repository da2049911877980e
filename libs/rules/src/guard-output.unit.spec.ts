import { describe, expect, it } from 'vitest';
import { parseGuardOutput, toViolations } from './guard-output.js';
import { createRuleCatalogue, RuleCatalogue } from './rule-catalogue.js';
import type { Rule } from './rule.types.js';

const roots = ['/work/proj', '/private/work/proj'];

describe('parseGuardOutput', () => {
  it('reads FILE:LINE:RULE_ID:MESSAGE lines, keeping colons in the message', () => {
    const output = 'src/a.ts:12:TS-01:Unexpected any: use unknown\r\n\n./lib/b.py:0:py-01:whole file\n';
    expect(parseGuardOutput(output, roots)).toEqual({
      findings: [
        { file: 'src/a.ts', line: 12, ruleId: 'TS-01', message: 'Unexpected any: use unknown' },
        { file: 'lib/b.py', line: 0, ruleId: 'PY-01', message: 'whole file' },
      ],
      malformedLines: 0,
      malformedSamples: [],
    });
  });

  it('makes absolute paths inside the project relative, under either spelling of the root', () => {
    const output = '/work/proj/src/x.go:3:GO-01:err\n/private/work/proj/y.go:4:GO-01:err\n';
    expect(parseGuardOutput(output, roots).findings.map((finding) => finding.file)).toEqual(['src/x.go', 'y.go']);
  });

  it('counts malformed lines and lines naming files outside the project', () => {
    const output = [
      'sg not installed, skipping',
      'src/a.ts:x:TS-01:no line number',
      'src/a.ts:3:1:id starts with a digit',
      '../escape.ts:1:SEC-05:outside',
      '/etc/passwd:1:SEC-05:outside',
      '/work/projother/a.ts:1:SEC-05:sibling directory',
      'src/a.ts:3:X:id too short',
      'src/ok.ts:1:OK-1:fine',
    ].join('\n');
    const parsed = parseGuardOutput(output, roots);
    expect(parsed.findings.map((finding) => finding.file)).toEqual(['src/ok.ts']);
    expect(parsed.malformedLines).toBe(7);
    expect(parsed.malformedSamples).toHaveLength(5);
    expect(parsed.malformedSamples[0]).toBe('sg not installed, skipping');
  });
});

describe('toViolations', () => {
  const source = { kind: 'project' as const, path: 'rules.md' };
  const tsRule: Rule = {
    id: 'TS-01',
    title: 'No any',
    severity: 'high',
    body: '',
    paths: ['**/*.ts'],
    source,
  };
  const catalogue = createRuleCatalogue([{ source, rules: [tsRule], problems: [] }]);

  it("rates findings by their rule, defaults unknown rules to medium, and drops files outside the rule's paths", () => {
    const findings = [
      { file: 'src/a.ts', line: 1, ruleId: 'TS-01', message: 'any' },
      { file: 'src/a.js', line: 2, ruleId: 'TS-01', message: 'not a .ts file' },
      { file: 'src/a.js', line: 3, ruleId: 'CUSTOM-9', message: 'unknown rule' },
    ];
    expect(toViolations(findings, catalogue, 'ts.sh')).toEqual({
      violations: [
        { ...findings[0], severity: 'high', unknownRule: false, guard: 'ts.sh' },
        { ...findings[2], severity: 'medium', unknownRule: true, guard: 'ts.sh' },
      ],
      outOfScope: 1,
    });
  });

  it('treats every finding as an unknown rule against an empty catalogue', () => {
    const result = toViolations([{ file: 'a', line: 1, ruleId: 'TS-01', message: 'm' }], RuleCatalogue.empty(), 'g');
    expect(result.violations[0]).toMatchObject({ severity: 'medium', unknownRule: true });
  });
});

import { describe, expect, it } from 'vitest';
import { parseLearnedRules } from './parse-learned-rules.js';

const rule = (id: string, title: string, severity = 'high', extra = ''): string =>
  `## ${id}: ${title}\nseverity: ${severity}\n${extra}\nDescribe the rule for ${title}.\n`;

describe('parseLearnedRules', () => {
  it('reads rule blocks: id, title, severity, optional paths, and the description up to the next heading', () => {
    const answer = [
      'Here are the rules I distilled.',
      '',
      '## LEARN-001: Never import from a sibling lib by a deep path',
      'severity: high',
      'paths: libs/**/*.ts, `apps/**/*.ts`',
      '',
      'Import `@agent-harness/x`, never `../../x/src`.',
      '',
      '```md',
      '## not a heading inside a fence',
      '```',
      '## LEARN-002: Keep guards quiet when their tool is missing (Medium)',
      '**Severity**: Medium',
      'A guard that cannot run exits 0 and prints nothing.',
    ].join('\n');
    const parsed = parseLearnedRules(answer, []);
    expect(parsed.problems).toEqual([]);
    expect(parsed.duplicates).toEqual([]);
    expect(parsed.rules).toEqual([
      {
        id: 'LEARN-001',
        title: 'Never import from a sibling lib by a deep path',
        severity: 'high',
        paths: ['libs/**/*.ts', 'apps/**/*.ts'],
        body: 'Import `@agent-harness/x`, never `../../x/src`.\n\n```md\n## not a heading inside a fence\n```',
      },
      {
        id: 'LEARN-002',
        title: 'Keep guards quiet when their tool is missing',
        severity: 'medium',
        paths: [],
        body: 'A guard that cannot run exits 0 and prints nothing.',
      },
    ]);
  });

  it('renumbers other ids and ids an existing rule holds to the next free LEARN-NNN', () => {
    const answer = [
      rule('SEC-99', 'Escape shell arguments'),
      rule('LEARN-002', 'Close every file handle'),
      rule('LEARN-7', 'Bound every queue'),
      rule('LEARN-010', 'Time out every network call'),
      rule('LEARN-010', 'Log the request id'),
    ].join('\n');
    const existing = [
      { id: 'LEARN-001', title: 'Old one' },
      { id: 'LEARN-002', title: 'Another old one' },
    ];
    const parsed = parseLearnedRules(answer, existing);
    expect(parsed.problems).toEqual([]);
    expect(parsed.rules.map((r) => [r.id, r.title])).toEqual([
      ['LEARN-003', 'Escape shell arguments'],
      ['LEARN-004', 'Close every file handle'],
      ['LEARN-005', 'Bound every queue'],
      ['LEARN-010', 'Time out every network call'],
      ['LEARN-011', 'Log the request id'],
    ]);
  });

  it('skips as duplicates titles an existing rule or an earlier block has, ignoring case and spacing', () => {
    const answer = [
      rule('LEARN-001', 'No  unwrap outside TESTS'),
      rule('LEARN-002', 'Validate every path'),
      rule('LEARN-003', ' validate every   path'),
    ].join('\n');
    const parsed = parseLearnedRules(answer, [{ id: 'RS-01', title: 'No unwrap outside tests' }]);
    expect(parsed.rules.map((r) => r.title)).toEqual(['Validate every path']);
    expect(parsed.duplicates).toEqual(['No  unwrap outside TESTS', 'validate every   path']);
    expect(parsed.problems).toEqual([]);
  });

  it('skips and reports a missing or bad severity, a bad id, title or glob, and an over-long body', () => {
    const answer = [
      '## LEARN-001: No severity here',
      'Just a description.',
      rule('LEARN-002', 'Bad severity', 'urgent'),
      rule('learn-3', 'Lower-case id'),
      '## LEARN-004:',
      'severity: low',
      rule('LEARN-005', 'T'.repeat(201)),
      rule('LEARN-006', 'Bad glob', 'low', 'paths: ../outside/**'),
      `## LEARN-007: Long body\nseverity: low\n${'x'.repeat(8001)}`,
      rule('LEARN-008', 'Second severity line', 'high', 'severity: low'),
      rule('LEARN-009', 'The one good rule'),
      '## Closing remarks',
      'These are prose, not a rule.',
    ].join('\n');
    const parsed = parseLearnedRules(answer, []);
    expect(parsed.rules.map((r) => [r.id, r.title])).toEqual([['LEARN-009', 'The one good rule']]);
    expect(parsed.problems).toEqual([
      'rule block at line 1: no "severity:" line right after the heading; skipped',
      'rule block at line 3: severity "urgent" is not critical, high, medium or low; skipped',
      'rule block at line 8: "learn-3" is not a rule id; skipped',
      'rule block at line 13: it has no title; skipped',
      'rule block at line 15: its title is longer than 200 characters; skipped',
      expect.stringMatching(/^rule block at line 20: paths: .*; skipped$/),
      'rule block at line 25: its description is longer than 8000 characters; skipped',
      expect.stringMatching(/^rule block at line 28: it does not read back .*; skipped$/),
    ]);
  });

  it('takes at most 20 rules and says how many more there were', () => {
    const answer = Array.from({ length: 23 }, (_, i) =>
      rule(`LEARN-${String(i + 1).padStart(3, '0')}`, `Rule ${String(i)}`),
    ).join('\n');
    const parsed = parseLearnedRules(answer, []);
    expect(parsed.rules).toHaveLength(20);
    expect(parsed.rules.at(-1)?.id).toBe('LEARN-020');
    expect(parsed.problems).toEqual(['the answer has more than 20 rules: 3 more were skipped']);
  });

  it('finds nothing in an answer without rules', () => {
    expect(parseLearnedRules('NONE', [])).toEqual({ rules: [], duplicates: [], problems: [] });
    expect(parseLearnedRules('', [])).toEqual({ rules: [], duplicates: [], problems: [] });
  });
});

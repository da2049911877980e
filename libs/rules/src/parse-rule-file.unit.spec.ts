import { describe, expect, it } from 'vitest';
import { isValidRuleId, parseRuleFile } from './parse-rule-file.js';
import type { RuleSource } from './rule.types.js';

const source: RuleSource = { kind: 'project', path: '/p/.harness/rules/x.md' };

function parse(text: string) {
  return parseRuleFile(text, source);
}

describe('parseRuleFile', () => {
  it('reads the explicit severity line, the title, the body and the source', () => {
    const { rules, problems } = parse(
      '# Preamble ignored\n\n## SEC-01: No SQL by concatenation\nseverity: critical\n\nUse parameters.\n\n### Why\nInjection.\n',
    );
    expect(problems).toEqual([]);
    expect(rules).toEqual([
      {
        id: 'SEC-01',
        title: 'No SQL by concatenation',
        severity: 'critical',
        body: 'Use parameters.\n\n### Why\nInjection.',
        paths: [],
        source,
      },
    ]);
  });

  it('accepts the (severity) heading suffix and strips it from the title', () => {
    const { rules, problems } = parse('## RS-01: No .unwrap() outside tests (High)\nText.\n');
    expect(problems).toEqual([]);
    expect(rules[0]).toMatchObject({ id: 'RS-01', title: 'No .unwrap() outside tests', severity: 'high' });
  });

  it('accepts list and bold forms of the severity line, and a suffix that agrees', () => {
    const { rules } = parse('## A-1: One (low)\n- **Severity**: LOW\n\n## B-2: Two\n**severity:** medium\n');
    expect(rules.map((rule) => [rule.id, rule.severity])).toEqual([
      ['A-1', 'low'],
      ['B-2', 'medium'],
    ]);
  });

  it('never guesses: a section without severity is reported and skipped, even if its text says "critical"', () => {
    const { rules, problems } = parse('## GP-01: Critical thinking\nThis is critical and high priority.\n');
    expect(rules).toEqual([]);
    expect(problems).toEqual([expect.objectContaining({ code: 'missing_severity', ruleId: 'GP-01', line: 1, source })]);
  });

  it('reports an unknown severity value and conflicting severities', () => {
    const { rules, problems } = parse(
      [
        '## X-1: Unknown value',
        'severity: severe',
        '## X-2: Two lines',
        'severity: low',
        'severity: high',
        '## X-3: Suffix and line (high)',
        'severity: low',
        '## X-4: Two lines that agree',
        'severity: low',
        'Severity: LOW',
      ].join('\n'),
    );
    expect(rules.map((rule) => rule.id)).toEqual(['X-4']);
    expect(problems.map((p) => [p.code, p.ruleId, p.line])).toEqual([
      ['invalid_severity', 'X-1', 2],
      ['conflicting_severity', 'X-2', 5],
      ['conflicting_severity', 'X-3', 7],
    ]);
  });

  it('reports invalid ids and missing titles, and skips prose headings', () => {
    const { rules, problems } = parse(
      '## Overview\nprose\n\n## rs-01: lower case\nseverity: high\n\n## SEC-02:\nseverity: high\n\n## OK-1: Fine\nseverity: low\n',
    );
    expect(rules.map((rule) => rule.id)).toEqual(['OK-1']);
    expect(problems.map((p) => [p.code, p.line])).toEqual([
      ['invalid_id', 4],
      ['missing_title', 7],
    ]);
  });

  it('keeps the first of two rules with one id and reports the second', () => {
    const { rules, problems } = parse('## D-1: First\nseverity: low\n\n## D-1: Second\nseverity: high\n');
    expect(rules).toHaveLength(1);
    expect(rules[0]?.title).toBe('First');
    expect(problems).toEqual([expect.objectContaining({ code: 'duplicate_id', ruleId: 'D-1', line: 4 })]);
  });

  it('ignores headings and severity lines inside fenced code', () => {
    const { rules, problems } = parse(
      '## F-1: Fenced\nseverity: medium\n\n```md\n## NOT-1: inside a fence\nseverity: critical\n```\nafter\n',
    );
    expect(problems).toEqual([]);
    expect(rules).toHaveLength(1);
    expect(rules[0]?.body).toBe('```md\n## NOT-1: inside a fence\nseverity: critical\n```\nafter');
  });

  it('applies front-matter paths (block list) to every rule of the file, with line numbers past it', () => {
    const text =
      '---\n# comment\npaths:\n  - "src/**/*.{ts,tsx}"\n  - lib/*.js\n---\n## T-1: One\nseverity: low\n## T-2\n## T-3: Three\n';
    const { rules, problems } = parse(text);
    expect(rules.map((rule) => rule.paths)).toEqual([['src/**/*.{ts,tsx}', 'lib/*.js']]);
    expect(problems).toEqual([expect.objectContaining({ code: 'missing_severity', ruleId: 'T-3', line: 10 })]);
  });

  it('reads inline and scalar forms of paths', () => {
    expect(
      parse('---\npaths: ["a/**", \'b/*.{c,h}\', plain/*.x]\n---\n## I-1: x\nseverity: low\n').rules[0]?.paths,
    ).toEqual(['a/**', 'b/*.{c,h}', 'plain/*.x']);
    expect(parse('---\npaths: "**/*.rs"\n---\n## I-2: x\nseverity: low\n').rules[0]?.paths).toEqual(['**/*.rs']);
    expect(parse('---\npaths: []\n---\n## I-3: x\nseverity: low\n').rules[0]?.paths).toEqual([]);
  });

  it('skips the file when front-matter is malformed, naming the line', () => {
    const cases: [text: string, message: RegExp, line: number][] = [
      ['---\npaths:\n  - "a/**"\n## R-1: x\nseverity: low\n', /never closed/, 1],
      ['---\npaths: ["a", "b"\n---\n## R-1: x\nseverity: low\n', /not closed/, 2],
      ['---\npaths:\n  "a/**"\n---\n## R-1: x\nseverity: low\n', /list item/, 3],
      ['---\npaths: ["src/{a"]\n---\n## R-1: x\nseverity: low\n', /unclosed "\{"/, 2],
      ['---\npaths: a\npaths: b\n---\n## R-1: x\nseverity: low\n', /twice/, 3],
      ['---\njust text\n---\n## R-1: x\nseverity: low\n', /key: value/, 2],
      ['---\npaths: ["a" junk]\n---\n## R-1: x\nseverity: low\n', /unexpected text/, 2],
    ];
    for (const [text, message, line] of cases) {
      const { rules, problems } = parse(text);
      expect(rules, text).toEqual([]);
      expect(problems, text).toEqual([expect.objectContaining({ code: 'invalid_front_matter', line })]);
      expect(problems[0]?.message, text).toMatch(message);
    }
  });

  it('reports unknown front-matter keys without dropping the rules', () => {
    const { rules, problems } = parse(
      '---\nfix_pattern: s/a/b/\ntags:\n  - x\npaths: "**/*.go"\n---\n## G-1: x\nseverity: low\n',
    );
    expect(rules.map((rule) => rule.paths)).toEqual([['**/*.go']]);
    expect(problems.map((p) => p.message)).toEqual([
      expect.stringContaining('"fix_pattern"'),
      expect.stringContaining('"tags"'),
    ]);
  });

  it('handles CRLF line ends and a byte-order mark', () => {
    const { rules } = parse('\uFEFF---\r\npaths: "*.md"\r\n---\r\n## W-1: Windows\r\nseverity: low\r\nbody\r\n');
    expect(rules[0]).toMatchObject({ id: 'W-1', title: 'Windows', body: 'body', paths: ['*.md'] });
  });
});

describe('isValidRuleId', () => {
  it('accepts upper-case ids of 2 to 64 characters', () => {
    for (const id of ['SEC-01', 'RS_03', 'LEARN-001', 'AB', 'A'.repeat(64)]) expect(isValidRuleId(id), id).toBe(true);
    for (const id of ['A', 'rs-01', '1SEC', 'SEC 01', 'SEC.01', '../X', 'A'.repeat(65), '-AB']) {
      expect(isValidRuleId(id), id).toBe(false);
    }
  });
});

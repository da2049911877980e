import { AppError } from '@agent-harness/core';
import { describe, expect, it } from 'vitest';
import { formatRuleFile, InMemoryLearnedRuleStore, prepareLearnedRule } from './learned-rule-store.js';
import { parseRuleFile } from './parse-rule-file.js';
import type { RuleDraft } from './rule.types.js';

const draft: RuleDraft = {
  id: 'LEARN-001',
  title: 'Close review loops that stall',
  severity: 'high',
  body: 'When a review round repeats the same finding twice, stop and escalate.\n\n```sh\necho "## not a heading"\n```',
  paths: ['src/**/*.{ts,tsx}', "it's/*.md", 'docs/"quoted"/*.md'],
};

describe('formatRuleFile', () => {
  it('writes a file that parses back to the same rule', () => {
    const text = formatRuleFile(draft);
    expect(text).toMatch(/^---\npaths:\n {2}- "src\/\*\*\/\*\.\{ts,tsx\}"\n/);
    const { rules, problems } = parseRuleFile(text, { kind: 'learned', path: 'x.md' });
    expect(problems).toEqual([]);
    expect(rules).toEqual([{ ...draft, source: { kind: 'learned', path: 'x.md' } }]);
  });

  it('writes no front-matter for a rule that applies everywhere', () => {
    expect(formatRuleFile({ ...draft, paths: [], body: '' })).toBe(
      '## LEARN-001: Close review loops that stall\nseverity: high\n',
    );
  });
});

describe('prepareLearnedRule', () => {
  it('refuses rules that would not read back as themselves', () => {
    const bad: [Partial<RuleDraft>, RegExp][] = [
      [{ id: '../../etc/passwd' }, /not a valid rule id/],
      [{ id: 'learn-1' }, /not a valid rule id/],
      [{ title: 'two\nlines' }, /one line/],
      [{ title: '' }, /no title/],
      [{ title: 'Ends like a severity (low)' }, /conflicting|read back/],
      [{ body: 'text\n## OTHER-1: smuggled\nseverity: critical' }, /read back as itself/],
      [{ body: 'severity: low' }, /conflicting|read back/],
      [{ paths: ['src/{a'] }, /unclosed/],
    ];
    for (const [change, message] of bad) {
      const prepared = prepareLearnedRule({ ...draft, ...change });
      expect(prepared.ok, JSON.stringify(change)).toBe(false);
      if (!prepared.ok) expect(prepared.error, JSON.stringify(change)).toMatch(message);
    }
  });

  it('returns the rule as it reads back, body trimmed and line ends normalized', () => {
    const prepared = prepareLearnedRule({ ...draft, body: '\r\n  text\r\nmore\r\n\r\n' });
    expect(prepared.ok && prepared.value.rule.body).toBe('text\nmore');
  });
});

describe('InMemoryLearnedRuleStore', () => {
  it('saves, replaces, lists and removes rules, refusing invalid ones', async () => {
    const store = new InMemoryLearnedRuleStore();
    await store.save(draft);
    await store.save({ ...draft, severity: 'low' });
    const listed = await store.list();
    expect(listed.rules).toHaveLength(1);
    expect(listed.rules[0]).toMatchObject({ id: 'LEARN-001', severity: 'low', source: { kind: 'learned' } });
    await expect(store.save({ ...draft, id: 'bad id' })).rejects.toSatisfy(
      (error: unknown) => error instanceof AppError && error.code === 'INVALID_ARGUMENT',
    );
    expect(await store.remove('LEARN-001')).toBe(true);
    expect(await store.remove('LEARN-001')).toBe(false);
    expect((await store.list()).rules).toEqual([]);
  });
});

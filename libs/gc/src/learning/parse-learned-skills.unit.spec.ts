import { describe, expect, it } from 'vitest';
import { isValidSkillName, parseLearnedSkills } from './parse-learned-skills.js';

const skill = (name: string, body = `# Use ${name}\n<!-- trigger-patterns: ${name} -->\n\nSteps.`): string =>
  `=== skill: ${name} ===\n${body}\n`;

describe('parseLearnedSkills', () => {
  it('reads skill blocks up to the next skill line or the end', () => {
    const answer = [
      'Preamble the parser ignores.',
      '=== skill: fix-flaky-tests ===',
      '',
      '# Fix a flaky test by finding its shared state',
      '<!-- trigger-patterns: flaky, intermittent -->',
      '',
      '1. Run it alone.',
      '=== skill: release.notes_v2',
      '```markdown',
      '# Write release notes',
      'Body.',
      '```',
      '=== end ===',
    ].join('\n');
    const parsed = parseLearnedSkills(answer, []);
    expect(parsed.problems).toEqual([]);
    expect(parsed.skills).toEqual([
      {
        name: 'fix-flaky-tests',
        content:
          '# Fix a flaky test by finding its shared state\n<!-- trigger-patterns: flaky, intermittent -->\n\n1. Run it alone.\n',
      },
      { name: 'release.notes_v2', content: '# Write release notes\nBody.\n' },
    ]);
  });

  it('refuses names that are not plain file names', () => {
    const answer = ['../escape', 'a/b', '.hidden', 'a..b', 'x'.repeat(65), 'has space', '']
      .map((n) => skill(n))
      .join('');
    const parsed = parseLearnedSkills(answer, []);
    expect(parsed.skills).toEqual([]);
    expect(parsed.problems).toHaveLength(7);
    expect(parsed.problems[0]).toBe(
      'skill block at line 1: "../escape" is not a skill name (a letter or digit, then up to 63 of A–Z, a–z, 0–9, ".", "_", "-", no ".."); skipped',
    );
    expect(isValidSkillName('x'.repeat(64))).toBe(true);
  });

  it('refuses content without a "# description" first line, or over 64 KiB', () => {
    const answer = [
      skill('no-title', 'Just steps.'),
      skill('empty-title', '#\nSteps.'),
      skill('huge', `# Huge\n${'é'.repeat(33_000)}`),
      skill('fine'),
    ].join('');
    const parsed = parseLearnedSkills(answer, []);
    expect(parsed.skills.map((s) => s.name)).toEqual(['fine']);
    expect(parsed.problems).toEqual([
      'skill block at line 1: skill no-title does not start with a "# description" line; skipped',
      'skill block at line 3: skill empty-title does not start with a "# description" line; skipped',
      expect.stringMatching(/^skill block at line 6: skill huge is 66\d{3} bytes, over 65536; skipped$/),
    ]);
  });

  it('never overwrites: an existing name (any case) or an earlier block is a duplicate', () => {
    const parsed = parseLearnedSkills([skill('Review'), skill('new-one'), skill('NEW-ONE')].join(''), ['review']);
    expect(parsed.skills.map((s) => s.name)).toEqual(['new-one']);
    expect(parsed.duplicates).toEqual(['Review', 'NEW-ONE']);
  });

  it('takes at most 20 skills', () => {
    const parsed = parseLearnedSkills(Array.from({ length: 21 }, (_, i) => skill(`s${String(i)}`)).join(''), []);
    expect(parsed.skills).toHaveLength(20);
    expect(parsed.problems).toEqual(['the answer has more than 20 skills: 1 more were skipped']);
  });
});

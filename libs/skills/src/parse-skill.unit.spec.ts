import { describe, expect, it } from 'vitest';
import { MAX_SKILL_BYTES, MAX_TRIGGER_PATTERNS, parseSkill } from './parse-skill.js';
import { isValidSkillName } from './skill-name.js';
import { skillId } from './skill.types.js';

const text = [
  '---',
  'version: 1.2.0',
  'author: someone',
  '---',
  '',
  '## Fix the build  ',
  '<!-- trigger-patterns: Build Fail, , type error ,CI -->',
  'Read the first error.',
].join('\n');

describe('parseSkill', () => {
  it('reads front matter, description, trigger patterns and a stable id', () => {
    const parsed = parseSkill('build-fix', text, 'project', '/p/.harness/skills/build-fix.md');
    expect(parsed).toEqual({
      ok: true,
      value: {
        id: 'project:build-fix',
        name: 'build-fix',
        tier: 'project',
        description: 'Fix the build',
        triggerPatterns: ['build fail', 'type error', 'ci'],
        version: '1.2.0',
        contentHash: expect.stringMatching(/^[0-9a-f]{16}$/) as unknown,
        content: text,
        path: '/p/.harness/skills/build-fix.md',
      },
    });
  });

  it('defaults the version, and has no path or patterns unless given', () => {
    const parsed = parseSkill('plain', '# Plain skill\n\nBody.', 'builtin');
    expect(parsed.ok && parsed.value).toMatchObject({
      version: '1.0.0',
      triggerPatterns: [],
      description: 'Plain skill',
    });
    expect(parsed.ok && 'path' in parsed.value).toBe(false);
  });

  it('takes the first trigger line only, and never uses it as the description', () => {
    const parsed = parseSkill(
      's',
      '<!-- trigger-patterns: one -->\n\nDescribed here\n<!-- trigger-patterns: two -->',
      'data',
    );
    expect(parsed.ok && parsed.value).toMatchObject({ description: 'Described here', triggerPatterns: ['one'] });
  });

  it('accepts CRLF line ends and a quoted version', () => {
    const parsed = parseSkill('crlf', '---\r\nversion: "2.0.1"\r\n---\r\n# Title\r\n', 'user');
    expect(parsed.ok && parsed.value).toMatchObject({ version: '2.0.1', description: 'Title' });
  });

  it('gives the same id and hash for the same file, and a new hash when the text changes', () => {
    const a = parseSkill('s', '# One', 'data');
    const b = parseSkill('s', '# One', 'data');
    const c = parseSkill('s', '# Two', 'data');
    expect(a.ok && b.ok && c.ok).toBe(true);
    if (!a.ok || !b.ok || !c.ok) return;
    expect(a.value.id).toBe(skillId('data', 's'));
    expect(b.value.id).toBe(a.value.id);
    expect(b.value.contentHash).toBe(a.value.contentHash);
    expect(c.value.contentHash).not.toBe(a.value.contentHash);
  });

  it.each([
    ['an unclosed front matter', '---\nversion: 1.0.0\n# Title', /never closed/],
    ['a malformed version', '---\nversion: one\n---\n# Title', /not a version/],
    ['a version set twice', '---\nversion: 1.0.0\nversion: 1.0.1\n---\n# Title', /twice/],
    ['no text', '---\nversion: 1.0.0\n---\n\n  \n', /no text/],
    ['a NUL byte', '# Title\u0000', /NUL/],
    ['a trigger pattern too long', `# T\n<!-- trigger-patterns: ${'x'.repeat(101)} -->`, /over 100 characters/],
    [
      'too many trigger patterns',
      `# T\n<!-- trigger-patterns: ${Array.from({ length: MAX_TRIGGER_PATTERNS + 1 }, (_, i) => `p${String(i)}`).join(', ')} -->`,
      /at most 50/,
    ],
  ])('refuses %s', (_what, body, message) => {
    const parsed = parseSkill('bad', body, 'data');
    expect(parsed.ok).toBe(false);
    if (!parsed.ok) expect(parsed.error).toMatch(message);
  });

  it('refuses files over MAX_SKILL_BYTES counted in UTF-8 bytes, and accepts one at the limit', () => {
    const atLimit = `# T\n${'x'.repeat(MAX_SKILL_BYTES - 4)}`;
    expect(parseSkill('big', atLimit, 'data').ok).toBe(true);
    expect(parseSkill('big', `${atLimit}x`, 'data')).toEqual({
      ok: false,
      error: expect.stringMatching(/larger than 65536/) as unknown,
    });
    // 2-byte characters: fewer UTF-16 units than the cap, more bytes.
    expect(parseSkill('big', `# T\n${'é'.repeat(MAX_SKILL_BYTES / 2)}`, 'data').ok).toBe(false);
  });

  it.each(['../x', 'a/b', 'a\\b', '.hidden', '-dash', '', 'a..b', 'x'.repeat(65), 'sp ace', 'ü'])(
    'refuses the name %j',
    (name) => {
      expect(isValidSkillName(name)).toBe(false);
      const parsed = parseSkill(name, '# T', 'data');
      expect(parsed.ok).toBe(false);
      if (!parsed.ok) expect(parsed.error).toMatch(/not a valid skill name/);
    },
  );

  it.each(['review', 'build-fix', 'v1.2_x', 'A', '0', 'x'.repeat(64)])('accepts the name %j', (name) => {
    expect(isValidSkillName(name)).toBe(true);
  });

  it('cuts a long description and drops control characters from it', () => {
    const parsed = parseSkill('d', `# ${'a'.repeat(300)}\u0007`, 'data');
    expect(parsed.ok && parsed.value.description).toMatch(/^a{199}…$/);
  });
});

import { describe, expect, it } from 'vitest';
import { ARTIFACT_LIMITS, parseArtifacts } from './parse-artifacts.js';

const fence = (info: string, body: string, marker = '```'): string => `${marker}${info}\n${body}\n${marker}`;

describe('parseArtifacts: fenced blocks', () => {
  it('reads a block whose info string is a language then a path, keeping a final newline', () => {
    const answer = [
      'The warning repeats because console.log is left in.',
      '',
      fence('sh .harness/guards/no-console.sh', '#!/usr/bin/env bash\ngrep -rn console.log "$1/src" || true'),
      '',
      'That should do it.',
    ].join('\n');
    const parsed = parseArtifacts(answer);
    expect(parsed.artifacts).toEqual([
      {
        kind: 'guard',
        path: '.harness/guards/no-console.sh',
        content: '#!/usr/bin/env bash\ngrep -rn console.log "$1/src" || true\n',
      },
    ]);
    expect(parsed.rationale).toBe('The warning repeats because console.log is left in.\n\nThat should do it.');
    expect(parsed.problems).toEqual([]);
  });

  it('reads ~~~ fences and a lone path word with a "/" or "."; leaves other blocks in the rationale', () => {
    const answer = [
      fence(' .harness/rules/no-console.md', '## TS-90: No console\nseverity: medium\nUse the logger.', '~~~'),
      fence('ts', 'const example = 1;'),
      fence('', 'plain'),
      fence('text output', 'x'),
      fence('Makefile', 'all:'),
      fence('make ./Makefile', 'all:'),
    ].join('\n');
    const parsed = parseArtifacts(answer);
    expect(parsed.artifacts).toEqual([
      {
        kind: 'rule',
        path: '.harness/rules/no-console.md',
        content: '## TS-90: No console\nseverity: medium\nUse the logger.\n',
      },
      { kind: 'file', path: 'Makefile', content: 'all:\n' },
    ]);
    expect(parsed.rationale).toContain('const example = 1;');
    expect(parsed.rationale).toContain('plain');
    expect(parsed.rationale).toContain('```Makefile');
    expect(parsed.rationale).toContain('```text output');
  });

  it('lets a longer fence hold a shorter one, and a ~~~ fence hold ```', () => {
    const inner = fence('ts', 'const a = 1;');
    const answer = [
      fence('md .harness/skills/hot-files.md', `# Editing hot files\n${inner}`, '````'),
      fence('md docs/x.md', inner, '~~~'),
    ].join('\n');
    const parsed = parseArtifacts(answer);
    expect(parsed.artifacts.map((a) => [a.kind, a.path, a.content])).toEqual([
      ['skill', '.harness/skills/hot-files.md', `# Editing hot files\n${inner}\n`],
      ['file', 'docs/x.md', `${inner}\n`],
    ]);
    expect(parsed.rationale).toBe('');
  });

  it('normalizes paths and reads CRLF answers', () => {
    const parsed = parseArtifacts('```sh ./.harness//guards/x.sh\r\necho hi\r\n```\r\n');
    expect(parsed.artifacts).toEqual([{ kind: 'guard', path: '.harness/guards/x.sh', content: 'echo hi\n' }]);
  });

  it.each([
    ['../x', 'leaves its directory'],
    ['/etc/passwd', 'is absolute'],
    ['a/../../b', 'leaves its directory'],
    ['.git/hooks/pre-commit', 'inside .git'],
    ['C:\\x', 'absolute Windows path'],
    [`${'x'.repeat(300)}.sh`, 'longer than 255'],
  ])('refuses the path %j with a problem, never as an artifact', (path, why) => {
    const parsed = parseArtifacts(`intro\n${fence(`sh ${path}`, 'rm -rf /')}\noutro`);
    expect(parsed.artifacts).toEqual([]);
    expect(parsed.problems).toHaveLength(1);
    expect(parsed.problems[0]).toContain(why);
    expect(parsed.problems[0]).toContain('line 2');
    expect(parsed.rationale).toBe('intro\noutro');
  });

  it('refuses a path with a NUL character, and content with one', () => {
    const parsed = parseArtifacts(`${fence('sh a\u0000b.sh', 'x', '~~~')}\n${fence('txt a.txt', 'x\u0000y')}`);
    expect(parsed.artifacts).toEqual([]);
    expect(parsed.problems).toEqual([
      expect.stringContaining('control character'),
      expect.stringContaining('NUL character'),
    ]);
  });

  it('drops an artifact block that is never closed (a cut-off answer)', () => {
    const parsed = parseArtifacts('Here:\n```sh .harness/guards/x.sh\necho half');
    expect(parsed.artifacts).toEqual([]);
    expect(parsed.problems).toEqual([expect.stringContaining('never closed')]);
    expect(parsed.rationale).toBe('Here:');
  });

  it('keeps the last of two proposals for one path, and says so', () => {
    const parsed = parseArtifacts(
      [
        fence('sh .harness/guards/x.sh', 'one'),
        fence('txt a.txt', 'a'),
        fence('sh ./.harness/guards/x.sh', 'two'),
      ].join('\n'),
    );
    expect(parsed.artifacts.map((a) => [a.path, a.content])).toEqual([
      ['a.txt', 'a\n'],
      ['.harness/guards/x.sh', 'two\n'],
    ]);
    expect(parsed.problems).toEqual([expect.stringContaining('.harness/guards/x.sh is proposed twice')]);
  });
});

describe('parseArtifacts: unified diffs', () => {
  const newFileDiff = [
    'diff --git a/.harness/guards/no-todo.sh b/.harness/guards/no-todo.sh',
    'new file mode 100644',
    'index 0000000..1111111',
    '--- /dev/null',
    '+++ b/.harness/guards/no-todo.sh',
    '@@ -0,0 +1,3 @@',
    '+#!/usr/bin/env bash',
    '+',
    '+grep -rn TODO "$1" || true',
  ].join('\n');

  const changeDiff = [
    '--- a/src/app.ts',
    '+++ b/src/app.ts',
    '@@ -1,3 +1,3 @@',
    ' import { a } from "./a.js";',
    '-console.log(a);',
    '+logger.info(a);',
    ' export {};',
  ].join('\n');

  it('turns a diff that only creates a file into a plain artifact of its added lines', () => {
    const parsed = parseArtifacts(`Add a guard:\n${fence('diff', newFileDiff)}\nDone.`);
    expect(parsed.artifacts).toEqual([
      {
        kind: 'guard',
        path: '.harness/guards/no-todo.sh',
        content: '#!/usr/bin/env bash\n\ngrep -rn TODO "$1" || true\n',
      },
    ]);
    expect(parsed.rationale).toBe('Add a guard:\nDone.');
    expect(parsed.problems).toEqual([]);
  });

  it('honours "\\ No newline at end of file" in a created file', () => {
    const diff = ['--- /dev/null', '+++ b/notes.txt', '@@ -0,0 +1 @@', '+last', '\\ No newline at end of file'].join(
      '\n',
    );
    expect(parseArtifacts(fence('patch', diff)).artifacts).toEqual([
      { kind: 'file', path: 'notes.txt', content: 'last' },
    ]);
  });

  it('turns a diff that changes an existing file into one patch artifact holding the diff', () => {
    const parsed = parseArtifacts(`Replace the log:\n${fence('diff', changeDiff)}`);
    expect(parsed.artifacts).toEqual([{ kind: 'patch', path: 'src/app.ts', content: `${changeDiff}\n` }]);
  });

  it('makes a diff that creates one file and changes another one patch, named after its first file', () => {
    const both = `${changeDiff}\n${newFileDiff}`;
    const parsed = parseArtifacts(fence('diff', both));
    expect(parsed.artifacts).toEqual([{ kind: 'patch', path: 'src/app.ts', content: `${both}\n` }]);
  });

  it('finds a bare diff in the text and ends it where the prose starts', () => {
    const parsed = parseArtifacts(`Change:\n\n${changeDiff}\n\nThis removes the console call.`);
    expect(parsed.artifacts).toEqual([{ kind: 'patch', path: 'src/app.ts', content: `${changeDiff}\n` }]);
    expect(parsed.rationale).toBe('Change:\n\nThis removes the console call.');
  });

  it('reads a bare diff by its hunk counts, so a removed "---" line is not a new file header', () => {
    const diff = ['--- a/doc.md', '+++ b/doc.md', '@@ -1,2 +1,2 @@', '--- old rule', '+++ new rule', ' same'].join(
      '\n',
    );
    const parsed = parseArtifacts(`${diff}\n\nafter`);
    expect(parsed.problems).toEqual([]);
    expect(parsed.artifacts).toEqual([{ kind: 'patch', path: 'doc.md', content: `${diff}\n` }]);
    expect(parsed.rationale).toBe('after');
  });

  it('refuses a hunk with more lines than it counts', () => {
    const diff = ['--- a/x.ts', '+++ b/x.ts', '@@ -1 +1 @@', '-a', '+b', '+c'].join('\n');
    expect(parseArtifacts(fence('diff', diff)).problems).toEqual([expect.stringContaining('more lines than its @@')]);
  });

  it('checks every path a diff names: one bad path refuses the whole diff', () => {
    const escaping = `${changeDiff}\n--- a/../outside.txt\n+++ b/../outside.txt\n@@ -1 +1 @@\n-a\n+b`;
    const parsed = parseArtifacts(fence('diff', escaping));
    expect(parsed.artifacts).toEqual([]);
    expect(parsed.problems).toEqual([expect.stringContaining('leaves its directory')]);
    const renamed = [
      'diff --git a/src/a.ts b/src/a.ts',
      'similarity index 100%',
      'rename from src/a.ts',
      'rename to .git/hooks/pre-commit',
    ].join('\n');
    expect(parseArtifacts(fence('diff', renamed)).problems).toEqual([expect.stringContaining('inside .git')]);
    const created = ['--- /dev/null', '+++ b/.git/hooks/post-checkout', '@@ -0,0 +1 @@', '+evil'].join('\n');
    const refused = parseArtifacts(created);
    expect(refused.artifacts).toEqual([]);
    expect(refused.problems).toEqual([expect.stringContaining('inside .git')]);
  });

  it('refuses a diff that creates a symbolic link or carries a binary', () => {
    const link = [
      'diff --git a/escape b/escape',
      'new file mode 120000',
      '--- /dev/null',
      '+++ b/escape',
      '@@ -0,0 +1 @@',
      '+/etc',
      '\\ No newline at end of file',
    ].join('\n');
    const parsed = parseArtifacts(fence('diff', link));
    expect(parsed.artifacts).toEqual([]);
    expect(parsed.problems).toEqual([expect.stringContaining('symbolic link')]);
    const binary = [
      'diff --git a/logo.png b/logo.png',
      'index 1..2 100644',
      'GIT binary patch',
      'literal 5',
      'abcde',
    ].join('\n');
    expect(parseArtifacts(fence('diff', binary)).problems).toEqual([expect.stringContaining('binary')]);
  });

  it('refuses a patch git could not apply as written (wrong counts, no a/ b/ prefixes)', () => {
    const wrongCounts = ['--- a/x.ts', '+++ b/x.ts', '@@ -1,5 +1,5 @@', ' a', '-b', '+c'].join('\n');
    expect(parseArtifacts(fence('diff', wrongCounts)).problems).toEqual([
      expect.stringContaining('fewer lines than its @@ header'),
    ]);
    const unprefixed = ['--- x.ts', '+++ x.ts', '@@ -1 +1 @@', '-b', '+c'].join('\n');
    expect(parseArtifacts(fence('diff', unprefixed)).problems).toEqual([expect.stringContaining('prefix')]);
  });

  it('reports a diff block without a file header', () => {
    const parsed = parseArtifacts(fence('diff', '-a\n+b'));
    expect(parsed.artifacts).toEqual([]);
    expect(parsed.problems).toEqual([expect.stringContaining('no file header')]);
  });
});

describe('parseArtifacts: bounds', () => {
  it(`keeps at most ${String(ARTIFACT_LIMITS.maxArtifacts)} artifacts and refuses the rest`, () => {
    const answer = Array.from({ length: 22 }, (_, i) => fence(`txt f${String(i)}.txt`, String(i))).join('\n');
    const parsed = parseArtifacts(answer);
    expect(parsed.artifacts).toHaveLength(20);
    expect(parsed.artifacts.at(-1)?.path).toBe('f19.txt');
    expect(parsed.problems).toEqual([
      expect.stringContaining('f20.txt refused: more than 20 artifacts'),
      expect.stringContaining('f21.txt refused: more than 20 artifacts'),
    ]);
  });

  it('refuses one artifact over 256 KiB, and the ones past 1 MiB in all', () => {
    const big = 'x'.repeat(256 * 1024); // with its final newline: one byte over
    const near = 'y'.repeat(250 * 1024);
    const answer = [
      fence('txt big.txt', big),
      ...Array.from({ length: 5 }, (_, i) => fence(`txt n${String(i)}.txt`, near)),
    ].join('\n');
    const parsed = parseArtifacts(answer);
    expect(parsed.artifacts.map((a) => a.path)).toEqual(['n0.txt', 'n1.txt', 'n2.txt', 'n3.txt']);
    expect(parsed.problems).toEqual([
      expect.stringContaining('big.txt refused: 262145 bytes'),
      expect.stringContaining('n4.txt refused: the answer'),
    ]);
  });

  it('counts UTF-8 bytes, not characters', () => {
    const parsed = parseArtifacts(fence('txt e.txt', 'é'.repeat(140 * 1024)));
    expect(parsed.artifacts).toEqual([]);
    expect(parsed.problems).toEqual([expect.stringContaining('e.txt refused: 286721 bytes')]);
  });

  it('cuts the rationale to 8,000 characters and bounds the list of problems', () => {
    const prose = 'word '.repeat(3000);
    const refused = Array.from({ length: 60 }, (_, i) => fence(`sh ../${String(i)}.sh`, 'x')).join('\n');
    const parsed = parseArtifacts(`${prose}\n${refused}`);
    expect(parsed.rationale).toHaveLength(8000);
    expect(parsed.rationale.endsWith('…')).toBe(true);
    expect(parsed.problems).toHaveLength(50);
    expect(parsed.problems.at(-1)).toBe('…and 11 more problems');
  });

  it('shows a hostile path in a problem quoted, on one line and bounded', () => {
    const parsed = parseArtifacts(fence(`sh ../${'a'.repeat(400)}`, 'x'));
    expect(parsed.problems[0]?.length).toBeLessThan(250);
    expect(parsed.problems[0]).toContain('"../aaa');
  });
});

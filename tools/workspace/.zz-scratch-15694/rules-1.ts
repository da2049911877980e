import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { discoverRules, isBlocking, runGuards } from '@agent-harness/rules';

const root = mkdtempSync(join(tmpdir(), 'rules-example-'));
const put = (path: string, text: string, mode = 0o644) => {
  mkdirSync(dirname(join(root, path)), { recursive: true });
  writeFileSync(join(root, path), text, { mode });
};
try {
  put(
    '.harness/rules/team.md',
    '---\npaths: ["src/**/*.ts"]\n---\n## TEAM-01: No TODO left (high)\n\n## TEAM-02: No severity\n',
  );
  const report = 'while IFS=: read -r file line _; do echo "$file:$line:team-01:a TODO is left"; done';
  put('.harness/guards/no-todo.sh', `#!/bin/sh\ngrep -Hn TODO src/*.ts docs/*.md | ${report}\n`, 0o755);
  put('src/app.ts', 'export const answer = 42;\n// TODO: remove\n');
  put('docs/notes.md', 'TODO: write\n');

  // Only this project's rules: no built-ins, an empty home.
  const catalogue = await discoverRules({ projectRoot: root, homeDir: join(root, 'home'), builtin: false });
  assert.deepEqual(
    catalogue.rules.map((r) => `${r.id} ${r.severity}`),
    ['TEAM-01 high'],
  );
  assert.equal(catalogue.problems.length, 1); // TEAM-02: a severity is never guessed
  assert.deepEqual(catalogue.rulesFor('docs/notes.md'), []);

  const scan = await runGuards({ projectRoot: root, catalogue, env: process.env, timeoutMs: 10_000 });
  const found = scan.violations.map((v) => `${v.file}:${String(v.line)} ${v.ruleId} ${v.severity}`);
  assert.deepEqual(found, ['src/app.ts:2 TEAM-01 high']);
  assert.equal(scan.guards[0]?.outOfScope, 1); // docs/ is outside the rule's paths: dropped
  assert.ok(scan.violations.some((v) => isBlocking(v.severity))); // `harness rule check` would exit 1
} finally {
  rmSync(root, { recursive: true, force: true });
}

// Copied into an empty Node project where every @agent-harness tarball was installed, and run there
// (tools/workspace/packed-install.spec.ts): every export of every package loads from its `dist`, and
// the libraries work as a user of the published packages would call them. Throws (node:assert) when
// one does not; prints one JSON line, the specifiers it loaded, when all do.
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const readJson = (relative) => JSON.parse(readFileSync(new URL(relative, import.meta.url), 'utf8'));

// Every entry point each installed package declares, resolved the way Node resolves it for a user:
// no "@agent-harness/source" condition, so `dist`, never `src` (which is not shipped).
const loaded = [];
for (const name of Object.keys(readJson('./package.json').dependencies).sort()) {
  const manifest = readJson(`./node_modules/${name}/package.json`);
  for (const key of Object.keys(manifest.exports ?? {})) {
    const specifier = key === '.' ? name : `${name}${key.slice(1)}`;
    if (key.endsWith('.json')) {
      await import(specifier, { with: { type: 'json' } });
    } else {
      const file = fileURLToPath(import.meta.resolve(specifier));
      assert.match(file, /\/node_modules\/@agent-harness\/[^/]+\/dist\/.+\.js$/, `${specifier} resolves to ${file}`);
      await import(specifier);
    }
    loaded.push(specifier);
  }
}

// core: the configuration from a small TOML file, and every problem named by its TOML path.
const { resolveConfig } = await import('@agent-harness/core');
const toml = '[concurrency]\nmax_concurrent_tasks = 2\n[[projects]]\nname = "app"\nroot = "/srv/app"\n';
const where = { env: {}, homeDir: '/home/me', cwd: '/' };
const config = resolveConfig({ file: { path: 'harness.toml', text: toml }, ...where });
assert.ok(config.ok);
assert.equal(config.value.concurrency.max_concurrent_tasks, 2);
assert.equal(config.value.projects[0]?.name, 'app');
const bad = resolveConfig({
  file: { path: 'harness.toml', text: '[concurrency]\nmax_concurrent_tasks = "two"\n' },
  ...where,
});
assert.ok(!bad.ok);
assert.deepEqual(
  bad.error.problems.map((p) => p.path),
  ['concurrency.max_concurrent_tasks'],
);

// queue: the task id helpers, over the in-memory repository @agent-harness/testing publishes.
const { MIN_TASK_ID_PREFIX, resolveTaskId } = await import('@agent-harness/queue');
const { FAKE_AGENT_BIN_DIR, InMemoryTaskRepository, taskFixture } = await import('@agent-harness/testing');
const tasks = new InMemoryTaskRepository();
const id = '6f1c2a71-5d3e-4b8a-9c0f-1e2d3c4b5a69';
await tasks.create(taskFixture(id), { kind: 'status', data: { to: 'queued' } });
assert.equal(await resolveTaskId(tasks, id.slice(0, MIN_TASK_ID_PREFIX)), id);
await assert.rejects(resolveTaskId(tasks, id.slice(0, 4)), { code: 'INVALID_ARGUMENT' });
await assert.rejects(resolveTaskId(tasks, '00000000'), { code: 'NOT_FOUND' });

// plans: a plan from a Markdown spec, and its Markdown round trip.
const { newPlanId, planFromMarkdown, planFromSpec, planProgress, planToMarkdown } =
  await import('@agent-harness/plans');
const spec = '# Faster start-up\n## Milestones\n- [x] Measure\n- [ ] Load the config lazily\n';
const plan = planFromSpec(spec, { id: newPlanId(), project: 'app', now: new Date() });
assert.equal(plan.purpose, 'Faster start-up');
assert.deepEqual(planProgress(plan), { done: 1, total: 2 });
assert.deepEqual(planFromMarkdown(planToMarkdown(plan)), plan);

// The files beside `dist` that the code reads at run time: built-in rules and skills, the scripted
// agent CLIs of @agent-harness/testing.
const { BUILTIN_RULES_DIR } = await import('@agent-harness/rules');
const { BUILTIN_SKILLS_DIR } = await import('@agent-harness/skills');
for (const dir of [BUILTIN_RULES_DIR, BUILTIN_SKILLS_DIR, FAKE_AGENT_BIN_DIR]) {
  assert.ok(readdirSync(dir).length > 0, `${dir} is shipped and not empty`);
}

// persistence: a new SQLite database, every shipped migration run on it.
const { openDatabase } = await import('@agent-harness/persistence');
const dir = mkdtempSync(join(tmpdir(), 'packed-install-db-'));
try {
  const db = await openDatabase({ file: join(dir, 'harness.db') });
  assert.ok(db.appliedMigrations.length > 0);
  await db.close();
} finally {
  rmSync(dir, { recursive: true, force: true });
}

console.log(JSON.stringify({ loaded }));

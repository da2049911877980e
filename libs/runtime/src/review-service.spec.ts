import { execFileSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { AgentRegistry, type AgentRequest } from '@agent-harness/agents';
import { resolveConfig } from '@agent-harness/core';
import { TypeOrmReviewStore } from '@agent-harness/persistence';
import {
  ScriptedAgentRunner,
  createTempDataDir,
  createTempGitRepo,
  type AgentScript,
  type ScriptedAgentRequest,
  type TempDir,
  type TempGitRepo,
} from '@agent-harness/testing';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createHarness, type Harness } from './harness.js';
import { ReviewService } from '@agent-harness/app';
import { ReviewGit } from '@agent-harness/workspace';

// The periodic review on real parts: a git repository with commits and a guard, SQLite (reviews,
// findings, events), the rule scan; only the agents are scripted.
const answer = (summary: string, findings: object[]): string =>
  `I read the code.\nREVIEW_JSON_START\n${JSON.stringify({ summary, findings })}\nREVIEW_JSON_END`;
const finding = (title: string, severity = 'high', file = 'src/app.ts'): object => ({
  severity,
  title,
  file,
  line: 1,
  description: `${title}: what is wrong`,
});
const says = (text: string, costUsd?: number): AgentScript => ({
  outcome: { finalText: text, ...(costUsd === undefined ? {} : { costUsd }) },
});

describe('ReviewService (real git and SQLite, scripted agents)', () => {
  let data: TempDir;
  let repo: TempGitRepo;
  let harness: Harness | undefined;

  beforeEach(async () => {
    data = await createTempDataDir();
    repo = await createTempGitRepo({ files: { 'README.md': '# app\n', 'src/app.ts': 'export const x = 1;\n' } });
    // A guard with 25 violations: the prompt shows 20 of them.
    mkdirSync(join(repo.path, '.harness', 'guards'), { recursive: true });
    const guard = join(repo.path, '.harness', 'guards', 'todo.sh');
    writeFileSync(guard, 'for i in $(seq 1 25); do echo "src/app.ts:$i:TODO-01:a TODO is left"; done\nexit 0\n');
    chmodSync(guard, 0o755);
    repo.git('add', '.');
    repo.git('commit', '-q', '-m', 'guard');
  });
  afterEach(async () => {
    await harness?.close();
    harness = undefined;
    await data.cleanup();
    await repo.cleanup();
  });

  /** A Harness on `data` with the project, and a ReviewService whose agents are `claude` and `codex` scripts. */
  async function setUp(
    review: string[],
    scripts: { claude: AgentScript[] | ((r: ScriptedAgentRequest) => AgentScript); codex?: AgentScript[] },
    available = ['claude', 'codex'],
  ) {
    const toml = [
      '[server]',
      `data_dir = ${JSON.stringify(data.path)}`,
      '[review]',
      ...review,
      '[[projects]]',
      'name = "app"',
      `root = ${JSON.stringify(repo.path)}`,
    ].join('\n');
    const config = resolveConfig({
      file: { path: join(data.path, 'h.toml'), text: toml },
      env: {},
      homeDir: data.path,
      cwd: data.path,
    });
    if (!config.ok) throw config.error;
    const env = { PATH: process.env['PATH'], HOME: data.path, ...repo.gitEnv };
    const built = await createHarness(config.value, { env, homeDir: data.path });
    harness = built;
    await built.syncProjects();
    const claudeScripts = scripts.claude;
    const claude = new ScriptedAgentRunner(
      'claude',
      typeof claudeScripts === 'function' ? (request) => claudeScripts(request) : claudeScripts,
    );
    const codex = new ScriptedAgentRunner('codex', scripts.codex ?? []);
    const agents = new AgentRegistry(
      [claude, codex],
      (r) => ({ name: r.name, available: available.includes(r.name), detail: '' }),
      config.value.agents,
    );
    const store = new TypeOrmReviewStore(built.database.dataSource);
    let n = 0;
    const reviews = new ReviewService({
      config: config.value,
      projects: built.projects,
      agents,
      store,
      events: built.events,
      telemetry: built.telemetry,
      rules: built.rules,
      git: new ReviewGit(env),
      redact: (text) => text.replaceAll('sk-secret-value', '[REDACTED]'),
      newId: () => `run-${String((n += 1))}`,
    });
    return { built, reviews, claude, codex, store };
  }

  it('reviews read-only, stores the findings, emits periodic_review; skips without new commits; reviews again after one', async () => {
    const first = answer('Mostly sound.', [
      finding('Unchecked input'),
      finding('Token sk-secret-value in code', 'critical'),
    ]);
    // What the reviewer sees of its directory while it runs.
    const seen: { cwd: string; head: string; files: string[] }[] = [];
    const scripts = [says(first, 0.25), says(answer('Better.', [])), says(answer('Forced.', []))];
    const { built, reviews, claude } = await setUp(['enabled = true'], {
      claude: (request) => {
        const cwd = request.cwd;
        seen.push({
          cwd,
          head: execFileSync('git', ['-C', cwd, 'rev-parse', 'HEAD'], { encoding: 'utf8' }).trim(),
          files: readdirSync(cwd).sort(),
        });
        return scripts[seen.length - 1] ?? says(answer('?', []));
      },
    });
    // Uncommitted work in the user's checkout is theirs: the review never sees it.
    writeFileSync(join(repo.path, 'wip.txt'), 'half done\n');
    const head = repo.git('rev-parse', 'HEAD');

    const done = await reviews.run('app');
    expect(done).toMatchObject({
      status: 'done',
      runId: 'run-1',
      head,
      findings: 2,
      strategy: 'single',
      agents: ['claude'],
    });
    const request = claude.calls[0]?.request as AgentRequest;
    expect(request).toMatchObject({ sandboxMode: 'read-only', allowedTools: ['Read', 'Grep', 'Glob'] });
    // A detached worktree of the reviewed head in the data dir, removed once the review is over.
    expect(seen[0]?.cwd).toBe(join(data.path, 'review-worktrees', 'run-1'));
    expect(seen[0]?.head).toBe(head);
    expect(seen[0]?.files).toEqual(['.git', '.harness', 'README.md', 'src']);
    expect(existsSync(join(data.path, 'review-worktrees', 'run-1'))).toBe(false);
    expect(repo.git('worktree', 'list', '--porcelain').match(/^worktree /gm)).toHaveLength(1);
    expect(readFileSync(join(repo.path, 'wip.txt'), 'utf8')).toBe('half done\n');
    expect(request.timeoutMs).toBe(900_000);
    expect(request.prompt).toContain(`at commit "${head}"`);
    expect(request.prompt).toContain('first review of this project');
    expect(request.prompt).toContain('25 violation(s) (showing 20):\n[medium] TODO-01: a TODO is left (src/app.ts:1)');
    expect(request.prompt).toMatch(/<commits>\n[0-9a-f]+ guard\n/);

    const [stored] = await reviews.list({ project: 'app' });
    expect(stored).toMatchObject({ id: 'run-1', status: 'done', head, summary: 'Mostly sound.', costUsd: 0.25 });
    expect(stored?.previousHead).toBeUndefined();
    expect(stored?.findings.map((f) => [f.severity, f.title])).toEqual([
      ['high', 'Unchecked input'],
      ['critical', 'Token [REDACTED] in code'],
    ]);
    await built.telemetry.flush();
    const event = await built.events.latest({ project: 'app', hook: 'periodic_review' });
    expect(event).toMatchObject({
      decision: 'complete',
      tool: 'single',
      reason: `findings=2 strategy=single head=${head.slice(0, 12)}`,
    });
    expect(JSON.parse(event?.detail ?? '{}')).toMatchObject({ runId: 'run-1', head, findings: 2, strategy: 'single' });

    // Nothing committed since: skipped, and no agent runs.
    expect(await reviews.run('app')).toEqual({ status: 'skipped', project: 'app', reason: 'no_new_commits', head });
    expect(claude.calls).toHaveLength(1);

    const next = repo.commitFile('src/new.ts', 'export const y = 2;\n', 'add the y module');
    expect(await reviews.run('app')).toMatchObject({ status: 'done', runId: 'run-2', head: next, findings: 0 });
    const second = claude.calls[1]?.request.prompt ?? '';
    expect(second).toContain(`The last review was of commit "${head}"`);
    expect(second).toMatch(/<commits>\n[0-9a-f]+ add the y module\n<\/commits>/);
    expect(second).toMatch(/<diffstat>\nsrc\/new\.ts \| 1 \+/);
    expect((await reviews.get('run-2'))?.previousHead).toBe(head);

    // --force reviews the same head again.
    expect(await reviews.run('app', { force: true })).toMatchObject({ status: 'done', runId: 'run-3', head: next });
    expect((await reviews.list({})).map((r) => r.id)).toEqual(['run-3', 'run-2', 'run-1']);
  });

  it('stores an answer it cannot read as a failed run with the reason, and reviews the same head again next time', async () => {
    const { built, reviews, claude } = await setUp([], {
      claude: [
        says('Everything looks great, no issues!'),
        says(answer('s', [{ severity: 'info', title: 't', description: 'd' }])),
        says(answer('ok', [])),
      ],
    });
    const failed = await reviews.run('app');
    expect(failed).toMatchObject({ status: 'failed', runId: 'run-1', findings: 0 });
    expect(failed.status === 'failed' && failed.error).toMatch(/claude: no review found/);
    expect(await reviews.get('run-1')).toMatchObject({ status: 'failed', findings: [], summary: '' });
    await built.telemetry.flush();
    expect(await built.events.latest({ project: 'app', hook: 'periodic_review' })).toMatchObject({
      decision: 'warn',
      reason: expect.stringMatching(/^failed: claude: no review found/) as unknown,
    });

    // A failed review is no watermark: the same head is reviewed again.
    const badSeverity = await reviews.run('app');
    expect(badSeverity.status === 'failed' && badSeverity.error).toMatch(/findings\[0\]\.severity must be one of/);
    expect(await reviews.run('app')).toMatchObject({ status: 'done', runId: 'run-3' });
    expect(claude.calls).toHaveLength(3);
  });

  it('cross: two reviewers, then the primary merges; the merged findings are stored', async () => {
    const merged = answer('Merged.', [finding('From both'), finding('Only codex saw this', 'medium', 'src/b.ts')]);
    const { reviews, claude, codex } = await setUp(['strategy = "cross"', 'agent = "claude"'], {
      claude: [says(answer('Claude view.', [finding('From both')]), 0.1), says(merged, 0.05)],
      codex: [
        says(answer('Codex view.', [finding('From both'), finding('Only codex saw this', 'low', 'src/b.ts')]), 0.2),
      ],
    });
    const outcome = await reviews.run('app');
    expect(outcome).toMatchObject({ status: 'done', findings: 2, strategy: 'cross', agents: ['claude', 'codex'] });
    expect(claude.calls).toHaveLength(2);
    expect(codex.calls).toHaveLength(1);
    expect(codex.calls[0]?.request.prompt).toBe(claude.calls[0]?.request.prompt);
    const synthesis = claude.calls[1]?.request.prompt ?? '';
    expect(synthesis).toMatch(/^2 reviewers reviewed the project "app"/);
    expect(synthesis).toContain('"reviewer": "codex"');
    expect(synthesis).toContain('Codex view.');
    const [stored] = await reviews.list({});
    expect(stored).toMatchObject({ summary: 'Merged.', strategy: 'cross', agents: ['claude', 'codex'] });
    expect(stored?.costUsd).toBeCloseTo(0.35);
    expect(stored?.findings.map((f) => [f.title, f.severity])).toEqual([
      ['From both', 'high'],
      ['Only codex saw this', 'medium'],
    ]);
  });

  it('a run may ask for cross over the configured single (JSON-RPC cross_review)', async () => {
    const { reviews, claude, codex } = await setUp(['agent = "claude"'], {
      claude: [says(answer('Claude view.', [finding('A')])), says(answer('Merged.', [finding('A')]))],
      codex: [says(answer('Codex view.', [finding('A')]))],
    });
    const outcome = await reviews.run('app', { strategy: 'cross' });
    expect(outcome).toMatchObject({ status: 'done', strategy: 'cross', agents: ['claude', 'codex'] });
    expect(claude.calls).toHaveLength(2);
    expect(codex.calls).toHaveLength(1);
  });

  it('cross without a second agent says so and reviews with one', async () => {
    const { reviews, claude } = await setUp(['strategy = "cross"'], { claude: [says(answer('Alone.', []))] }, [
      'claude',
    ]);
    const outcome = await reviews.run('app');
    expect(outcome).toMatchObject({ status: 'done', strategy: 'cross', agents: ['claude'] });
    expect(outcome.status === 'done' && outcome.note).toMatch(/no second agent is available besides claude/);
    expect((await reviews.list({}))[0]?.note).toMatch(/one agent reviewed/);
    expect(claude.calls).toHaveLength(1);
  });

  it('refuses an agent that is not installed, an unknown project, and skips an inactive one, before any run', async () => {
    const { built, reviews, claude } = await setUp(['agent = "codex"'], { claude: [] }, ['claude']);
    await expect(reviews.run('app')).rejects.toMatchObject({ code: 'AGENT_UNAVAILABLE' });
    await expect(reviews.run('nope')).rejects.toMatchObject({ code: 'NOT_FOUND' });
    const project = await built.projects.get('app');
    if (project === undefined) throw new Error('no project');
    await built.projects.add({ ...project, name: 'paused', root: data.path, active: false });
    expect(await reviews.run('paused')).toEqual({ status: 'skipped', project: 'paused', reason: 'disabled' });
    expect(claude.calls).toHaveLength(0);
    expect(await reviews.list({})).toEqual([]);
  });

  it('the Harness wires a ReviewService on the database', async () => {
    const { built } = await setUp([], { claude: [] });
    expect(await built.reviews.list({ project: 'app' })).toEqual([]);
  });
});

import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import {
  createTempDir,
  createTempGitRepo,
  FAKE_AGENT_BIN_DIR,
  sandboxAllowWriteToml,
  startFakeGitHub,
  type FakeAgentScenario,
  type FakeGitHub,
  type TempDir,
  type TempGitRepo,
} from '@agent-harness/testing';
import {
  resolveConfig,
  type CreateTaskResponse,
  type ErrorBody,
  type TaskDetail,
  type UsageResponse,
} from '@agent-harness/core';
import { inspectProjectDirectory } from '@agent-harness/runtime';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { bootstrapServer, type RunningServer } from '../../src/bootstrap.js';

// The dashboard in a real browser (Debian's Chromium, driven by playwright-core) against a real
// server on 127.0.0.1: scripted Claude Code implements, scripted Codex reviews, a GitHub stand-in
// takes the pull request. A missing Chromium fails these tests: `.ci/run` installs it.
const CHROMIUM = '/usr/bin/chromium';
const ROOT = join(import.meta.dirname, '..', '..', '..', '..');
/** Every run's screenshots (git-ignored); HARNESS_UPDATE_SCREENSHOTS=1 also refreshes the README's. */
const ARTIFACTS = join(ROOT, 'test-artifacts', 'screenshots');
const DOC_SCREENSHOTS = join(ROOT, 'docs', 'screenshots');
const GITHUB_TOKEN = 'ghp_browser_test_token';
const API_TOKEN = 'dashboard-browser-token-0123456789';
/** axe-core, run inside the page on every view: no `serious` or `critical` finding is allowed. */
const AXE_SOURCE = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');
/** Each page's axe findings (every impact), written to test-artifacts/a11y/axe.json for reading. */
const AXE_FINDINGS: Record<string, { id: string; impact: string | null; nodes: number }[]> = {};

const verdict = (v: object): string => `Reviewed the diff.\n\`\`\`json\n${JSON.stringify(v)}\n\`\`\``;
const APPROVE = verdict({
  verdict: 'approve',
  summary: 'The file is written as asked and the check passes.',
  issues: [{ file: 'dashboard.txt', line: 1, severity: 'low', message: 'a trailing newline would be nicer' }],
});

interface Setup {
  readonly server: RunningServer;
  readonly home: TempDir;
  readonly repo: TempGitRepo;
  readonly github: FakeGitHub;
  /** Created, it lets the scripted implementer go on past its first lines. */
  readonly gate: string;
  /** Created, it lets validation go on (with `gatedValidation`). */
  readonly validationGate: string;
  /** The server's database: tests store tasks and usage straight into it. */
  readonly database: string;
  readonly token: string | undefined;
}

interface ServerOptions {
  readonly token?: string;
  readonly gated: boolean;
  /** Validation waits for `validationGate` before its check. */
  readonly gatedValidation?: boolean;
  /** `[validation] pre_commit`; empty: none configured (and none detected in the README-only repo). */
  readonly preCommit?: readonly string[];
  /** Replaces parts of the scripted implementer. */
  readonly implementer?: Partial<FakeAgentScenario>;
  /** `[approvals] before`: the steps a task is held at until a person approves. */
  readonly approvalsBefore?: readonly ('push' | 'pr' | 'merge')[];
  /** Watch the pull request's CI; the stand-in runs none, so the task waits (`waiting_ci`) for good. */
  readonly watchCi?: boolean;
}

const tomlTable = (env: Record<string, string>): string =>
  Object.entries(env)
    .map(([k, v]) => `${k} = ${JSON.stringify(v)}`)
    .join('\n');

/** A server with project `app` (origin, GitHub `octo/app`), validation, and a gated implementer. */
async function startServer(options: ServerOptions): Promise<Setup> {
  const home = await createTempDir('harness-browser-');
  const repo = await createTempGitRepo({ withOrigin: true });
  const github = await startFakeGitHub({ token: GITHUB_TOKEN });
  const gate = join(home.path, 'gate');
  const validationGate = join(home.path, 'validation-gate');
  const implementer: FakeAgentScenario = {
    text: 'Wrote dashboard.txt as asked.',
    edits: [{ path: 'dashboard.txt', content: 'written by the scripted agent\n' }],
    commands: ['test -f dashboard.txt'],
    usage: { input: 1200, output: 340 },
    cost: 0.0123,
    ...(options.gated ? { startWhenFileExists: gate } : {}),
    ...options.implementer,
  };
  const preCommit = [
    ...(options.gatedValidation === true ? [`while [ ! -f ${validationGate} ]; do sleep 0.05; done`] : []),
    ...(options.preCommit ?? ['test -f dashboard.txt']),
  ];
  const toml = [
    '[server]',
    'http_addr = "127.0.0.1:0"',
    `data_dir = ${JSON.stringify(join(home.path, 'data'))}`,
    ...(options.token === undefined ? [] : [`api_token = ${JSON.stringify(options.token)}`]),
    '[github]',
    `api_url = ${JSON.stringify(github.url)}`,
    // The stand-in runs no CI: a task ends done once its pull request is open, not `waiting_ci`.
    ...(options.watchCi === true ? ['watch_ci = true', 'no_ci = "wait"'] : ['watch_ci = false']),
    ...(options.approvalsBefore === undefined
      ? []
      : ['[approvals]', `before = ${JSON.stringify(options.approvalsBefore)}`]),
    ...(preCommit.length === 0 ? [] : ['[validation]', `pre_commit = ${JSON.stringify(preCommit)}`]),
    '[agents.review]',
    'reviewer_agent = "codex"',
    '[agents.claude]',
    `cli_path = ${JSON.stringify(join(FAKE_AGENT_BIN_DIR, 'claude'))}`,
    '[agents.claude.env]',
    tomlTable({ FAKE_AGENT_SCENARIO: JSON.stringify(implementer) }),
    '[agents.codex]',
    `cli_path = ${JSON.stringify(join(FAKE_AGENT_BIN_DIR, 'codex'))}`,
    '[agents.codex.env]',
    tomlTable({ FAKE_AGENT_SCENARIO: JSON.stringify({ text: APPROVE }) }),
    // The gate file the implementer waits for is here: visible in its sandbox.
    sandboxAllowWriteToml(home.path),
    '[[projects]]',
    'name = "app"',
    `root = ${JSON.stringify(repo.path)}`,
    'repo = "octo/app"',
    'max_concurrent = 3',
    '',
  ].join('\n');
  // The GitHub token comes from the environment only, like a real server's.
  const resolved = resolveConfig({
    file: { path: join(home.path, 'harness.toml'), text: toml },
    env: { GITHUB_TOKEN },
    homeDir: home.path,
    cwd: home.path,
    inspectDirectory: (path) => inspectProjectDirectory(path, { PATH: process.env['PATH'] }),
  });
  if (!resolved.ok) throw resolved.error;
  const config = resolved.value;
  try {
    const server = await bootstrapServer(config, {
      env: { PATH: process.env['PATH'], ...repo.gitEnv, GITHUB_TOKEN },
      sseHeartbeatMs: 1000,
    });
    return {
      server,
      home,
      repo,
      github,
      gate,
      validationGate,
      database: join(home.path, 'data', 'harness.db'),
      token: options.token,
    };
  } catch (error) {
    await github.close();
    await repo.cleanup();
    await home.cleanup();
    throw error;
  }
}

async function stopServer(setup: Setup | undefined): Promise<void> {
  if (setup === undefined) return;
  await setup.server.close();
  await setup.github.close();
  await setup.repo.cleanup();
  await setup.home.cleanup();
}

/**
 * Page errors and console errors (a CSP refusal is one), but not the 401s the token dialog answers
 * (nor the 4xx answers a test provokes on purpose); and any request to another origin.
 */
function collectErrors(page: Page, expectedStatuses: readonly number[] = []): string[] {
  const errors: string[] = [];
  page.on('pageerror', (error) => errors.push(`pageerror: ${error.message}`));
  page.on('console', (message) => {
    const text = message.text();
    if (message.type() !== 'error' || text.includes('status of 401')) return;
    if (expectedStatuses.some((status) => text.includes(`status of ${String(status)}`))) return;
    errors.push(text);
  });
  page.on('request', (request) => {
    const url = new URL(request.url());
    if (/^https?:$/.test(url.protocol) && url.hostname !== '127.0.0.1') errors.push(`request to ${url.origin}`);
  });
  return errors;
}

interface AxeFinding {
  readonly id: string;
  readonly impact: string | null;
  readonly help: string;
  readonly nodes: readonly string[];
}

/**
 * Runs axe-core on the page as it is now: no `serious` or `critical` violation. Evaluated through
 * the browser's debugging protocol: the page's CSP refuses inline scripts, rightly.
 */
async function expectAccessible(page: Page, name: string): Promise<void> {
  if ((await page.evaluate('typeof window.axe')) === 'undefined') await page.evaluate(AXE_SOURCE);
  const findings = await page.evaluate<AxeFinding[]>(`
    window.axe.run(document, { resultTypes: ['violations'] }).then((results) =>
      results.violations.map((v) => ({
        id: v.id,
        impact: v.impact ?? null,
        help: v.help,
        nodes: v.nodes.map((n) => n.target.join(' ')),
      })),
    )
  `);
  AXE_FINDINGS[name] = findings.map((f) => ({ id: f.id, impact: f.impact, nodes: f.nodes.length }));
  expect(
    findings.filter((f) => f.impact === 'serious' || f.impact === 'critical'),
    `axe on ${name}`,
  ).toEqual([]);
}

/** A call to the server's API from the test (with its token, when it has one). */
async function api(
  setup: Setup,
  path: string,
  init: RequestInit = {},
): Promise<{ status: number; body: unknown; text: string }> {
  const headers = new Headers(init.headers);
  if (setup.token !== undefined) headers.set('authorization', `Bearer ${setup.token}`);
  if (init.body !== undefined) headers.set('content-type', 'application/json');
  const res = await fetch(`${setup.server.url}${path}`, { ...init, headers });
  const text = await res.text();
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    body = undefined;
  }
  return { status: res.status, body, text };
}

async function submitByApi(setup: Setup, request: Record<string, unknown>): Promise<string> {
  const res = await api(setup, '/tasks', { method: 'POST', body: JSON.stringify({ project: 'app', ...request }) });
  expect(res.status, res.text).toBe(202);
  return (res.body as CreateTaskResponse).task_id;
}

async function waitForStatus(setup: Setup, id: string, statuses: readonly string[]): Promise<TaskDetail> {
  for (let i = 0; i < 2400; i++) {
    const task = (await api(setup, `/tasks/${id}`)).body as TaskDetail;
    if (statuses.includes(task.status)) return task;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  throw new Error(`task ${id} never reached ${statuses.join(' or ')}`);
}

async function screenshot(page: Page, name: string): Promise<void> {
  mkdirSync(ARTIFACTS, { recursive: true });
  await page.screenshot({ path: join(ARTIFACTS, name), fullPage: true });
  if (process.env['HARNESS_UPDATE_SCREENSHOTS'] === '1') {
    mkdirSync(DOC_SCREENSHOTS, { recursive: true });
    await page.screenshot({ path: join(DOC_SCREENSHOTS, name), fullPage: true });
  }
}

const row = (page: Page, id: string) => page.locator(`#tasks-table tr[data-task-id="${id}"]`);
const rowStatus = (page: Page, id: string) => row(page, id).locator('.status-cell .status');

/** The ids of the table's rows, newest first. */
async function rowIds(page: Page): Promise<string[]> {
  const rows = await page.locator('#tasks-table tr[data-task-id]').all();
  return (await Promise.all(rows.map((r) => r.getAttribute('data-task-id')))).filter((id) => id !== null);
}

/** Submits a prompt from the page's form and answers the new task's id (the row that appears). */
async function submitFromPage(page: Page, prompt: string, description: string): Promise<string> {
  const before = new Set(await rowIds(page));
  await page.locator('#submit-prompt').fill(prompt);
  await page.locator('#submit-description').fill(description);
  await page.locator('#submit-button').click();
  await expectText(page.locator('#notice'), /Submitted task [0-9a-f]{8}/);
  for (let i = 0; i < 200; i++) {
    const added = (await rowIds(page)).find((id) => !before.has(id));
    if (added !== undefined) return added;
    await page.waitForTimeout(50);
  }
  throw new Error(`no row appeared for ${prompt}`);
}

/** Waits (30 s at most) until the locator's text matches. */
async function expectText(locator: ReturnType<Page['locator']>, pattern: RegExp, timeout = 30_000): Promise<void> {
  await locator.first().waitFor({ state: 'attached', timeout });
  const deadline = Date.now() + timeout;
  let text = '';
  while (Date.now() < deadline) {
    text = (await locator.first().textContent()) ?? '';
    if (pattern.test(text)) return;
    await locator.page().waitForTimeout(50);
  }
  throw new Error(`expected ${String(pattern)}, last saw ${JSON.stringify(text)}`);
}

/** A stored task: what the list shows of it. */
interface StoredTask {
  readonly id: string;
  readonly status: 'done' | 'failed';
  readonly title: string;
}

/**
 * Finished tasks written straight into the server's database, newest first in the answer (the
 * engine starts none of them): every 3rd of project `lib`, every 4th failed, every 2nd by codex,
 * every 10th titled with "needle".
 */
function storeTasks(database: string, count: number): StoredTask[] {
  const db = new BetterSqlite3(database);
  const insert = db.prepare(
    `INSERT INTO tasks (id, project, kind, prompt, description, agent_used, status, attempt, input_tokens, output_tokens, created_at, updated_at, version)
     VALUES (?, ?, 'prompt', 'x', ?, ?, ?, 1, 0, 0, ?, ?, 1)`,
  );
  const tasks: StoredTask[] = [];
  for (let i = 0; i < count; i++) {
    const id = `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`;
    const at = new Date(Date.UTC(2026, 10, 1, 0, i)).toISOString();
    const status = i % 4 === 0 ? 'failed' : 'done';
    const title = i % 10 === 0 ? `Fix the needle ${String(i)}` : `Routine task ${String(i)}`;
    insert.run(id, i % 3 === 0 ? 'lib' : 'app', title, i % 2 === 0 ? 'codex' : 'claude', status, at, at);
    tasks.push({ id, status, title });
  }
  db.close();
  return tasks.reverse();
}

/** Agent runs written straight into the spend ledger. */
function storeUsage(
  database: string,
  runs: readonly { day: string; project: string; input: number; output: number; cost: number }[],
): void {
  const db = new BetterSqlite3(database);
  const insert = db.prepare(
    `INSERT INTO task_usage (task_id, project, agent, role, model, day, at, input_tokens, cached_input_tokens, cache_write_tokens, output_tokens, turns, cost_usd, priced_by)
     VALUES (?, ?, 'claude', 'implementer', 'sonnet', ?, ?, ?, 0, 0, ?, 1, ?, 'agent')`,
  );
  runs.forEach((run, i) => {
    insert.run(`usage-${String(i)}`, run.project, run.day, `${run.day}T12:00:00.000Z`, run.input, run.output, run.cost);
  });
  db.close();
}

/** The day `n` days before a day ("YYYY-MM-DD"). */
function dayBefore(day: string, n: number): string {
  return new Date(Date.parse(`${day}T00:00:00Z`) - n * 86_400_000).toISOString().slice(0, 10);
}

/** The branches of a bare repository (the project's `origin`): what was pushed. */
function originBranches(repo: TempGitRepo): string[] {
  if (repo.originPath === undefined) throw new Error('the repository has no origin');
  const out = execFileSync('git', ['for-each-ref', '--format=%(refname:short)', 'refs/heads'], {
    cwd: repo.originPath,
    env: { ...process.env, ...repo.gitEnv },
    encoding: 'utf8',
  });
  return out.split('\n').filter((line) => line !== '');
}

/** Text for a RegExp that matches it literally. */
function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

describe('web dashboard in Chromium', () => {
  let browser: Browser;
  let context: BrowserContext | undefined;
  let setup: Setup | undefined;

  beforeAll(async () => {
    if (!existsSync(CHROMIUM))
      throw new Error(`${CHROMIUM} is missing: install Debian's chromium (apt-get install -y chromium; .ci/run does)`);
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
  });
  afterAll(async () => {
    await browser.close();
    mkdirSync(join(ROOT, 'test-artifacts', 'a11y'), { recursive: true });
    writeFileSync(join(ROOT, 'test-artifacts', 'a11y', 'axe.json'), `${JSON.stringify(AXE_FINDINGS, null, 2)}\n`);
  });
  afterEach(async () => {
    await context?.close();
    context = undefined;
    await stopServer(setup);
    setup = undefined;
  });

  it('submits from the page, follows the status to done live, opens the task, cancels another', async () => {
    setup = await startServer({ gated: true });
    context = await browser.newContext({ viewport: { width: 1360, height: 900 } });
    const page = await context.newPage();
    const errors = collectErrors(page);
    await page.goto(`${setup.server.url}/`);
    await expectText(page.locator('#live'), /^live$/);
    await expectText(page.locator('#submit-project'), /app/);
    // The agents this server can run (GET /api/agents), then auto.
    await expectText(page.locator('#submit-agent'), /^project defaultclaude.*auto$/);

    const first = await submitFromPage(page, 'Write dashboard.txt with one line.', 'Add dashboard.txt');
    await expectText(rowStatus(page, first), /^running$/);
    const second = await submitFromPage(page, 'A second task, to be cancelled.', 'Task to cancel');
    await expectText(rowStatus(page, second), /^running$/);
    // Set once; a reload would lose it: everything below must arrive live.
    await page.evaluate('window.notReloaded = true');

    // Cancel the second from its page.
    await row(page, second).locator('a').first().click();
    await expectText(page.locator('#task-title'), /Task to cancel/);
    await expectText(page.locator('#task-history'), /queued.*preparing.*running/s);
    // Before validation: the panels say it has not run yet, not "no validation".
    await expectText(page.locator('#validation-state'), /^Not run yet: validation runs once the agent has finished\.$/);
    await expectText(page.locator('#review-state'), /^Not reviewed yet/);
    await page.locator('#cancel-task').click();
    await expectText(page.locator('[data-fact="status"]'), /^cancelled$/);
    await expectText(page.locator('#task-history'), /cancelled/);
    await page.waitForSelector('#cancel-task', { state: 'detached' });
    await expectText(page.locator('#validation-state'), /^Not reached: the task was cancelled before validation\.$/);
    await expectText(page.locator('#review-state'), /^Not reached: the task was cancelled before review\.$/);
    await page.locator('#retry-task').waitFor();
    await page.locator('a[href="#/"]').first().click();
    await expectText(rowStatus(page, second), /^cancelled$/);
    await expectText(rowStatus(page, first), /^running$/);

    // Let the first go on: running → validating → committing → reviewing → done, without a reload.
    const seen = new Set<string>();
    const watching = (async () => {
      for (let i = 0; i < 1200 && !seen.has('done'); i++) {
        seen.add((await rowStatus(page, first).textContent()) ?? '');
        await page.waitForTimeout(25);
      }
    })();
    writeFileSync(setup.gate, '');
    await expectText(rowStatus(page, first), /^done$/, 60_000);
    await watching;
    expect([...seen].filter((s) => !['running', 'done'].includes(s)).length, [...seen].join(',')).toBeGreaterThan(0);
    expect(await page.evaluate('window.notReloaded')).toBe(true);
    await expectText(row(page, first).locator('.grade'), /^[A-D]$/);
    await expectText(row(page, first).locator('a[href*="/pull/"]'), /#\d+/);
    await expectText(page.locator('[data-card="done"] b'), /^1$/);
    // Today's spend (GET /api/usage); no daily limit is configured here.
    await expectText(page.locator('[data-card="spend"] b'), /^\$\d+\.\d{2}$/);
    // The health grade is the projects' (the report's), labelled so beside the tasks' own grades.
    await expectText(page.locator('[data-card="grade"] span'), /^Health \(all projects, 30 days\)$/);
    await screenshot(page, 'dashboard.png');
    await expectAccessible(page, 'tasks list');

    // The finished task's page: detail, diff stat, validation, review, PR, grade, agent stream.
    await row(page, first).locator('a').first().click();
    await expectText(page.locator('#task-title'), /Add dashboard\.txt/);
    await expectText(page.locator('[data-fact="status"]'), /^done$/);
    await expectText(page.locator('#diff-total'), /1 file changed, \+1 -0/);
    await expectText(page.locator('#task-diff table'), /dashboard\.txt/);
    // The whole change, file by file, its added line marked.
    await expectText(page.locator('#task-patch details[data-file="dashboard.txt"] summary'), /^dashboard\.txt$/);
    await expectText(page.locator('#task-patch details[data-file="dashboard.txt"] .plus').last(), /^\+/);
    await expectText(page.locator('[data-validation]').first(), /validation: passed/);
    await expectText(page.locator('[data-verdict="approve"]'), /approved.*trailing newline/s);
    await expectText(page.locator('[data-fact="pull request"] a'), /\/pull\/\d+$/);
    await expectText(page.locator('[data-fact="grade"]'), /^[A-D]/);
    await expectText(page.locator('#task-stream'), /Wrote dashboard\.txt as asked\./);
    await expectText(page.locator('#task-stream'), /implementer · claude/);
    await expectText(page.locator('#task-stream'), /reviewer · codex/);
    expect(await page.locator('#cancel-task').count()).toBe(0);
    // Done: no retry; the runs speak for themselves, no extra note.
    expect(await page.locator('#retry-task').count()).toBe(0);
    expect(await page.locator('#validation-state').getAttribute('data-state')).toBe('ran');
    expect(await page.locator('#validation-state').isHidden()).toBe(true);
    expect(await page.locator('#review-state').getAttribute('data-state')).toBe('ran');
    await screenshot(page, 'task.png');
    await expectAccessible(page, 'task page (done)');

    // Projects: limits, queue and grade.
    await page.locator('nav a[data-nav="projects"]').click();
    const app = page.locator('#projects-table tr[data-project="app"]');
    await expectText(app.locator('[data-col="limit"]'), /^3$/);
    await expectText(app.locator('[data-col="running"]'), /^0$/);
    await expectText(app.locator('[data-col="queued"]'), /^0$/);
    await expectText(app.locator('[data-col="done"]'), /^[1-9]\d*$/);
    await expectText(app.locator('[data-col="failed"]'), /^\d+$/);
    await expectText(page.locator('#projects-global'), /at most 4 at once/);
    await screenshot(page, 'projects.png');
    await expectAccessible(page, 'projects');

    expect(errors).toEqual([]);
  });

  it('asks for the token once per browser session, sends it on every call, and shows hostile text as text', async () => {
    setup = await startServer({ token: API_TOKEN, gated: false });
    context = await browser.newContext();
    const page = await context.newPage();
    const errors = collectErrors(page);
    const apiCalls: { path: string; auth: string | undefined }[] = [];
    page.on('request', (request) => {
      const path = new URL(request.url()).pathname;
      if (path !== '/' && !path.startsWith('/web/')) apiCalls.push({ path, auth: request.headers()['authorization'] });
    });
    await page.goto(`${setup.server.url}/`);
    // The page loads without the token; the API's 401 opens the dialog.
    const dialog = page.locator('#token-dialog');
    await dialog.waitFor({ state: 'visible' });
    await expectAccessible(page, 'token dialog');
    await page.locator('#token-input').fill('not-the-token');
    await page.locator('#token-form button').click();
    await expectText(page.locator('#token-error'), /refused/);
    await page.locator('#token-input').fill(API_TOKEN);
    await page.locator('#token-form button').click();
    await dialog.waitFor({ state: 'hidden' });
    await expectText(page.locator('#live'), /^live$/);
    await expectText(page.locator('#submit-project'), /app/);
    expect(await page.evaluate("sessionStorage.getItem('harness.api_token')")).toBe(API_TOKEN);

    // Text from a task is shown as text: no element is made from it, no script runs.
    const hostile = '<img src=x onerror="window.pwned=1"><script>window.pwned=2</script>';
    const id = await submitFromPage(page, hostile, '');
    await expectText(row(page, id).locator('td').nth(1), /<img src=x onerror=/);
    await expectText(rowStatus(page, id), /^done$/, 60_000);
    await row(page, id).locator('a').first().click();
    await expectText(page.locator('#task-prompt'), /<script>window\.pwned=2<\/script>/);
    expect(await page.locator('main img, main script').count()).toBe(0);
    expect(await page.evaluate('window.pwned')).toBeUndefined();

    // The same session keeps the token across a reload: no second question.
    await page.reload();
    await expectText(page.locator('[data-fact="status"]'), /^done$/);
    expect(await dialog.isVisible()).toBe(false);
    const refused = apiCalls.filter((c) => c.auth !== `Bearer ${API_TOKEN}`);
    // Only the calls made before the token was entered went without it (or with the wrong one).
    expect(refused.length).toBeGreaterThan(0);
    expect(refused.every((c) => c.auth === undefined || c.auth === 'Bearer not-the-token')).toBe(true);
    const afterToken = apiCalls.slice(apiCalls.findIndex((c) => c.auth === `Bearer ${API_TOKEN}`));
    expect(afterToken.every((c) => c.auth === `Bearer ${API_TOKEN}`)).toBe(true);
    expect(afterToken.map((c) => c.path)).toEqual(
      expect.arrayContaining(['/api/tasks/stream', '/tasks', '/api/projects', `/tasks/${id}`, `/tasks/${id}/stream`]),
    );

    // A new browser session asks again.
    const other = await browser.newContext();
    try {
      const fresh = await other.newPage();
      await fresh.goto(`${setup.server.url}/`);
      await fresh.locator('#token-dialog').waitFor({ state: 'visible' });
    } finally {
      await other.close();
    }
    expect(errors).toEqual([]);
  });
  it('filters, searches and pages the task list from the hash, keeps it on reload, and counts new tasks', async () => {
    setup = await startServer({ gated: false });
    const stored = storeTasks(setup.database, 60);
    context = await browser.newContext({ viewport: { width: 1360, height: 900 } });
    const page = await context.newPage();
    const errors = collectErrors(page);
    const done = stored.filter((t) => t.status === 'done');

    // A shared link: status and page size from the hash.
    await page.goto(`${setup.server.url}/#/?status=done&limit=25`);
    await expectText(page.locator('#tasks-range'), /^1–25 of 45$/);
    expect(await page.locator('#filter-status').inputValue()).toBe('done');
    expect(await page.locator('#page-size').inputValue()).toBe('25');
    expect(await rowIds(page)).toEqual(done.slice(0, 25).map((t) => t.id));
    expect(await page.locator('#page-previous').isDisabled()).toBe(true);

    // The next page, kept in the hash: a reload shows the same page.
    await page.locator('#page-next').click();
    await expectText(page.locator('#tasks-range'), /^26–45 of 45$/);
    expect(new URL(page.url()).hash).toBe('#/?status=done&limit=25&offset=25');
    expect(await rowIds(page)).toEqual(done.slice(25).map((t) => t.id));
    expect(await page.locator('#page-next').isDisabled()).toBe(true);
    await page.reload();
    await expectText(page.locator('#tasks-range'), /^26–45 of 45$/);
    expect(await rowIds(page)).toEqual(done.slice(25).map((t) => t.id));
    await page.locator('#page-previous').click();
    await expectText(page.locator('#tasks-range'), /^1–25 of 45$/);

    // Words of the title, then the agent: back to the first page each time.
    await page.locator('#filter-q').fill('NEEDLE');
    await expectText(page.locator('#tasks-range'), /^1–3 of 3$/);
    const needles = done.filter((t) => t.title.includes('needle'));
    expect(await rowIds(page)).toEqual(needles.map((t) => t.id));
    expect(new URL(page.url()).hash).toBe('#/?status=done&q=NEEDLE&limit=25');
    await page.locator('#filter-agent').selectOption('claude');
    await expectText(page.locator('#tasks-range'), /^0 of 0$/);
    await expectText(page.locator('#no-tasks'), /^No task matches these filters\.$/);
    await page.locator('#filter-agent').selectOption('codex');
    await expectText(page.locator('#tasks-range'), /^1–3 of 3$/);
    await expectAccessible(page, 'tasks list (filtered)');

    // A project from a shared link, though no project of that name is registered any more.
    await page.goto(`${setup.server.url}/#/?project=lib&limit=100`);
    await page.reload();
    await expectText(page.locator('#tasks-range'), /^1–20 of 20$/);
    expect(await page.locator('#filter-project').inputValue()).toBe('lib');

    // New tasks on a filtered page: counted in a hint (only those the filters match), shown on a click.
    await page.goto(`${setup.server.url}/#/?q=needle`);
    await page.reload();
    await expectText(page.locator('#tasks-range'), /^1–6 of 6$/);
    await expectText(page.locator('#live'), /^live$/);
    const other = await submitByApi(setup, { prompt: 'Write dashboard.txt.', description: 'Unrelated work' });
    const needle = await submitByApi(setup, { prompt: 'Write dashboard.txt.', description: 'Another needle' });
    await expectText(page.locator('#new-tasks'), /^1 new task: show$/);
    expect(await rowIds(page)).not.toContain(needle);
    await page.locator('#new-tasks').click();
    await expectText(page.locator('#tasks-range'), /^1–7 of 7$/);
    expect((await rowIds(page))[0]).toBe(needle);
    expect(await rowIds(page)).not.toContain(other);
    expect(await page.locator('#new-tasks').isHidden()).toBe(true);
    expect(errors).toEqual([]);
  });

  it('charts spend and tokens per day and project (uPlot, served by the server), with the same numbers in a table', async () => {
    setup = await startServer({ gated: false });
    const today = ((await api(setup, '/api/usage?since=today')).body as UsageResponse).until;
    storeUsage(setup.database, [
      { day: today, project: 'app', input: 1000, output: 200, cost: 0.25 },
      { day: today, project: 'app', input: 3000, output: 600, cost: 0.25 },
      { day: today, project: 'lib', input: 5000, output: 1000, cost: 1.25 },
      { day: dayBefore(today, 1), project: 'app', input: 2000, output: 400, cost: 0.3 },
      { day: dayBefore(today, 20), project: 'app', input: 9000, output: 900, cost: 2 },
    ]);
    context = await browser.newContext({ viewport: { width: 1360, height: 900 } });
    const page = await context.newPage();
    const errors = collectErrors(page);
    const libraryFiles: string[] = [];
    page.on('response', (res) => {
      if (res.url().includes('/web/uplot.'))
        libraryFiles.push(`${String(res.status())} ${new URL(res.url()).pathname}`);
    });
    await page.goto(`${setup.server.url}/`);
    await page.locator('nav a[data-nav="usage"]').click();
    await expectText(
      page.locator('#usage-totals'),
      /: \$2\.05, 11,000 input and 2,200 output tokens in 4 agent runs\.$/,
    );
    // Two charts drawn on canvases, a line per project (the legend lists the day and each project).
    for (const chart of ['#usage-spend-chart', '#usage-token-chart']) {
      await page.locator(`${chart} canvas`).first().waitFor();
      expect(await page.locator(`${chart} .u-legend .u-series`).allTextContents()).toEqual([
        expect.stringMatching(/^Day/) as string,
        expect.stringMatching(/^app/) as string,
        expect.stringMatching(/^lib/) as string,
      ]);
      const size = await page.locator(`${chart} canvas`).first().boundingBox();
      expect(size?.width).toBeGreaterThan(400);
      expect(size?.height).toBeGreaterThan(100);
    }
    // The canvas holds a drawing, not a blank.
    expect(
      await page.evaluate(`(() => {
        const canvas = document.querySelector('#usage-spend-chart canvas');
        const pixels = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height).data;
        let drawn = 0;
        for (let i = 3; i < pixels.length; i += 4) if (pixels[i] !== 0) drawn++;
        return drawn;
      })()`),
    ).toBeGreaterThan(500);
    expect(libraryFiles.sort()).toEqual(['200 /web/uplot.esm.js', '200 /web/uplot.min.css']);
    const todayApp = page.locator(`#usage-table tr[data-day="${today}"][data-project="app"] td`);
    expect(await todayApp.allTextContents()).toEqual(['app', '2', '4,000', '800', '$0.50']);
    expect(await page.locator('#usage-table tbody tr').count()).toBe(3);
    await expectText(page.locator('#usage-projects tr[data-project="lib"]'), /^lib1\s*5,0001,000\$1\.25$/);
    await screenshot(page, 'usage.png');
    await expectAccessible(page, 'usage');

    // The last 30 days, kept in the hash; then one project.
    await page.locator('#usage-range').selectOption('30');
    await expectText(page.locator('#usage-totals'), /: \$4\.05, /);
    expect(new URL(page.url()).hash).toBe('#/usage?days=30');
    await page.locator(`#usage-table tr[data-day="${dayBefore(today, 20)}"]`).waitFor();
    await page.reload();
    await expectText(page.locator('#usage-totals'), /: \$4\.05, /);
    expect(await page.locator('#usage-range').inputValue()).toBe('30');
    await page.locator('#usage-project').selectOption('app');
    await expectText(page.locator('#usage-totals'), /: \$2\.80, /);
    expect(new URL(page.url()).hash).toBe('#/usage?days=30&project=app');
    expect(await page.locator('#usage-spend-chart .u-legend .u-series').count()).toBe(2);
    expect(errors).toEqual([]);
  });

  it('adds a project, edits it, and shows the API refusals in its own words (409 for a config project)', async () => {
    setup = await startServer({ gated: false });
    const lib = await createTempGitRepo();
    try {
      context = await browser.newContext({ viewport: { width: 1360, height: 900 } });
      const page = await context.newPage();
      const errors = collectErrors(page, [400, 409]);
      await page.goto(`${setup.server.url}/#/projects`);
      await page.locator('#projects-table tr[data-project="app"]').waitFor();

      // A root that is no repository: the server's message, as it words it.
      const badRoot = join(setup.home.path, 'no-such-repo');
      await page.locator('#add-name').fill('lib');
      await page.locator('#add-root').fill(badRoot);
      await page.locator('#add-button').click();
      const refused = await api(setup, '/api/projects', {
        method: 'POST',
        body: JSON.stringify({ name: 'lib', root: badRoot, active: true }),
      });
      expect(refused.status).toBe(400);
      const refusal = (refused.body as ErrorBody).error;
      await expectText(page.locator('#add-error'), new RegExp(`^${escape(`${refusal.code}: ${refusal.message}`)}$`));

      await page.locator('#add-root').fill(lib.path);
      await page.locator('#add-max-concurrent').fill('2');
      await page.locator('#add-repo').fill('octo/lib');
      await page.locator('#add-base-branch').fill('main');
      await page.locator('#add-button').click();
      await expectText(page.locator('#notice'), /^Added project lib\.$/);
      const row = page.locator('#projects-table tr[data-project="lib"]');
      await expectText(row.locator('[data-col="limit"]'), /^2$/);
      await expectText(row.locator('[data-col="repo"]'), /^octo\/lib$/);
      await expectText(row.locator('[data-col="base"]'), /^main$/);
      await expectText(row.locator('[data-col="state"]'), /^active \(API\)$/);

      // Edit: the form holds its values; only what changed is sent.
      await row.locator('button[data-edit="lib"]').click();
      await expectText(page.locator('#edit-title'), /^Edit project lib$/);
      expect(await page.locator('#edit-max-concurrent').inputValue()).toBe('2');
      expect(await page.locator('#edit-repo').inputValue()).toBe('octo/lib');
      await expectAccessible(page, 'projects (add and edit forms)');
      await page.locator('#edit-max-concurrent').fill('5');
      await page.locator('#edit-active').uncheck();
      await page.locator('#edit-save').click();
      await expectText(page.locator('#notice'), /^Saved project lib\.$/);
      await expectText(row.locator('[data-col="limit"]'), /^5$/);
      await expectText(row.locator('[data-col="state"]'), /^inactive \(API\)$/);
      expect(await page.locator('#edit-project').isHidden()).toBe(true);

      // A project of the config file: the server's 409, word for word.
      await page.locator('button[data-edit="app"]').click();
      await page.locator('#edit-max-concurrent').fill('7');
      await page.locator('#edit-save').click();
      const conflict = await api(setup, '/api/projects/app', {
        method: 'PATCH',
        body: JSON.stringify({ max_concurrent: 7 }),
      });
      expect(conflict.status).toBe(409);
      const answer = (conflict.body as ErrorBody).error;
      await expectText(page.locator('#edit-error'), new RegExp(`^${escape(`${answer.code}: ${answer.message}`)}$`));
      await expectText(page.locator('#projects-table tr[data-project="app"] [data-col="limit"]'), /^3$/);
      expect(errors).toEqual([]);
    } finally {
      await lib.cleanup();
    }
  });

  it('retries a cancelled task with the same work, and says "Validating…" while it validates', async () => {
    setup = await startServer({ gated: true, gatedValidation: true });
    const first = await submitByApi(setup, {
      prompt: 'Write dashboard.txt with one line.',
      description: 'Retry me',
      agent: 'claude',
    });
    context = await browser.newContext({ viewport: { width: 1360, height: 900 } });
    const page = await context.newPage();
    const errors = collectErrors(page);
    await page.goto(`${setup.server.url}/#/tasks/${first}`);
    await expectText(page.locator('[data-fact="status"]'), /^running$/);
    await page.locator('#cancel-task').click();
    await expectText(page.locator('[data-fact="status"]'), /^cancelled$/);
    await expectAccessible(page, 'task page (cancelled)');

    await page.locator('#retry-task').click();
    await page.waitForURL((url) => /^#\/tasks\/[0-9a-f-]{36}$/.test(url.hash) && !url.hash.endsWith(first));
    const second = new URL(page.url()).hash.slice('#/tasks/'.length);
    await expectText(
      page.locator('#notice'),
      new RegExp(`^Retried as task ${second.slice(0, 8)} \\((running|queued)\\)\\.$`),
    );
    await expectText(page.locator('#task-title'), /^Retry me$/);
    const retried = (await api(setup, `/tasks/${second}`)).body as TaskDetail;
    const original = (await api(setup, `/tasks/${first}`)).body as TaskDetail;
    expect(retried).toMatchObject({
      project: original.project,
      kind: 'prompt',
      prompt: original.prompt,
      description: original.description,
      requested_agent: 'claude',
    });

    // The agent finishes; validation waits for its gate: the panel says it is running now.
    writeFileSync(setup.gate, '');
    await expectText(page.locator('[data-fact="status"]'), /^validating$/);
    await expectText(page.locator('#validation-state'), /^Validating…$/);
    await expectText(page.locator('#review-state'), /^Not reviewed yet/);
    writeFileSync(setup.validationGate, '');
    await expectText(page.locator('[data-fact="status"]'), /^done$/, 60_000);
    await expectText(page.locator('[data-validation]').first(), /validation: passed/);
    expect(await page.locator('#validation-state').isHidden()).toBe(true);
    await expectText(page.locator('[data-verdict="approve"]'), /approved/);
    expect(errors).toEqual([]);
  });

  it('holds tasks before their push: approves one and rejects another from the page, and shows a 409 in its own words', async () => {
    setup = await startServer({ gated: false, approvalsBefore: ['push'] });
    const work = { prompt: 'Write dashboard.txt with one line.' };
    const approved = await submitByApi(setup, { ...work, description: 'Approve my push' });
    const rejected = await submitByApi(setup, { ...work, description: 'Reject my push' });
    const stale = await submitByApi(setup, { ...work, description: 'Decided elsewhere' });
    for (const id of [approved, rejected, stale]) {
      const held = await waitForStatus(setup, id, ['awaiting_approval', 'done', 'failed', 'cancelled']);
      expect(held.status, id).toBe('awaiting_approval');
      expect(held.approval).toMatchObject({ stage: 'push' });
    }
    // Held before the push: nothing of theirs is on origin yet.
    expect(originBranches(setup.repo)).toEqual(['main']);
    context = await browser.newContext({ viewport: { width: 1360, height: 900 } });
    const page = await context.newPage();
    const errors = collectErrors(page, [409]);

    // The status filter knows the new status; the badge says it.
    await page.goto(`${setup.server.url}/#/?status=awaiting_approval`);
    await expectText(page.locator('#tasks-range'), /^1–3 of 3$/);
    await expectText(rowStatus(page, approved), /^awaiting_approval$/);
    expect(await page.locator('#filter-status').inputValue()).toBe('awaiting_approval');

    // The held task's page: what is held and since when, its change right there, Approve / Reject.
    await row(page, approved).locator('a').first().click();
    await expectText(page.locator('[data-fact="status"]'), /^awaiting_approval$/);
    await expectText(page.locator('#task-phase'), /^Waiting for a person's approval/);
    await expectText(page.locator('#approval-held'), /^Held before its push since .+\.$/);
    expect(await page.locator('#approval-held').getAttribute('data-stage')).toBe('push');
    await expectText(page.locator('#approval-effects'), /Reject: the task is cancelled and nothing is pushed\./);
    await expectText(page.locator('#approval-change'), /^The change: 1 file changed, \+1 -0/);
    await expectText(page.locator('#task-patch details[data-file="dashboard.txt"] .plus').last(), /^\+/);
    await expectText(page.locator('[data-validation]').first(), /validation: passed/);
    await expectText(page.locator('#review-state'), /^Waiting for a person's approval/);
    await page.locator('#approval-diff').click();
    expect(await page.evaluate('document.activeElement && document.activeElement.id')).toBe('diff-panel');
    // Reject asks for a reason in a form; Back closes it and sends nothing.
    await page.locator('#reject-task').click();
    await page.locator('#reject-form').waitFor({ state: 'visible' });
    expect(await page.locator('#reject-task').getAttribute('aria-expanded')).toBe('true');
    await screenshot(page, 'task-approval.png');
    await expectAccessible(page, 'task page (awaiting approval, reject form open)');
    await page.locator('#reject-back').click();
    await page.locator('#reject-form').waitFor({ state: 'hidden' });

    // Approve: the API sees it; the task pushes, opens its pull request and ends done, live.
    await page.locator('#approve-task').click();
    await expectText(page.locator('#notice'), /^Approved: the task goes on\.$/);
    await expectText(page.locator('[data-fact="status"]'), /^done$/, 60_000);
    await page.locator('#task-approval').waitFor({ state: 'hidden' });
    await expectText(page.locator('#task-history'), /awaiting_approval.*queued.*done/s);
    await expectText(page.locator('[data-verdict="approve"]'), /approved/);
    const done = (await api(setup, `/tasks/${approved}`)).body as TaskDetail;
    expect(done).toMatchObject({ status: 'done', approval: null });
    expect(done.history.map((entry) => entry.to)).toContain('awaiting_approval');
    expect(done.branch).not.toBeNull();
    expect(originBranches(setup.repo)).toContain(done.branch);

    // Reject with a reason: the task is cancelled, rejected; nothing of it is pushed.
    await page.goto(`${setup.server.url}/#/tasks/${rejected}`);
    await expectText(page.locator('#approval-held'), /^Held before its push/);
    await page.locator('#reject-task').click();
    await page.locator('#reject-reason').fill('Not this way: keep the file out.');
    await page.locator('#reject-confirm').click();
    await expectText(page.locator('#notice'), /^Rejected\.$/);
    await expectText(page.locator('[data-fact="status"]'), /^cancelled$/);
    await expectText(page.locator('#task-error'), /^rejected: /);
    const cancelled = (await api(setup, `/tasks/${rejected}`)).body as TaskDetail;
    expect(cancelled).toMatchObject({ status: 'cancelled', failure_class: 'rejected', approval: null });
    expect(JSON.stringify(cancelled)).toContain('Not this way: keep the file out.');
    expect(originBranches(setup.repo).sort()).toEqual([done.branch, 'main'].sort());

    // A page that missed the decision (its stream held back): the server's 409, word for word.
    await page.route('**/tasks/*/stream', (route) => route.fulfill({ status: 204 }));
    await page.goto(`${setup.server.url}/#/tasks/${stale}`);
    await expectText(page.locator('#approval-held'), /^Held before its push/);
    const elsewhere = await api(setup, `/tasks/${stale}/approve`, { method: 'POST', body: '{}' });
    expect(elsewhere.status, elsewhere.text).toBe(200);
    await waitForStatus(setup, stale, ['done', 'failed']);
    await page.locator('#approve-task').click();
    const conflict = await api(setup, `/tasks/${stale}/approve`, { method: 'POST', body: '{}' });
    expect(conflict.status).toBe(409);
    const answer = (conflict.body as ErrorBody).error;
    await expectText(page.locator('#notice'), new RegExp(`^${escape(`${answer.code}: ${answer.message}`)}$`));
    await page.locator('#task-approval').waitFor({ state: 'hidden' });
    await expectText(page.locator('[data-fact="status"]'), /^done$/);
    expect(errors).toEqual([]);
  });

  it("says a task waits for its pull request's CI, and offers a follow-up there", async () => {
    setup = await startServer({ gated: false, watchCi: true });
    const id = await submitByApi(setup, { prompt: 'Write dashboard.txt with one line.', description: 'Watch my CI' });
    expect((await waitForStatus(setup, id, ['waiting_ci', 'done', 'failed'])).status).toBe('waiting_ci');
    context = await browser.newContext({ viewport: { width: 1360, height: 900 } });
    const page = await context.newPage();
    const errors = collectErrors(page);
    await page.goto(`${setup.server.url}/#/?status=waiting_ci`);
    await expectText(page.locator('#tasks-range'), /^1–1 of 1$/);
    await expectText(rowStatus(page, id), /^waiting_ci$/);
    await row(page, id).locator('a').first().click();
    await expectText(page.locator('[data-fact="status"]'), /^waiting_ci$/);
    await expectText(page.locator('#task-phase'), /^Waiting for the pull request's CI/);
    await expectText(page.locator('[data-fact="pull request"] a'), /\/pull\/\d+$/);
    await expectText(page.locator('[data-verdict="approve"]'), /approved/);
    expect(await page.locator('#validation-state').isHidden()).toBe(true);
    await page.locator('#task-follow-up').waitFor({ state: 'visible' });
    await page.locator('#cancel-task').waitFor();
    await expectAccessible(page, 'task page (waiting for CI)');
    expect(errors).toEqual([]);
  });

  it('sends a follow-up from a done task: it runs again on its branch, ends done, and its history shows the reopen', async () => {
    // Each run appends a line: a follow-up round has a change to commit and push.
    setup = await startServer({
      gated: false,
      implementer: { commands: ['test -f dashboard.txt', 'date +%s%N >> rounds.txt'] },
    });
    const id = await submitByApi(setup, { prompt: 'Write dashboard.txt with one line.', description: 'Follow me up' });
    const first = await waitForStatus(setup, id, ['done', 'failed']);
    expect(first.status).toBe('done');
    expect(first.branch).not.toBeNull();
    context = await browser.newContext({ viewport: { width: 1360, height: 900 } });
    const page = await context.newPage();
    const errors = collectErrors(page);
    const followUps: string[] = [];
    page.on('request', (request) => {
      if (request.method() === 'POST' && request.url().endsWith('/follow-up')) followUps.push(request.postData() ?? '');
    });
    await page.goto(`${setup.server.url}/#/tasks/${id}`);
    await expectText(page.locator('[data-fact="status"]'), /^done$/);
    await page.locator('#task-follow-up').waitFor({ state: 'visible' });
    expect(await page.locator('#task-approval').isHidden()).toBe(true);
    await expectAccessible(page, 'task page (done, follow-up box)');

    // An empty prompt is refused on the page: nothing is sent.
    await page.locator('#follow-up-send').click();
    await expectText(page.locator('#follow-up-error'), /^Write what the agent should do next first\.$/);
    expect(followUps).toEqual([]);

    await page.locator('#follow-up-prompt').fill('Also record this round in rounds.txt.');
    await page.locator('#follow-up-send').click();
    await expectText(page.locator('#notice'), /^Follow-up sent: the task is (queued|preparing|running) again\.$/);
    expect(followUps.map((body) => JSON.parse(body) as unknown)).toEqual([
      { prompt: 'Also record this round in rounds.txt.' },
    ]);
    expect(await page.locator('#follow-up-error').isHidden()).toBe(true);
    // The page follows the reopened task live: its history goes on past the first end.
    await expectText(page.locator('#task-history'), /done → queued.*running.*done/s, 60_000);
    await expectText(page.locator('[data-fact="status"]'), /^done$/);
    await expectText(page.locator('#task-loop'), /follow-ups: 1/);
    const again = (await api(setup, `/tasks/${id}`)).body as TaskDetail;
    expect(again.status).toBe('done');
    expect(again.branch).toBe(first.branch);
    expect(again.pull_request_loop.follow_ups).toBe(1);
    const statuses = again.history.map((entry) => entry.to);
    expect(statuses.indexOf('done')).toBeLessThan(statuses.lastIndexOf('queued'));
    expect(await page.locator('#follow-up-prompt').inputValue()).toBe('');

    // Opened afresh, the page replays both runs (the stream goes on after the first end).
    await page.reload();
    await expectText(page.locator('#task-history'), /done → queued.*running.*done/s);
    await expectText(page.locator('#task-loop'), /follow-ups: 1/);
    await page.locator('#task-follow-up').waitFor({ state: 'visible' });
    await screenshot(page, 'task-follow-up.png');
    await expectAccessible(page, 'task page (after a follow-up)');
    expect(errors).toEqual([]);
  });

  it('cuts a long diff with notes, downloads the raw diff with the token, and says when no checks ran', async () => {
    // 2,500 lines in one file (cut at 2,000), and enough in the next to pass 200 KB in all.
    const pad = 'padding padding padding padding';
    setup = await startServer({
      token: API_TOKEN,
      gated: false,
      preCommit: [],
      implementer: {
        edits: [{ path: 'small.txt', content: 'small\n' }],
        commands: [
          `seq -f 'line %04g of big.txt: ${pad}' 2500 > big.txt`,
          `seq -f 'line %04g of other.txt: ${pad}' 1400 > other.txt`,
        ],
      },
    });
    const id = await submitByApi(setup, { prompt: 'Write three files.', description: 'A long change' });
    expect((await waitForStatus(setup, id, ['done', 'failed'])).status).toBe('done');
    context = await browser.newContext({ viewport: { width: 1360, height: 900 }, acceptDownloads: true });
    await context.addInitScript(`sessionStorage.setItem('harness.api_token', ${JSON.stringify(API_TOKEN)})`);
    const page = await context.newPage();
    const errors = collectErrors(page);
    await page.goto(`${setup.server.url}/#/tasks/${id}`);
    await expectText(page.locator('[data-fact="status"]'), /^done$/);

    // Nothing configured and no language detected in the repository: said so.
    await expectText(page.locator('#validation-state'), /^No checks were configured or detected\.$/);
    expect(await page.locator('#validation-state').getAttribute('data-state')).toBe('none');

    const big = page.locator('#task-patch details[data-file="big.txt"]');
    await expectText(big.locator('.note'), /^50[0-9] more lines of this file not shown\. Download the raw diff/);
    expect(await big.locator('pre').textContent()).toContain('line 1990 of big.txt');
    expect(await big.locator('pre').textContent()).not.toContain('line 2500 of big.txt');
    await expectText(page.locator('#diff-cut-note'), /^2 more files not shown: the diff is over 200 KB\./);
    expect(await page.locator('#task-patch details[data-file="other.txt"]').count()).toBe(0);
    await expectAccessible(page, 'task page (long diff, no checks)');

    // The raw diff: fetched with the token, saved as a file, every line in it.
    const [download] = await Promise.all([page.waitForEvent('download'), page.locator('#download-diff').click()]);
    expect(download.suggestedFilename()).toBe(`harness-${id.slice(0, 8)}.diff`);
    const saved = readFileSync(await download.path(), 'utf8');
    const raw = await api(setup, `/tasks/${id}/diff`);
    expect(raw.status).toBe(200);
    expect(saved).toBe(raw.text);
    expect(saved).toContain('+line 2500 of big.txt');
    expect(saved).toContain('+line 1400 of other.txt');
    expect(saved).toContain('diff --git a/small.txt b/small.txt');
    expect(errors).toEqual([]);
  });
});

import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
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
import { resolveConfig } from '@agent-harness/core';
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
}

const tomlTable = (env: Record<string, string>): string =>
  Object.entries(env)
    .map(([k, v]) => `${k} = ${JSON.stringify(v)}`)
    .join('\n');

/** A server with project `app` (origin, GitHub `octo/app`), validation, and a gated implementer. */
async function startServer(options: { token?: string; gated: boolean }): Promise<Setup> {
  const home = await createTempDir('harness-browser-');
  const repo = await createTempGitRepo({ withOrigin: true });
  const github = await startFakeGitHub({ token: GITHUB_TOKEN });
  const gate = join(home.path, 'gate');
  const implementer: FakeAgentScenario = {
    text: 'Wrote dashboard.txt as asked.',
    edits: [{ path: 'dashboard.txt', content: 'written by the scripted agent\n' }],
    commands: ['test -f dashboard.txt'],
    usage: { input: 1200, output: 340 },
    cost: 0.0123,
    ...(options.gated ? { startWhenFileExists: gate } : {}),
  };
  const toml = [
    '[server]',
    'http_addr = "127.0.0.1:0"',
    `data_dir = ${JSON.stringify(join(home.path, 'data'))}`,
    ...(options.token === undefined ? [] : [`api_token = ${JSON.stringify(options.token)}`]),
    '[github]',
    `api_url = ${JSON.stringify(github.url)}`,
    '[validation]',
    'pre_commit = ["test -f dashboard.txt"]',
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
    return { server, home, repo, github, gate };
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

/** Page errors and console errors (a CSP refusal is one), but not the 401s the token dialog answers. */
function collectErrors(page: Page): string[] {
  const errors: string[] = [];
  page.on('pageerror', (error) => errors.push(`pageerror: ${error.message}`));
  page.on('console', (message) => {
    if (message.type() === 'error' && !message.text().includes('status of 401')) errors.push(message.text());
  });
  return errors;
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
    await page.locator('#cancel-task').click();
    await expectText(page.locator('[data-fact="status"]'), /^cancelled$/);
    await expectText(page.locator('#task-history'), /cancelled/);
    await page.waitForSelector('#cancel-task', { state: 'detached' });
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
    await screenshot(page, 'dashboard.png');

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
    await screenshot(page, 'task.png');

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
});

import { chmodSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { CreateTaskResponse, DashboardResponse, TaskDetail } from '@agent-harness/core';
import type { HealthReport, TelemetryEvent } from '@agent-harness/observe';
import { openDatabase, TypeOrmEventStore } from '@agent-harness/persistence';
import {
  FAKE_AGENT_BIN_DIR,
  createTempDir,
  createTempGitRepo,
  fakeAgentToml,
  killStartedHarnessProcesses,
  runHarness,
  startHarnessServer,
  type HarnessServerProcess,
  type TempDir,
  type TempGitRepo,
} from '@agent-harness/testing';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';

// The learning loop's first half end to end: tasks emit telemetry, `harness rule check` scans with
// a project's rule file and guards, and `harness health` and the dashboard's grade read both.
const cliPath = join(import.meta.dirname, '..', 'dist', 'main.js');

const EDITS = Array.from({ length: 6 }, (_, i) => ({
  path: `src/part-${String(i)}.ts`,
  content: `export const n = ${String(i)};\n`,
}));

describe('telemetry, rules, guards and health (built CLI and server)', () => {
  let home: TempDir;
  let failing: TempGitRepo;
  let healthy: TempGitRepo;
  let server: HarnessServerProcess | undefined;
  let config: string;

  beforeEach(async () => {
    home = await createTempDir('harness-home-');
    failing = await createTempGitRepo({ withOrigin: true });
    healthy = await createTempGitRepo({ withOrigin: true });
    // Validation fails wherever `.fail` exists: in one project it always does.
    failing.commitFile('.fail', 'validation fails here\n');
    failing.git('push', '--quiet', 'origin', 'main');
    config = join(home.path, 'harness.toml');
    writeFileSync(
      config,
      [
        '[server]',
        `data_dir = "${join(home.path, 'data')}"`,
        '[agents.claude]',
        `cli_path = "${FAKE_AGENT_BIN_DIR}/claude"`,
        fakeAgentToml('claude', { edits: EDITS, text: 'Split the module.' }),
        '[validation]',
        'pre_commit = ["test ! -e .fail"]',
        'max_retries = 1',
        '[[projects]]',
        'name = "failing"',
        `root = "${failing.path}"`,
        '[[projects]]',
        'name = "healthy"',
        `root = "${healthy.path}"`,
        'default = true',
        '',
      ].join('\n'),
    );
  });
  afterEach(async () => {
    await server?.stop('SIGTERM', 15_000);
    server = undefined;
    await Promise.all([home.cleanup(), failing.cleanup(), healthy.cleanup()]);
  });
  afterAll(() => {
    killStartedHarnessProcesses();
  });

  const api = async <T>(path: string, body?: unknown): Promise<T> => {
    const res = await fetch(
      `${server!.url}${path}`,
      body === undefined
        ? {}
        : { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) },
    );
    return (await res.json()) as T;
  };
  async function finished(id: string): Promise<TaskDetail> {
    for (let i = 0; i < 600; i++) {
      const task = await api<TaskDetail>(`/tasks/${id}`);
      if (task.status === 'done' || task.status === 'failed') return task;
      await new Promise((r) => setTimeout(r, 50));
    }
    throw new Error(`task ${id} did not finish`);
  }
  /** The dashboard once `accept` holds (the grade is read at most 5 s late). */
  async function dashboardWhen(accept: (d: DashboardResponse) => boolean): Promise<DashboardResponse> {
    let dashboard = await api<DashboardResponse>('/api/dashboard');
    for (let i = 0; i < 100 && !accept(dashboard); i++) {
      await new Promise((r) => setTimeout(r, 200));
      dashboard = await api<DashboardResponse>('/api/dashboard');
    }
    return dashboard;
  }
  const harness = (args: string[]) =>
    runHarness({ cliPath, args: [...args, '--config', config], home: home.path, cwd: home.path });

  it('tasks leave telemetry; a scan finds violations despite a crashing guard; health and the dashboard grade react', async () => {
    server = await startHarnessServer({
      cliPath,
      args: ['--config', config],
      home: home.path,
      env: healthy.gitEnv,
    });
    const bad = await api<CreateTaskResponse>('/tasks', { project: 'failing', prompt: 'Split the module' });
    const good = await api<CreateTaskResponse>('/tasks', { project: 'healthy', prompt: 'Split the module' });
    expect(await finished(bad.task_id)).toMatchObject({ status: 'failed', failure_class: 'validation_failed' });
    expect(await finished(good.task_id)).toMatchObject({ status: 'done' });

    const before = await dashboardWhen((d) => d.projects.find((p) => p.id === 'healthy')?.grade != null);
    const healthyBefore = before.projects.find((p) => p.id === 'healthy');
    expect(healthyBefore?.grade).toMatch(/^[ABCD]$/);

    // A rule file and two guards in the project: one finds violations, one crashes.
    mkdirSync(join(healthy.path, '.harness', 'rules'), { recursive: true });
    mkdirSync(join(healthy.path, '.harness', 'guards'), { recursive: true });
    writeFileSync(
      join(healthy.path, '.harness', 'rules', 'team.md'),
      '## TEAM-01: No TODO left in code\nseverity: critical\n\nFinish or remove it.\n\n## TEAM-02: Short files (low)\n\nSplit long files.\n',
    );
    const find = join(healthy.path, '.harness', 'guards', 'find-todos');
    writeFileSync(
      find,
      '#!/bin/sh\necho "src/part-1.ts:1:TEAM-01:a TODO is left"\necho "src/part-2.ts:1:TEAM-02:too long"\necho "not a finding"\n',
    );
    chmodSync(find, 0o755);
    const crash = join(healthy.path, '.harness', 'guards', 'crashes');
    writeFileSync(crash, '#!/bin/sh\necho "guard broke" >&2\nexit 3\n');
    chmodSync(crash, 0o755);

    const loaded = await harness(['rule', 'load', 'healthy']);
    expect(loaded.code).toBe(0);
    expect(loaded.stdout).toMatch(/^Loaded \d+ rules for healthy\n/);
    expect(loaded.stdout).toMatch(/ {3}2 project +.*team\.md/);

    const check = await harness(['rule', 'check', 'healthy']);
    expect(check.code).toBe(1);
    expect(check.stdout).toContain('CRITICAL src/part-1.ts:1 [TEAM-01] a TODO is left\n');
    expect(check.stdout).toContain('LOW src/part-2.ts:1 [TEAM-02] too long\n');
    expect(check.stderr).toContain('guard crashes: failed');
    const json = await harness(['rule', 'check', 'healthy', '--json']);
    expect(JSON.parse(json.stdout)).toMatchObject({
      project: 'healthy',
      violations: [{ ruleId: 'TEAM-01' }, { ruleId: 'TEAM-02' }],
    });

    const health = await harness(['health', 'healthy', '--json']);
    expect(health.code).toBe(0);
    const report = JSON.parse(health.stdout) as HealthReport;
    expect(report).toMatchObject({
      project: 'healthy',
      hasData: true,
      violations: { total: 2, bySeverity: { critical: 1, low: 1 } },
    });
    expect(report.grade).toMatch(/^[ABCD]$/);
    const text = await harness(['health']);
    expect(text.stdout).toMatch(/^all projects: grade [ABCD] \(score [\d.]+\)/);

    // The dashboard's grade for the project follows the scan (within its 5 s freshness).
    const after = await dashboardWhen(
      (d) => d.projects.find((p) => p.id === 'healthy')?.score !== healthyBefore?.score,
    );
    const healthyAfter = after.projects.find((p) => p.id === 'healthy');
    expect(healthyAfter?.score).toBeLessThan(healthyBefore?.score ?? 0);
    expect(healthyAfter).toMatchObject({ grade: report.grade, score: report.score });

    await server.stop('SIGTERM', 15_000);
    server = undefined;
    // What was stored, by kind: the server wrote its buffered telemetry before it stopped.
    const db = await openDatabase({ file: join(home.path, 'data', 'harness.db') });
    try {
      const events = new TypeOrmEventStore(db.dataSource);
      const of = async (filter: { project: string; hook: TelemetryEvent['hook'] }) =>
        events.query({ ...filter, limit: 100 });
      const failed = await of({ project: 'failing', hook: 'task_failed' });
      expect(failed).toMatchObject([{ taskId: bad.task_id, reason: 'validation_failed', decision: 'block' }]);
      const validations = await of({ project: 'failing', hook: 'validation' });
      expect(validations.map((e) => [e.decision, e.tool])).toEqual([
        ['block', 'test ! -e .fail'],
        ['block', 'test ! -e .fail'],
      ]);
      const edits = await of({ project: 'healthy', hook: 'file_edit' });
      expect(edits.map((e) => e.detail).sort()).toEqual(EDITS.map((e) => e.path).sort());
      expect(await of({ project: 'healthy', hook: 'task_implemented' })).toMatchObject([
        { taskId: good.task_id, tool: 'claude' },
      ]);
      const scans = await of({ project: 'healthy', hook: 'rule_scan' });
      expect(scans).toHaveLength(2);
      const checks = await of({ project: 'healthy', hook: 'rule_check' });
      expect(checks.map((e) => [e.tool, e.severity, e.decision, e.detail]).sort()).toEqual([
        ['TEAM-01', 'critical', 'block', 'src/part-1.ts:1'],
        ['TEAM-01', 'critical', 'block', 'src/part-1.ts:1'],
        ['TEAM-02', 'low', 'warn', 'src/part-2.ts:1'],
        ['TEAM-02', 'low', 'warn', 'src/part-2.ts:1'],
      ]);
    } finally {
      await db.close();
    }
  });
});

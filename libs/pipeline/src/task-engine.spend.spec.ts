import { readFileSync } from 'node:fs';
import { TypeOrmUsageLedger } from '@agent-harness/persistence';
import { FAKE_AGENT_BIN_DIR, processesWithMarker } from '@agent-harness/testing';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { EngineFixture } from '../test/engine-fixture.js';

describe('TaskEngine spend limits (real SQLite, real git, scripted claude process)', () => {
  let fixture: EngineFixture;
  beforeEach(async () => {
    fixture = await EngineFixture.create();
  });
  afterEach(async () => {
    await fixture.cleanup();
  });

  it('stops an agent mid-run when its spend crosses task_max_usd: process group ended, task failed (budget)', async () => {
    const pidFile = fixture.shared('grandchild.pid');
    // It edits (one model step: ~12k input tokens, about $0.04 at Sonnet's price), then keeps working forever.
    const engine = await fixture.start(
      { edits: [{ path: 'a.txt', content: 'a\n' }], hang: 'after_commands', grandchildPidFile: pidFile },
      { spend: { taskMaxUsd: 0.01 } },
    );
    const submitted = await engine.submit({ kind: 'prompt', prompt: 'spend' });
    const task = await fixture.finished(submitted.id);
    expect(task).toMatchObject({ status: 'failed', failureClass: 'budget' });
    expect(task.error).toMatch(
      /^claude stopped: the task spent \$0\.0\d, its limit is \$0\.01 \(\[limits\] task_max_usd\)$/,
    );
    // Claude Code was told the cap too, and the agent's whole process group is gone.
    const [call] = readFileSync(fixture.agentLog, 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { argv: string[] });
    expect(call?.argv).toEqual(expect.arrayContaining(['--max-budget-usd', '0.01']));
    // It wrote the PID it has in its sandbox: nothing of the task runs any more, wherever it went.
    expect(readFileSync(pidFile, 'utf8').trim()).toMatch(/^\d+$/);
    expect(processesWithMarker(`HARNESS_TASK_ID=${task.id}`)).toEqual([]);
    const [usage] = await new TypeOrmUsageLedger(fixture.database.dataSource).summary({});
    expect(usage).toMatchObject({ project: 'app', agent: 'claude', runs: 1, fallbackRuns: 0 });
    expect(usage?.costUsd).toBeGreaterThan(0.01);
    expect(task.costUsd).toBeCloseTo(usage?.costUsd ?? 0, 10);
  });

  it("Codex: the run's cost comes from its reported tokens and the price table", async () => {
    const scenario = {
      edits: [{ path: 'c.txt', content: 'c\n' }],
      usage: { input: 1_000_000, cacheRead: 400_000, output: 100_000 },
    };
    const toml = [
      '[agents.codex]',
      `cli_path = "${FAKE_AGENT_BIN_DIR}/codex"`,
      'default_model = "gpt-5-codex"',
      '[agents.codex.env]',
      `FAKE_AGENT_SCENARIO = ${JSON.stringify(JSON.stringify(scenario))}`,
    ].join('\n');
    const engine = await fixture.start(
      {},
      { toml, defaultAgent: 'codex', spend: { defaultModels: { codex: 'gpt-5-codex' } } },
    );
    const submitted = await engine.submit({ kind: 'prompt', prompt: 'tokens' });
    const task = await fixture.finished(submitted.id);
    expect(task).toMatchObject({ status: 'done', agentUsed: 'codex' });
    // 600k uncached input × $1.25 + 400k cached × $0.125 + 100k output × $10, per million tokens.
    expect(task.costUsd).toBeCloseTo(1.8, 6);
    expect(await new TypeOrmUsageLedger(fixture.database.dataSource).summary({})).toMatchObject([
      {
        agent: 'codex',
        model: 'gpt-5-codex',
        runs: 1,
        inputTokens: 1_000_000,
        cachedInputTokens: 400_000,
        fallbackRuns: 0,
      },
    ]);
  });
});

import { AgentRegistry, type AgentResult, type AgentRunner } from '@agent-harness/agents';
import { ZERO_USAGE } from '@agent-harness/core';
import { describe, expect, it } from 'vitest';
import { runReview, type ReviewConfig, type ReviewSteps } from './review-phase.js';
import { next } from './run-outcome.js';

const runner = (name: string): AgentRunner => ({
  name,
  run: () => ({ events$: undefined as never, result: undefined as never }),
});

function config(available: string[], maxRounds = 3): ReviewConfig {
  const runners = ['claude', 'codex'].map(runner);
  const agents = new AgentRegistry(
    runners,
    (r) => ({ name: r.name, available: available.includes(r.name), detail: '' }),
    { default_agent: 'auto', complexity_preferred_agents: [] },
  );
  return { enabled: true, reviewerAgent: 'codex', maxRounds, agents };
}

const verdict = (v: 'approve' | 'request_changes'): string =>
  `\`\`\`json\n${JSON.stringify({ verdict: v, summary: v, issues: v === 'approve' ? [] : [{ file: 'a.ts', line: 1, severity: 'low', message: 'fix' }] })}\n\`\`\``;

/** Steps that record what the phase did; the reviewer answers `answers` in turn. */
function steps(answers: string[]): ReviewSteps & { trail: string[] } {
  const trail: string[] = [];
  let rounds = 0;
  const result = (text: string): AgentResult => ({
    agent: 'codex',
    ok: true,
    reason: 'completed',
    finalText: text,
    usage: ZERO_USAGE,
    durationMs: 1,
  });
  return {
    trail,
    startRound: () => Promise.resolve(void trail.push('move reviewing')),
    startFix: () => Promise.resolve(void trail.push('move running')),
    set: (changes) => {
      if (changes.checkpoint !== undefined) trail.push(`checkpoint ${changes.checkpoint}`);
      rounds = changes.reviewRounds ?? rounds;
      return Promise.resolve();
    },
    log: (message) => Promise.resolve(void trail.push(`log ${message}`)),
    roundsDone: () => Promise.resolve(rounds),
    diff: () => Promise.resolve('diff'),
    runReviewer: () => Promise.resolve(result(answers.shift() ?? 'no verdict')),
    fix: () => Promise.resolve(void trail.push('fix')).then(() => next()),
    postReview: (round, reviewer, v) =>
      Promise.resolve(void trail.push(`review ${String(round)} ${reviewer} ${v.verdict}`)),
    postOnPr: (text) => Promise.resolve(void trail.push(`comment ${text.slice(0, 20)}`)),
    aborted: () => false,
    task: () => Promise.resolve({ attempt: 1 }),
  };
}

describe('runReview', () => {
  it('asks for changes, has them fixed, then approves', async () => {
    const s = steps([verdict('request_changes'), verdict('approve')]);
    expect(await runReview(config(['claude', 'codex']), s, 'claude', 't', 'r')).toEqual(
      next({ outcome: 'approved', rounds: 2, unresolved: [] }),
    );
    expect(s.trail).toEqual([
      'move reviewing',
      'review 1 codex request_changes',
      'move running',
      'fix',
      'move reviewing',
      'review 2 codex approve',
      // Once the approval is posted: a restart from here ends the task without another review.
      'checkpoint approved',
    ]);
  });

  it('ends with changes requested when the rounds run out, and asks a person', async () => {
    const s = steps([verdict('request_changes')]);
    const result = await runReview(config(['claude', 'codex'], 1), s, 'claude', 't', 'r');
    expect(result).toMatchObject({ kind: 'next', value: { outcome: 'changes_requested', rounds: 1 } });
    expect(s.trail.at(-1)).toBe('comment Review rounds are us');
  });

  it('is skipped, and says so on the PR, when no other agent is available', async () => {
    const s = steps([]);
    expect(await runReview(config(['claude']), s, 'claude', 't', 'r')).toEqual(
      next({ outcome: 'skipped', rounds: 0, unresolved: [] }),
    );
    expect(s.trail[1]).toBe('comment Harness could not re');
  });

  it('fails when the reviewer gives no verdict twice, and never approves by default', async () => {
    const result = await runReview(config(['claude', 'codex']), steps(['LGTM', 'fine']), 'claude', 't', 'r');
    expect(result).toMatchObject({ kind: 'failed', failureClass: 'review_failed' });
  });
});

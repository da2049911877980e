import { AppError } from '@agent-harness/core';
import { describe, expect, it } from 'vitest';
import { PLAN_STATUSES, type ExecPlan } from './exec-plan.types.js';
import { planFromMarkdown, planToMarkdown } from './plan-markdown.js';
import { contractPlan, contractPlanInstant } from './testing/plan-store-contract.js';

function refusal(run: () => unknown): AppError {
  try {
    run();
  } catch (error) {
    if (error instanceof AppError) return error as AppError;
    throw error;
  }
  throw new Error('expected a refusal');
}

/** Text that looks like the plan file's own syntax, or Markdown, or HTML. */
const TRICKY = [
  'plain',
  '## Surprises',
  '# ExecPlan: not a title',
  '- [x] not a milestone',
  '[ ] starts like a checkbox',
  'ends like a time (2026-11-24T10:00:00.000Z)',
  'ends like a marker <!-- completed 2026-11-24T10:00:00.000Z -->',
  'a `code` span and **bold** and <b>html</b>',
  '→ milestone 3, linked never',
  '> a quote',
  '### a heading',
  'ünïcödé 🚀 and "quotes"',
  '1. numbered',
];

/** A small deterministic generator: the same plans on every run. */
function* randomPlans(count: number): Generator<ExecPlan> {
  let seed = 42;
  const next = (n: number): number => {
    seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31;
    return seed % n;
  };
  const text = (): string => TRICKY[next(TRICKY.length)] ?? 'x';
  const noteText = (): string => Array.from({ length: 1 + next(3) }, text).join(next(2) === 0 ? '\n' : '\n\n');
  for (let i = 0; i < count; i++) {
    const milestones = next(5);
    const progress = Array.from({ length: milestones }, (_, j) =>
      next(2) === 0
        ? { description: text(), completed: false }
        : { description: text(), completed: true, completedAt: contractPlanInstant(j) },
    );
    yield contractPlan(i + 1, {
      purpose: text(),
      project: text(),
      status: PLAN_STATUSES[next(PLAN_STATUSES.length)] ?? 'draft',
      progress,
      concreteSteps: Array.from({ length: next(4) }, () => ({
        description: text(),
        files: Array.from({ length: next(3) }, () => (next(2) === 0 ? 'src/a `b`.ts' : 'docs/plans.md')),
        completed: next(2) === 0,
      })),
      decisionLog: Array.from({ length: next(3) }, (_, j) => ({
        decision: text(),
        rationale: noteText(),
        timestamp: contractPlanInstant(j),
      })),
      surprises: Array.from({ length: next(3) }, (_, j) => ({
        description: text(),
        evidence: noteText(),
        timestamp: contractPlanInstant(j + 1),
      })),
      validation: {
        tests: Array.from({ length: next(3) }, text),
        checks: Array.from({ length: next(3) }, text),
      },
      taskLinks:
        milestones === 0
          ? []
          : Array.from({ length: next(3) }, (_, j) =>
              next(2) === 0
                ? { taskId: `task-${String(j)}`, milestone: next(milestones), linkedAt: contractPlanInstant(j) }
                : {
                    taskId: `t.${String(j)}_x`,
                    milestone: next(milestones),
                    linkedAt: contractPlanInstant(j),
                    outcome: (['done', 'failed', 'cancelled'] as const)[next(3)] ?? 'done',
                    endedAt: contractPlanInstant(j + 2),
                  },
            ),
      version: next(10),
    });
  }
}

describe('planToMarkdown / planFromMarkdown', () => {
  it('writes a readable document', () => {
    const markdown = planToMarkdown(
      contractPlan(1, {
        status: 'active',
        progress: [
          { description: 'Schema', completed: true, completedAt: contractPlanInstant(2) },
          { description: 'Service', completed: false },
        ],
        concreteSteps: [{ description: 'Migration', files: ['libs/a.ts'], completed: false }],
        decisionLog: [{ decision: 'JSON body', rationale: 'Portable.\n\nSimple.', timestamp: contractPlanInstant(3) }],
        validation: { tests: ['npm test'], checks: [] },
        taskLinks: [{ taskId: 'task-1', milestone: 1, linkedAt: contractPlanInstant(4) }],
        version: 3,
      }),
    );
    expect(markdown).toBe(
      [
        '# ExecPlan: Plan 1',
        '',
        '- **ID**: 000000000001',
        '- **Status**: active',
        '- **Project**: app',
        '- **Created**: 2026-11-24T10:00:00.000Z',
        '- **Updated**: 2026-11-24T10:01:00.000Z',
        '- **Version**: 3',
        '',
        '## Progress',
        '',
        '- [x] Schema <!-- completed 2026-11-24T10:02:00.000Z -->',
        '- [ ] Service',
        '',
        '## Concrete Steps',
        '',
        '1. [ ] Migration',
        '   - `libs/a.ts`',
        '',
        '## Decision Log',
        '',
        '### JSON body (2026-11-24T10:03:00.000Z)',
        '',
        '> Portable.',
        '>',
        '> Simple.',
        '',
        '## Surprises',
        '',
        '_None._',
        '',
        '## Validation',
        '',
        '- [ ] Test: npm test',
        '',
        '## Linked Tasks',
        '',
        '- `task-1` → milestone 1, linked 2026-11-24T10:04:00.000Z',
        '',
      ].join('\n'),
    );
  });

  it('round-trips every plan, status included, whatever its text looks like', () => {
    for (const plan of randomPlans(300)) expect(planFromMarkdown(planToMarkdown(plan))).toEqual(plan);
  });

  it('reads a plan edited by hand: new milestones, ticks, a decision without a time, CRLF line ends', () => {
    const plan = contractPlan(1, { status: 'active', updatedAt: contractPlanInstant(9) });
    const edited = planToMarkdown(plan)
      .replace('- [ ] First milestone', '- [X] First milestone\n* [ ] Added by hand\n- Without a box')
      .replace('## Decision Log\n\n_None._', '## Decision Log\n\n### Chose SQLite\n\nBecause it is there.\nReally.')
      .replace(/\n/g, '\r\n');
    const read = planFromMarkdown(edited);
    expect(read.progress).toEqual([
      { description: 'First milestone', completed: true },
      { description: 'Added by hand', completed: false },
      { description: 'Without a box', completed: false },
    ]);
    expect(read.decisionLog).toEqual([
      { decision: 'Chose SQLite', rationale: 'Because it is there.\nReally.', timestamp: contractPlanInstant(9) },
    ]);
    expect(read.status).toBe('active');
  });

  it('refuses a file without an id, a line it does not understand, and a bad status', () => {
    const plan = planToMarkdown(contractPlan(1));
    expect(refusal(() => planFromMarkdown(plan.replace('- **ID**: 000000000001\n', ''))).message).toBe(
      'plan file: no "- **ID**: <id>" line in its header',
    );
    const typo = refusal(() => planFromMarkdown(plan.replace('- [ ] First milestone', '-[ ] First milestone')));
    expect(typo.code).toBe('INVALID_ARGUMENT');
    expect(typo.message).toMatch(/^plan file \(line 12\): a milestone is/);
    expect(refusal(() => planFromMarkdown(plan.replace('**Status**: draft', '**Status**: done'))).message).toMatch(
      /^plan file status: one of draft, active, completed, abandoned/,
    );
    expect(
      refusal(() => planFromMarkdown(plan.replace('## Validation\n\n_None._', '## Validation\n\n- maybe'))).message,
    ).toMatch(/^plan file \(line \d+\): a validation item is/);
    expect(refusal(() => planFromMarkdown('x'.repeat(2_000_001))).message).toMatch(/^plan file: at most/);
  });

  it('checks what it read against the bounds: a link to a milestone that is not there is refused', () => {
    const plan = planToMarkdown(contractPlan(1));
    const broken = plan.replace(
      '## Linked Tasks\n\n_None._',
      '## Linked Tasks\n\n- `t1` → milestone 7, linked 2026-11-24T10:00:00.000Z',
    );
    expect(refusal(() => planFromMarkdown(broken)).message).toMatch(
      /^plan file\.taskLinks\[0\]\.milestone: no milestone 7/,
    );
  });
});

import { AppError } from '@agent-harness/core';
import { describe, expect, it } from 'vitest';
import { PLAN_LIMITS } from './exec-plan.types.js';
import { planFromSpec } from './plan-from-spec.js';

const options = { id: '0123456789ab', project: 'app', now: new Date('2026-11-24T10:00:00.000Z') };

function refusal(run: () => unknown): AppError {
  try {
    run();
  } catch (error) {
    if (error instanceof AppError) return error as AppError;
    throw error;
  }
  throw new Error('expected a refusal');
}

describe('planFromSpec', () => {
  it('fills purpose, milestones, steps with their files and validation from a spec', () => {
    const spec = [
      '# Exec plans for Harness',
      '',
      'Some prose about why, with a list that is not a milestone:',
      '- background point',
      '',
      '## Milestones',
      '',
      '- [ ] Model and Markdown',
      '- [x] Store',
      '- A milestone whose text',
      '  goes on over two lines',
      '  - a detail that is not a milestone of its own',
      '',
      '## Steps',
      '',
      '1. Write the model in `libs/plans/src/exec-plan.types.ts`',
      '2. [x] Add the migration',
      '   - `libs/persistence/src/migrations/1765100000000-exec-plans.ts`',
      '   - `libs/persistence/src/migrations/index.ts`',
      '3. Run `npm test` and check `package.json`',
      '',
      '```md',
      '- [ ] not a step: inside a code block',
      '```',
      '',
      '## Validation',
      '',
      '- Test: `npx vitest run libs/plans`',
      '- Check: lint is clean',
      '- All unit tests pass',
      '- The README lists the commands',
      '',
      '### Tests',
      '- round-trip property',
      '',
      '## Notes',
      '- [ ] not a milestone: under another section',
    ].join('\n');
    const plan = planFromSpec(spec, options);
    expect(plan).toMatchObject({
      id: '0123456789ab',
      purpose: 'Exec plans for Harness',
      project: 'app',
      status: 'draft',
      version: 0,
      createdAt: '2026-11-24T10:00:00.000Z',
      updatedAt: '2026-11-24T10:00:00.000Z',
      decisionLog: [],
      surprises: [],
      taskLinks: [],
    });
    expect(plan.progress).toEqual([
      { description: 'Model and Markdown', completed: false },
      { description: 'Store', completed: true, completedAt: '2026-11-24T10:00:00.000Z' },
      { description: 'A milestone whose text goes on over two lines', completed: false },
    ]);
    expect(plan.concreteSteps).toEqual([
      {
        description: 'Write the model in `libs/plans/src/exec-plan.types.ts`',
        files: ['libs/plans/src/exec-plan.types.ts'],
        completed: false,
      },
      {
        description: 'Add the migration',
        files: [
          'libs/persistence/src/migrations/1765100000000-exec-plans.ts',
          'libs/persistence/src/migrations/index.ts',
        ],
        completed: true,
      },
      { description: 'Run `npm test` and check `package.json`', files: ['package.json'], completed: false },
    ]);
    expect(plan.validation).toEqual({
      tests: ['round-trip property', '`npx vitest run libs/plans`', 'All unit tests pass'],
      checks: ['lint is clean', 'The README lists the commands'],
    });
  });

  it('takes top-level checkboxes as milestones when no section names them, and defaults the purpose', () => {
    const plan = planFromSpec('Do these:\n\n- [ ] one\n- [ ] two\n- plain bullet\n', options);
    expect(plan.purpose).toBe('Untitled Plan');
    expect(plan.progress.map((m) => m.description)).toEqual(['one', 'two']);
  });

  it('knows section headings however they are numbered, cased or annotated', () => {
    const spec = '# P\n## 1. Progress:\n- a\n## CONCRETE STEPS (first pass)\n- b\n## Acceptance criteria\n- c\n';
    const plan = planFromSpec(spec, options);
    expect(plan.progress.map((m) => m.description)).toEqual(['a']);
    expect(plan.concreteSteps.map((s) => s.description)).toEqual(['b']);
    expect(plan.validation.checks).toEqual(['c']);
  });

  it('refuses a spec over the bounds, naming the line', () => {
    expect(refusal(() => planFromSpec('x'.repeat(PLAN_LIMITS.specChars + 1), options)).message).toMatch(
      /^spec: at most/,
    );
    const long = refusal(() =>
      planFromSpec(`# P\n## Milestones\n- ${'y'.repeat(PLAN_LIMITS.lineChars + 1)}\n`, options),
    );
    expect(long.code).toBe('INVALID_ARGUMENT');
    expect(long.message).toMatch(/^spec \(line 3, a milestone\): at most 1000 characters/);
    const many = Array.from({ length: PLAN_LIMITS.milestones + 1 }, (_, i) => `- m${String(i)}`).join('\n');
    expect(refusal(() => planFromSpec(`## Milestones\n${many}`, options)).message).toMatch(/more than 100 milestones/);
    const control = refusal(() => planFromSpec('# P\n## Steps\n- a\u0007b\n', options));
    expect(control.message).toMatch(/^spec \(line 3, a step\): one line without control characters/);
  });

  it('refuses a bad id or project', () => {
    expect(refusal(() => planFromSpec('# P', { ...options, id: 'ABC' })).message).toMatch(/^id:/);
    expect(refusal(() => planFromSpec('# P', { ...options, project: ' ' })).message).toMatch(
      /^project: must not be empty/,
    );
  });
});

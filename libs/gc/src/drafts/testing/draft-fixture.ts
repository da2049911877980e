import type { Draft, Signal } from '../../gc.types.js';
import type { NewDraft } from '../drafts.js';

/** A signal for tests: repeated warnings "exit 1" in project `app`. */
export function signalFixture(overrides: Partial<Signal> = {}): Signal {
  return {
    id: 'sig-repeated-warn-exit-1',
    type: 'repeated_warn',
    project: 'app',
    key: 'exit 1',
    evidence: { count: 12, files: ['src/a.ts'], examples: ['npm test: exit 1'], metrics: { rate: 0.5 } },
    priority: 3,
    remediation: 'guard',
    detectedAt: '2026-11-24T09:00:00.000Z',
    ...overrides,
  };
}

/** What `Drafts.create` takes, for tests. */
export function newDraftFixture(overrides: Partial<NewDraft> = {}): NewDraft {
  return {
    project: 'app',
    signal: signalFixture(),
    rationale: 'The tests fail on the same import again and again: a guard catches it before the run.',
    artifacts: [{ kind: 'guard', path: '.harness/guards/no-deep-import.sh', content: '#!/bin/sh\nexit 0\n' }],
    agent: 'claude',
    model: 'sonnet',
    costUsd: 0.12,
    ...overrides,
  };
}

/** A whole stored draft, for tests. */
export function draftFixture(overrides: Partial<Draft> = {}): Draft {
  return {
    ...newDraftFixture(),
    id: '0123456789ab',
    status: 'pending',
    generatedAt: '2026-11-24T10:00:00.000Z',
    ...overrides,
  };
}

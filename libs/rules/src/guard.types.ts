import type { Severity } from './rule.types.js';

/** One finding of a guard: a `FILE:LINE:RULE_ID:MESSAGE` line of its output. @public */
export interface Violation {
  /** Relative to the project root, `/`-separated; never outside the project. */
  readonly file: string;
  /** 1-based; 0 when the finding is about the whole file. */
  readonly line: number;
  readonly ruleId: string;
  readonly message: string;
  /** The rule's severity, or `medium` when no rule of the catalogue has this id. */
  readonly severity: Severity;
  /** True when the catalogue has no rule with this id (the severity is then the default). */
  readonly unknownRule: boolean;
  /** The guard's file name. */
  readonly guard: string;
}

/**
 * Why a guard did not give a clean answer. None of these stops the scan of the other guards.
 * @public
 */
export const GUARD_PROBLEM_KINDS = [
  /** The file has no execute bit, or is not a regular file. */
  'not_executable',
  /** The operating system could not start it (no interpreter, bad format…). */
  'spawn_failed',
  /** It ran past the timeout and was killed; findings printed before are kept. */
  'timeout',
  /** It exited non-zero without printing any finding. */
  'failed',
  /** It was ended by a signal Harness did not send. */
  'crashed',
  /** It printed more than the output limit and was killed; findings within the limit are kept. */
  'output_limit',
  /** A symlink leading out of the guards directory, or a guards directory outside the project. */
  'unsafe_path',
  /** The guards directory, or a guard in it, could not be inspected. */
  'unreadable',
  /** More guards than a scan runs (100); the rest were not run. */
  'too_many',
] as const;
/** @public */
export type GuardProblemKind = (typeof GUARD_PROBLEM_KINDS)[number];

/** @public */
export interface GuardProblem {
  readonly guard: string;
  readonly kind: GuardProblemKind;
  readonly message: string;
  readonly exitCode?: number | null;
  readonly signal?: string | null;
  /** The end of its stderr. */
  readonly stderr?: string;
}

/** How one guard that ran went. @public */
export interface GuardReport {
  readonly guard: string;
  readonly path: string;
  readonly exitCode: number | null;
  readonly signal: string | null;
  readonly timedOut: boolean;
  readonly durationMs: number;
  /** Violations kept from this guard. */
  readonly violations: number;
  /** Output lines that were not `FILE:LINE:RULE_ID:MESSAGE` or named a file outside the project. */
  readonly malformedLines: number;
  /** The first few of those lines, shortened, to show what went wrong. */
  readonly malformedSamples: readonly string[];
  /** Findings dropped because their rule's `paths` do not cover the file. */
  readonly outOfScope: number;
}

/** @public */
export interface GuardScanResult {
  readonly violations: Violation[];
  readonly guards: GuardReport[];
  readonly problems: GuardProblem[];
  readonly durationMs: number;
}

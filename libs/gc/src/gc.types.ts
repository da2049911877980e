/**
 * The GC's vocabulary, shared by signal detection, drafts, adoption and learning: a signal is a
 * recurring problem found in the telemetry; a draft is an agent's proposed remediation for one.
 */

/** The recurring problems GC looks for, highest priority first. @public */
export const SIGNAL_TYPES = [
  'chronic_block',
  'warn_escalation',
  'repeated_warn',
  'linter_violations',
  'hot_files',
  'slow_sessions',
] as const;
/** @public */
export type SignalType = (typeof SIGNAL_TYPES)[number];

/** What kind of fix a signal asks for. @public */
export type Remediation = 'guard' | 'rule' | 'skill';

/** The thresholds of `[gc.signals]` (the original harness's defaults). @public */
export interface SignalThresholds {
  /** `repeated_warn`: the same warning (reason, else hook) at least this often. */
  readonly repeatedWarnMin: number;
  /** `chronic_block`: blocks of one hook at least this often. */
  readonly chronicBlockMin: number;
  /** `hot_files`: one file edited at least this often. */
  readonly hotFileEditsMin: number;
  /** `slow_sessions`: operations slower than this (ms)… */
  readonly slowOpThresholdMs: number;
  /** …at least this many of them. */
  readonly slowOpCountMin: number;
  /** `warn_escalation`: the warn rate of the later half over the earlier half at least this. */
  readonly escalationRatio: number;
  /** `linter_violations`: one rule violated at least this often. */
  readonly violationMin: number;
}

/** @public */
export const DEFAULT_SIGNAL_THRESHOLDS: SignalThresholds = {
  repeatedWarnMin: 10,
  chronicBlockMin: 5,
  hotFileEditsMin: 20,
  slowOpThresholdMs: 5000,
  slowOpCountMin: 10,
  escalationRatio: 1.5,
  violationMin: 5,
};

/** Why a signal fired: counts, the files involved and a few examples (text from events: untrusted). @public */
export interface SignalEvidence {
  readonly count: number;
  readonly files?: readonly string[] | undefined;
  readonly examples?: readonly string[] | undefined;
  /** Numbers particular to the signal type (e.g. `firstRate`, `secondRate`, `maxDurationMs`). */
  readonly metrics?: Readonly<Record<string, number>> | undefined;
}

/** One recurring problem. @public */
export interface Signal {
  /** Deterministic: the same type, project and key give the same id. */
  readonly id: string;
  readonly type: SignalType;
  readonly project: string;
  /** What the signal is about: the warning's reason, the hook, the file, the rule id… */
  readonly key: string;
  readonly evidence: SignalEvidence;
  /** 1 is the most urgent (position in `SIGNAL_TYPES`, plus one). */
  readonly priority: number;
  readonly remediation: Remediation;
  readonly detectedAt: string;
}

/** What an artifact is, from where it goes: `.harness/guards/`, `.harness/rules/`, `.harness/skills/`, else a plain file or a patch. @public */
export type ArtifactKind = 'guard' | 'rule' | 'skill' | 'file' | 'patch';

/**
 * One file a draft proposes. `path` is relative to the project root, normalized and confined
 * (no `..`, not absolute, not under `.git`). A `patch` is a unified diff applied with `git apply`;
 * its `path` is the first file it changes.
 * @public
 */
export interface DraftArtifact {
  readonly kind: ArtifactKind;
  readonly path: string;
  readonly content: string;
}

/** `pending → adopted | rejected | expired`; expired is a status, never a deletion. @public */
export const DRAFT_STATUSES = ['pending', 'adopted', 'rejected', 'expired'] as const;
/** @public */
export type DraftStatus = (typeof DRAFT_STATUSES)[number];

/** A remediation draft, as stored in `<data_dir>/drafts/<id>.json`. @public */
export interface Draft {
  /** 12 lowercase hex characters; the first 8 name its branch (`harness/gc-<8>`). */
  readonly id: string;
  readonly status: DraftStatus;
  readonly project: string;
  readonly signal: Signal;
  /** The agent's explanation (its answer without the artifacts), bounded. */
  readonly rationale: string;
  readonly artifacts: readonly DraftArtifact[];
  readonly agent: string;
  readonly model?: string | undefined;
  /** What the agent reported spending (USD), when it reports it. */
  readonly costUsd?: number | undefined;
  readonly generatedAt: string;
  /** When the status last changed, and why (a reject's reason, "expired after 72 h"…). */
  readonly statusChangedAt?: string | undefined;
  readonly statusReason?: string | undefined;
  /** The Harness task that adopted it. */
  readonly taskId?: string | undefined;
}

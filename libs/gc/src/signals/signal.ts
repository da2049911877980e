import { createHash } from 'node:crypto';
import { SIGNAL_TYPES, type Remediation, type Signal, type SignalEvidence, type SignalType } from '../gc.types.js';

/** The most signals one detection returns (the most urgent first). @public */
export const MAX_SIGNALS = 200;
/** The most examples one signal carries, and the most characters of each. @public */
export const MAX_EXAMPLES = 5;
/** @public */
export const MAX_EXAMPLE_CHARS = 300;

/** What fixes each kind of signal: a guard catches it, a rule states it, a skill teaches around it. @public */
export const REMEDIATION_OF: Readonly<Record<SignalType, Remediation>> = {
  chronic_block: 'rule',
  warn_escalation: 'rule',
  repeated_warn: 'guard',
  linter_violations: 'guard',
  hot_files: 'skill',
  slow_sessions: 'skill',
};

/** `sig-` + the first 16 hex digits of sha256(`type\0project\0key`): the same problem, the same id. @public */
export function signalId(type: SignalType, project: string, key: string): string {
  return `sig-${createHash('sha256').update(`${type}\0${project}\0${key}`, 'utf8').digest('hex').slice(0, 16)}`;
}

/** 1 for the most urgent type (its place in `SIGNAL_TYPES`, plus one). @public */
export function signalPriority(type: SignalType): number {
  return SIGNAL_TYPES.indexOf(type) + 1;
}

/** A signal with its derived fields (id, priority, remediation) filled in. */
export function makeSignal(
  type: SignalType,
  project: string,
  key: string,
  evidence: SignalEvidence,
  detectedAt: string,
): Signal {
  return {
    id: signalId(type, project, key),
    type,
    project,
    key,
    evidence,
    priority: signalPriority(type),
    remediation: REMEDIATION_OF[type],
    detectedAt,
  };
}

/** Most urgent first, then the most frequent, then by key and project (a stable order). */
export function compareSignals(a: Signal, b: Signal): number {
  if (a.priority !== b.priority) return a.priority - b.priority;
  if (a.evidence.count !== b.evidence.count) return b.evidence.count - a.evidence.count;
  if (a.key !== b.key) return a.key < b.key ? -1 : 1;
  if (a.project !== b.project) return a.project < b.project ? -1 : 1;
  return 0;
}

/**
 * Event text as an example: cut to `MAX_EXAMPLE_CHARS` (never inside a surrogate pair), otherwise
 * untouched. It stays data: prompts put it in an untrusted block.
 */
export function example(text: string): string {
  if (text.length <= MAX_EXAMPLE_CHARS) return text;
  let cut = MAX_EXAMPLE_CHARS - 1;
  const last = text.charCodeAt(cut - 1);
  if (last >= 0xd800 && last < 0xdc00) cut--;
  return `${text.slice(0, cut)}…`;
}

/** At most `MAX_EXAMPLES` examples, each bounded; none: undefined (the field is left out). */
export function examples(texts: readonly string[]): string[] | undefined {
  const bounded = texts.slice(0, MAX_EXAMPLES).map(example);
  return bounded.length === 0 ? undefined : bounded;
}

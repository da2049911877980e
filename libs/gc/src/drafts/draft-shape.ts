import { err, ok, type Result } from '@agent-harness/core';
import {
  DRAFT_STATUSES,
  SIGNAL_TYPES,
  type ArtifactKind,
  type Draft,
  type DraftArtifact,
  type Remediation,
  type Signal,
  type SignalEvidence,
} from '../gc.types.js';
import { isDraftId } from './draft-id.js';

// Records keyed by the unions, so a new kind or remediation in gc.types breaks the build here.
const ARTIFACT_KINDS: Readonly<Record<ArtifactKind, true>> = {
  guard: true,
  rule: true,
  skill: true,
  file: true,
  patch: true,
};
const REMEDIATIONS: Readonly<Record<Remediation, true>> = { guard: true, rule: true, skill: true };

/** Names, keys and ids: one line of sane length. Longer text (rationale, content) is bounded by the file size. */
const MAX_SHORT_TEXT = 4096;

/** Why a value is not a draft: the first field found wrong. */
class ShapeProblem extends Error {}

/**
 * `value` (a parsed draft file, or a draft about to be written) checked field by field and rebuilt
 * with only the fields of a `Draft`; timestamps come back as `toISOString` writes them. A file edited
 * by hand into nonsense is an answer here (the field that is wrong), never a crash later.
 * @public
 */
export function checkDraft(value: unknown): Result<Draft, string> {
  try {
    return ok(draftOf(record(value, 'the draft')));
  } catch (error) {
    if (error instanceof ShapeProblem) return err(error.message);
    throw error;
  }
}

function draftOf(fields: Readonly<Record<string, unknown>>): Draft {
  const id = text(fields['id'], 'id');
  if (!isDraftId(id)) throw new ShapeProblem(`id ${JSON.stringify(id)} is not 12 lowercase hex characters`);
  const costUsd = optional(fields['costUsd'], (v) => amount(v, 'costUsd'));
  const model = optional(fields['model'], (v) => text(v, 'model'));
  const statusChangedAt = optional(fields['statusChangedAt'], (v) => timestamp(v, 'statusChangedAt'));
  const statusReason = optional(fields['statusReason'], (v) => longText(v, 'statusReason'));
  const taskId = optional(fields['taskId'], (v) => text(v, 'taskId'));
  return {
    id,
    status: oneOf(fields['status'], DRAFT_STATUSES, 'status'),
    project: text(fields['project'], 'project'),
    signal: signalOf(record(fields['signal'], 'signal')),
    rationale: longText(fields['rationale'], 'rationale'),
    artifacts: list(fields['artifacts'], 'artifacts').map((artifact, i) =>
      artifactOf(record(artifact, `artifacts[${String(i)}]`), `artifacts[${String(i)}]`),
    ),
    agent: text(fields['agent'], 'agent'),
    ...(model === undefined ? {} : { model }),
    ...(costUsd === undefined ? {} : { costUsd }),
    generatedAt: timestamp(fields['generatedAt'], 'generatedAt'),
    ...(statusChangedAt === undefined ? {} : { statusChangedAt }),
    ...(statusReason === undefined ? {} : { statusReason }),
    ...(taskId === undefined ? {} : { taskId }),
  };
}

function signalOf(fields: Readonly<Record<string, unknown>>): Signal {
  const remediation = text(fields['remediation'], 'signal.remediation');
  if (!(remediation in REMEDIATIONS)) {
    throw new ShapeProblem(`signal.remediation ${JSON.stringify(remediation)} is not one of guard, rule, skill`);
  }
  const priority = fields['priority'];
  if (typeof priority !== 'number' || !Number.isSafeInteger(priority) || priority < 1) {
    throw new ShapeProblem('signal.priority is not a whole number ≥ 1');
  }
  return {
    id: text(fields['id'], 'signal.id'),
    type: oneOf(fields['type'], SIGNAL_TYPES, 'signal.type'),
    project: text(fields['project'], 'signal.project'),
    key: longText(fields['key'], 'signal.key'),
    evidence: evidenceOf(record(fields['evidence'], 'signal.evidence')),
    priority,
    remediation: remediation as Remediation,
    detectedAt: timestamp(fields['detectedAt'], 'signal.detectedAt'),
  };
}

function evidenceOf(fields: Readonly<Record<string, unknown>>): SignalEvidence {
  const files = optional(fields['files'], (v) => texts(v, 'signal.evidence.files'));
  const examples = optional(fields['examples'], (v) => texts(v, 'signal.evidence.examples'));
  const metrics = optional(fields['metrics'], (v) => {
    const entries = Object.entries(record(v, 'signal.evidence.metrics'));
    for (const [name, metric] of entries) {
      if (typeof metric !== 'number' || !Number.isFinite(metric)) {
        throw new ShapeProblem(`signal.evidence.metrics.${name} is not a number`);
      }
    }
    return Object.fromEntries(entries) as Readonly<Record<string, number>>;
  });
  return {
    count: amount(fields['count'], 'signal.evidence.count'),
    ...(files === undefined ? {} : { files }),
    ...(examples === undefined ? {} : { examples }),
    ...(metrics === undefined ? {} : { metrics }),
  };
}

function artifactOf(fields: Readonly<Record<string, unknown>>, where: string): DraftArtifact {
  const kind = text(fields['kind'], `${where}.kind`);
  if (!(kind in ARTIFACT_KINDS)) {
    throw new ShapeProblem(`${where}.kind ${JSON.stringify(kind)} is not one of guard, rule, skill, file, patch`);
  }
  return {
    kind: kind as ArtifactKind,
    path: text(fields['path'], `${where}.path`),
    content: longText(fields['content'], `${where}.content`),
  };
}

function record(value: unknown, name: string): Readonly<Record<string, unknown>> {
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    throw new ShapeProblem(`${name} is not an object`);
  return value as Readonly<Record<string, unknown>>;
}

function list(value: unknown, name: string): readonly unknown[] {
  if (!Array.isArray(value)) throw new ShapeProblem(`${name} is not a list`);
  return value as readonly unknown[];
}

/** A non-empty line of at most MAX_SHORT_TEXT characters. */
function text(value: unknown, name: string): string {
  if (typeof value !== 'string' || value.trim() === '') throw new ShapeProblem(`${name} is not a non-empty string`);
  if (value.length > MAX_SHORT_TEXT)
    throw new ShapeProblem(`${name} is longer than ${String(MAX_SHORT_TEXT)} characters`);
  if (/[\r\n\0]/.test(value)) throw new ShapeProblem(`${name} spans lines`);
  return value;
}

function longText(value: unknown, name: string): string {
  if (typeof value !== 'string') throw new ShapeProblem(`${name} is not a string`);
  return value;
}

function texts(value: unknown, name: string): readonly string[] {
  return list(value, name).map((item, i) => longText(item, `${name}[${String(i)}]`));
}

function amount(value: unknown, name: string): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0)
    throw new ShapeProblem(`${name} is not a number ≥ 0`);
  return value;
}

function timestamp(value: unknown, name: string): string {
  const when = typeof value === 'string' && /^\d{4}-\d{2}-\d{2}T/.test(value) ? new Date(value) : undefined;
  if (when === undefined || Number.isNaN(when.getTime()))
    throw new ShapeProblem(`${name} is not an ISO-8601 timestamp`);
  return when.toISOString();
}

function oneOf<T extends string>(value: unknown, allowed: readonly T[], name: string): T {
  const found = allowed.find((candidate) => candidate === value);
  if (found === undefined) {
    throw new ShapeProblem(`${name} ${shown(value)} is not one of ${allowed.join(', ')}`);
  }
  return found;
}

/** A wrong value, quoted and short, for a message. */
function shown(value: unknown): string {
  return typeof value === 'string'
    ? JSON.stringify(value.slice(0, 80))
    : `(a ${value === null ? 'null' : typeof value})`;
}

/** JSON has no undefined: an absent field and `null` both mean unset. */
function optional<T>(value: unknown, read: (value: unknown) => T): T | undefined {
  return value === undefined || value === null ? undefined : read(value);
}

import type { TelemetryEventDraft } from '@agent-harness/observe';
import type { Draft } from '../gc.types.js';

/**
 * The event kinds GC itself emits. Signal detection leaves them out: GC's own drafts (`warn`) and
 * runs (long `durationMs`) must not feed the next run's signals.
 * @public
 */
export const GC_EVENT_HOOKS = [
  'gc_run',
  'gc_draft',
  'gc_adopt',
  'gc_reject',
  'gc_expire',
  'learn_rules',
  'learn_skills',
] as const;
/** @public */
export type GcEventHook = (typeof GC_EVENT_HOOKS)[number];

/** Errors listed in a `gc_run` detail, each cut to this many characters (the detail is ≤ 4 KiB). */
const RUN_DETAIL_ERRORS = 5;
const RUN_DETAIL_ERROR_CHARS = 200;
/** Below `EVENT_FIELD_LIMITS.detail` (4096). */
const RUN_DETAIL_MAX_BYTES = 4000;

const dollars = (usd: number): string => `$${(Number.isFinite(usd) ? Math.max(0, usd) : 0).toFixed(2)}`;
/** A count as events show it: a whole number ≥ 0. */
const whole = (n: number): number => (Number.isFinite(n) ? Math.max(0, Math.trunc(n)) : 0);
/** Money in a JSON detail: cents precision, never negative or NaN. */
const cents = (usd: number): number => (Number.isFinite(usd) ? Math.round(Math.max(0, usd) * 100) / 100 : 0);

/** The detail's JSON with as many of the errors as fit the column (a cut JSON would not parse). */
function runDetail(counts: object, errors: readonly string[]): string {
  for (let n = errors.length; n > 0; n--) {
    const json = JSON.stringify({ ...counts, firstErrors: errors.slice(0, n) });
    if (Buffer.byteLength(json, 'utf8') <= RUN_DETAIL_MAX_BYTES) return json;
  }
  return JSON.stringify(counts);
}

interface Stamp {
  /** When it happened; the emitter's clock when absent. */
  readonly ts?: string | undefined;
}

/**
 * A GC run ended (hook `gc_run`, decision `complete`): `reason` `signals=n drafts=m skipped=k
 * spent=$x.xx`, `detail` a JSON summary. The latest `gc_run` of a project is the next run's
 * checkpoint (its `ts`), so every run writes one, errors or not. `errors` is a count or the
 * messages (the first 5, cut to 200 characters, go into the detail).
 * @public
 */
export function gcRunEvent(
  input: Stamp & {
    project: string;
    signals: number;
    drafts: number;
    skipped: number;
    spentUsd: number;
    errors: number | readonly string[];
    durationMs: number;
  },
): TelemetryEventDraft {
  const counts = {
    signals: whole(input.signals),
    drafts: whole(input.drafts),
    skipped: whole(input.skipped),
    spentUsd: cents(input.spentUsd),
    errors: typeof input.errors === 'number' ? whole(input.errors) : input.errors.length,
  };
  const firstErrors =
    typeof input.errors === 'number'
      ? []
      : input.errors.slice(0, RUN_DETAIL_ERRORS).map((message) => message.slice(0, RUN_DETAIL_ERROR_CHARS));
  return {
    ts: input.ts,
    project: input.project,
    hook: 'gc_run',
    decision: 'complete',
    tool: 'gc',
    reason: `signals=${String(counts.signals)} drafts=${String(counts.drafts)} skipped=${String(counts.skipped)} spent=${dollars(input.spentUsd)}`,
    detail: runDetail(counts, firstErrors),
    durationMs: whole(input.durationMs),
  };
}

/** A draft was made (hook `gc_draft`, decision `warn`: a person should look): `tool` = signal type, `reason` = signal key, `detail` = draft id. @public */
export function gcDraftEvent(input: Stamp & { draft: Draft }): TelemetryEventDraft {
  return draftEvent(input, 'gc_draft', 'warn', input.draft.signal.key);
}

/** A draft was adopted (hook `gc_adopt`, `pass`): `taskId` = the task that adopts it, `detail` = draft id. @public */
export function gcAdoptEvent(input: Stamp & { draft: Draft; taskId: string }): TelemetryEventDraft {
  return { ...draftEvent(input, 'gc_adopt', 'pass', input.draft.signal.key), taskId: input.taskId };
}

/** A draft was rejected (hook `gc_reject`, `pass`): `reason` = why, `detail` = draft id. @public */
export function gcRejectEvent(input: Stamp & { draft: Draft; reason: string }): TelemetryEventDraft {
  return draftEvent(input, 'gc_reject', 'pass', input.reason);
}

/** A pending draft passed its TTL (hook `gc_expire`, `pass`): `detail` = draft id. @public */
export function gcExpireEvent(input: Stamp & { draft: Draft }): TelemetryEventDraft {
  return draftEvent(input, 'gc_expire', 'pass', input.draft.signal.key);
}

function draftEvent(
  input: Stamp & { draft: Draft },
  hook: GcEventHook,
  decision: 'warn' | 'pass',
  reason: string,
): TelemetryEventDraft {
  return {
    ts: input.ts,
    project: input.draft.project,
    hook,
    decision,
    tool: input.draft.signal.type,
    reason,
    detail: input.draft.id,
  };
}

/**
 * Rules or skills were learned from adopted drafts (hook `learn_rules` / `learn_skills`, decision
 * `complete`): `reason` `learned=n drafts=m`, `content` = the learned ids or names, one a line,
 * `detail` = a JSON summary (with `costUsd` when known).
 * @public
 */
export function learnEvent(
  input: Stamp & {
    kind: 'rules' | 'skills';
    project: string;
    learned: readonly string[];
    drafts: number;
    costUsd?: number | undefined;
  },
): TelemetryEventDraft {
  const drafts = whole(input.drafts);
  return {
    ts: input.ts,
    project: input.project,
    hook: input.kind === 'rules' ? 'learn_rules' : 'learn_skills',
    decision: 'complete',
    tool: 'gc',
    reason: `learned=${String(input.learned.length)} drafts=${String(drafts)}`,
    detail: JSON.stringify({
      learned: input.learned.length,
      drafts,
      ...(input.costUsd === undefined ? {} : { costUsd: cents(input.costUsd) }),
    }),
    content: input.learned.length === 0 ? undefined : input.learned.join('\n'),
  };
}

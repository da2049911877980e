/*
 * The telemetry this lib writes and reads, as structural ports: `@agent-harness/observe` is an
 * infra lib, which a domain lib may not import, so these describe just the fields used. Observe's
 * `EventStore` is a `SkillEventReader` and its `TelemetrySink` a `SkillEventSink` as they are.
 */

/** Event kinds (the `hook` field) of skills. @public */
export const SKILL_EVENT_HOOKS = {
  /** A skill was injected into a task's prompt: `tool` = skill id, `reason` = name, `taskId` set. */
  used: 'skill_used',
  /** A governance tick ran: `reason` = counts, `content` = JSON transitions. */
  governanceTick: 'skill_governance_tick',
  /** A skill's governance status changed: `tool` = skill id, `reason` = `from→to`. */
  statusChanged: 'skill_status_changed',
} as const;

/** An event this lib emits: the subset of observe's `TelemetryEventDraft` it fills. @public */
export interface SkillEventDraft {
  readonly ts?: string | undefined;
  readonly hook: string;
  readonly decision: 'pass' | 'warn';
  readonly project?: string | undefined;
  readonly taskId?: string | undefined;
  readonly tool?: string | undefined;
  readonly reason?: string | undefined;
  readonly detail?: string | undefined;
  readonly content?: string | undefined;
}

/** Where events go (observe's `TelemetrySink`, e.g. its `TelemetryEmitter`). @public */
export interface SkillEventSink {
  emit(draft: SkillEventDraft): void;
}

/** A stored event, as far as governance reads it. @public */
export interface SkillEventRecord {
  readonly id: number;
  readonly ts: string;
  readonly hook: string;
  readonly taskId?: string | undefined;
  readonly tool?: string | undefined;
}

/** A page of events of one kind, newest first (observe's `EventQuery`, narrowed). @public */
export interface SkillEventQuery {
  readonly hook: string;
  /** Inclusive. */
  readonly since?: string | undefined;
  /** Exclusive. */
  readonly until?: string | undefined;
  readonly limit: number;
  /** Only events with a smaller id (keyset paging). */
  readonly beforeId?: number | undefined;
}

/** The reads governance needs from the event store (observe's `EventStore` has them). @public */
export interface SkillEventReader {
  latest(filter: { readonly hook: string }): Promise<SkillEventRecord | undefined>;
  query(query: SkillEventQuery): Promise<readonly SkillEventRecord[]>;
}

/**
 * The `skill_used` event to emit when a skill is injected into a task's prompt; the governance
 * tick scores skills from these (skill id from `tool`, task from `taskId`).
 * @public
 */
export function skillUsedEvent(input: {
  readonly project: string;
  readonly taskId: string;
  readonly skillId: string;
  readonly skillName: string;
  readonly ts?: string | undefined;
}): SkillEventDraft {
  return {
    ts: input.ts,
    project: input.project,
    taskId: input.taskId,
    hook: SKILL_EVENT_HOOKS.used,
    decision: 'pass',
    tool: input.skillId,
    reason: input.skillName,
  };
}

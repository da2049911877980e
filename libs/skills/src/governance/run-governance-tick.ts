import { AppError } from '@agent-harness/core';
import type { GovernanceStore } from './governance-store.js';
import {
  SKILL_GOVERNANCE_STATUSES,
  type SkillGovernanceState,
  type SkillGovernanceStatus,
  type SkillStatusTransition,
  type SkillUseOutcome,
} from './governance.types.js';
import { scoreSkills, type SkillScoring } from './score-skills.js';
import { SKILL_EVENT_HOOKS, type SkillEventReader, type SkillEventSink } from './skill-events.js';

/** A task's outcome as the tick's caller reports it; `unknown` is not scored. @public */
export type TaskOutcome = 'success' | 'fail' | 'unknown';

/** How far back a tick reads at most, in days. @public */
export const DEFAULT_GOVERNANCE_WINDOW_DAYS = 14;
/** The most `skill_used` events one tick reads (newest first; older ones are then left out). @public */
export const MAX_GOVERNANCE_TICK_EVENTS = 50_000;
const PAGE_SIZE = 1000;
/** Task ids per `taskOutcomes` call, so an SQL `IN (…)` behind it stays small. */
const TASK_ID_BATCH = 500;
const DAY_MS = 86_400_000;

/** @public */
export interface GovernanceTickOptions {
  readonly events: SkillEventReader;
  readonly store: GovernanceStore;
  /** The current outcome of each task (tasks left out count as `unknown`). Called with at most 500 ids at a time. */
  readonly taskOutcomes: (taskIds: string[]) => Promise<ReadonlyMap<string, TaskOutcome>>;
  readonly telemetry?: SkillEventSink | undefined;
  readonly now: Date;
  /** Default `DEFAULT_GOVERNANCE_WINDOW_DAYS`. */
  readonly maxWindowDays?: number | undefined;
  /** Default `MAX_GOVERNANCE_TICK_EVENTS`. */
  readonly maxEvents?: number | undefined;
}

/** What a tick did. @public */
export interface GovernanceTickSummary {
  /** The window read: `since` inclusive, `until` (the tick's `now`) exclusive. */
  readonly since: string;
  readonly until: string;
  /** `skill_used` events read. */
  readonly usesRead: number;
  /** Whether the event cap was reached (the oldest uses of the window were not read). */
  readonly truncated: boolean;
  /** Distinct (task, skill) pairs, and those whose task outcome was known. */
  readonly pairs: number;
  readonly outcomes: number;
  /** Skills scored in this tick. */
  readonly scored: number;
  /** Skills per status after the tick. */
  readonly statusCounts: Readonly<Record<SkillGovernanceStatus, number>>;
  readonly transitions: readonly SkillStatusTransition[];
}

/**
 * One governance tick: reads the `skill_used` events since the last tick (at most `maxWindowDays`
 * back), asks for the outcomes of their tasks, scores the skills (`scoreSkills`), saves the states,
 * then emits one `skill_governance_tick` event and one `skill_status_changed` event per transition.
 *
 * The window starts at the latest of: the last `skill_governance_tick` event, the last time any
 * skill was scored (so a lost tick event never has the same uses scored twice), and `now` minus
 * `maxWindowDays`.
 * @public
 */
export async function runGovernanceTick(options: GovernanceTickOptions): Promise<GovernanceTickSummary> {
  const { events, store, telemetry, now } = options;
  const windowDays = options.maxWindowDays ?? DEFAULT_GOVERNANCE_WINDOW_DAYS;
  const maxEvents = options.maxEvents ?? MAX_GOVERNANCE_TICK_EVENTS;
  if (!Number.isFinite(now.getTime())) throw new AppError('INVALID_ARGUMENT', 'a governance tick needs a valid `now`');
  if (!Number.isFinite(windowDays) || windowDays <= 0)
    throw new AppError('INVALID_ARGUMENT', `maxWindowDays is a number of days > 0, not ${String(windowDays)}`);
  if (!Number.isSafeInteger(maxEvents) || maxEvents < 1)
    throw new AppError('INVALID_ARGUMENT', `maxEvents is a whole number ≥ 1, not ${String(maxEvents)}`);

  const until = now.toISOString();
  const since = await windowStart(events, await store.load(), now.getTime(), windowDays);
  const read =
    since < until ? await readUses(events, since, until, maxEvents) : { pairs: [], events: 0, truncated: false };
  const outcomes = await knownOutcomes(read.pairs, options.taskOutcomes);

  const box: { scoring?: SkillScoring } = {};
  const states = await store.update((previous) => {
    box.scoring = scoreSkills(previous, outcomes, now);
    return box.scoring.states;
  });
  const transitions = box.scoring?.transitions ?? [];
  const scored = box.scoring?.scored ?? 0;
  const statusCounts = countStatuses(states);

  telemetry?.emit({
    ts: until,
    hook: SKILL_EVENT_HOOKS.governanceTick,
    decision: 'pass',
    tool: 'skills',
    reason: [
      `scored=${String(scored)}`,
      ...SKILL_GOVERNANCE_STATUSES.map((s) => `${s}=${String(statusCounts[s])}`),
    ].join(' '),
    detail: `since=${since} uses=${String(read.events)} pairs=${String(read.pairs.length)} outcomes=${String(outcomes.length)}${read.truncated ? ' truncated=true' : ''}`,
    content: JSON.stringify(transitions),
  });
  for (const transition of transitions)
    telemetry?.emit({
      ts: until,
      hook: SKILL_EVENT_HOOKS.statusChanged,
      decision: transition.to === 'active' ? 'pass' : 'warn',
      tool: transition.skillId,
      reason: `${transition.from}→${transition.to}`,
    });

  return {
    since,
    until,
    usesRead: read.events,
    truncated: read.truncated,
    pairs: read.pairs.length,
    outcomes: outcomes.length,
    scored,
    statusCounts,
    transitions,
  };
}

async function windowStart(
  events: SkillEventReader,
  states: ReadonlyMap<string, SkillGovernanceState>,
  nowMs: number,
  windowDays: number,
): Promise<string> {
  let start = nowMs - windowDays * DAY_MS;
  const lastTick = await events.latest({ hook: SKILL_EVENT_HOOKS.governanceTick });
  const marks = [lastTick?.ts, ...[...states.values()].map((state) => state.lastScoredAt)];
  for (const mark of marks) {
    const ms = mark === undefined ? Number.NaN : Date.parse(mark);
    if (Number.isFinite(ms) && ms > start) start = ms;
  }
  return new Date(Math.min(start, nowMs)).toISOString();
}

interface UsePair {
  readonly taskId: string;
  readonly skillId: string;
}

/** Distinct (task, skill) pairs of the window's `skill_used` events, paging newest first. */
async function readUses(
  events: SkillEventReader,
  since: string,
  until: string,
  maxEvents: number,
): Promise<{ pairs: UsePair[]; events: number; truncated: boolean }> {
  const pairs = new Map<string, UsePair>();
  let count = 0;
  let beforeId: number | undefined;
  for (;;) {
    const limit = Math.min(PAGE_SIZE, maxEvents - count);
    if (limit <= 0) return { pairs: [...pairs.values()], events: count, truncated: true };
    const page = await events.query({ hook: SKILL_EVENT_HOOKS.used, since, until, limit, beforeId });
    if (page.length === 0) break;
    count += page.length;
    let lowest = Number.POSITIVE_INFINITY;
    for (const event of page) {
      lowest = Math.min(lowest, event.id);
      const { taskId, tool: skillId } = event;
      if (taskId === undefined || taskId === '' || skillId === undefined || skillId === '') continue;
      pairs.set(JSON.stringify([taskId, skillId]), { taskId, skillId });
    }
    // A store that does not page backwards would loop forever: stop instead.
    if (!Number.isSafeInteger(lowest) || (beforeId !== undefined && lowest >= beforeId)) break;
    beforeId = lowest;
  }
  return { pairs: [...pairs.values()], events: count, truncated: false };
}

async function knownOutcomes(
  pairs: readonly UsePair[],
  taskOutcomes: GovernanceTickOptions['taskOutcomes'],
): Promise<SkillUseOutcome[]> {
  const taskIds = [...new Set(pairs.map((pair) => pair.taskId))];
  const outcomeOf = new Map<string, TaskOutcome>();
  for (let start = 0; start < taskIds.length; start += TASK_ID_BATCH) {
    const batch = taskIds.slice(start, start + TASK_ID_BATCH);
    const found = await taskOutcomes(batch);
    for (const taskId of batch) outcomeOf.set(taskId, found.get(taskId) ?? 'unknown');
  }
  const known: SkillUseOutcome[] = [];
  for (const { taskId, skillId } of pairs) {
    const outcome = outcomeOf.get(taskId);
    if (outcome === 'success' || outcome === 'fail') known.push({ taskId, skillId, outcome });
  }
  return known;
}

function countStatuses(
  states: ReadonlyMap<string, SkillGovernanceState>,
): Readonly<Record<SkillGovernanceStatus, number>> {
  const counts: Record<SkillGovernanceStatus, number> = { active: 0, watch: 0, quarantine: 0, retired: 0 };
  for (const state of states.values()) counts[state.status] += 1;
  return counts;
}

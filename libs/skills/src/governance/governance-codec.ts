import { err, ok, type Result } from '@agent-harness/core';
import {
  SKILL_GOVERNANCE_STATUSES,
  type SkillGovernanceState,
  type SkillGovernanceStatus,
} from './governance.types.js';

/*
 * The governance file, version 1:
 *
 *   { "version": 1,
 *     "skills": { "builtin:review": { "skillId": "builtin:review", "qualityScore": 0.62, "samples": 14,
 *                 "status": "active", "canaryRatio": 1, "usageCount": 20,
 *                 "lastUsedAt": "2026-11-24T10:00:00.000Z", "lastScoredAt": "2026-11-24T00:00:00.000Z" } } }
 *
 * Read strictly: a value out of range is an error naming the skill and the field, never a reset.
 */

/** The format version `FileGovernanceStore` writes and reads. @public */
export const GOVERNANCE_FILE_VERSION = 1;
const MAX_SKILL_ID_LENGTH = 200;

/** The JSON text of `states`, skills sorted by id. */
export function encodeGovernance(states: ReadonlyMap<string, SkillGovernanceState>): string {
  const skills = Object.fromEntries([...states].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
  return `${JSON.stringify({ version: GOVERNANCE_FILE_VERSION, skills }, null, 2)}\n`;
}

/** The states in a governance file's text, or what is wrong with it. */
export function decodeGovernance(text: string): Result<Map<string, SkillGovernanceState>, string> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    return err(`not valid JSON (${error instanceof Error ? error.message : String(error)})`);
  }
  if (!isRecord(parsed)) return err('not a JSON object');
  if (parsed['version'] !== GOVERNANCE_FILE_VERSION)
    return err(`format version ${JSON.stringify(parsed['version'])} is not ${String(GOVERNANCE_FILE_VERSION)}`);
  const skills = parsed['skills'];
  if (!isRecord(skills)) return err('"skills" is not an object');
  const states = new Map<string, SkillGovernanceState>();
  for (const [id, value] of Object.entries(skills)) {
    const state = decodeState(id, value);
    if (!state.ok) return err(`skill ${JSON.stringify(id)}: ${state.error}`);
    states.set(id, state.value);
  }
  return ok(states);
}

function decodeState(id: string, value: unknown): Result<SkillGovernanceState, string> {
  if (id === '' || id.length > MAX_SKILL_ID_LENGTH) return err('the id is empty or too long');
  if (!isRecord(value)) return err('not an object');
  const { skillId, qualityScore, samples, status, canaryRatio, usageCount, lastUsedAt, lastScoredAt } = value;
  if (skillId !== id) return err(`"skillId" is ${JSON.stringify(skillId)}, not the key it is stored under`);
  if (!isShare(qualityScore)) return err(`"qualityScore" is not a number from 0 to 1: ${JSON.stringify(qualityScore)}`);
  if (!isCount(samples)) return err(`"samples" is not a whole number ≥ 0: ${JSON.stringify(samples)}`);
  if (!isStatus(status))
    return err(`"status" is not one of ${SKILL_GOVERNANCE_STATUSES.join(', ')}: ${JSON.stringify(status)}`);
  if (!isShare(canaryRatio)) return err(`"canaryRatio" is not a number from 0 to 1: ${JSON.stringify(canaryRatio)}`);
  if (!isCount(usageCount)) return err(`"usageCount" is not a whole number ≥ 0: ${JSON.stringify(usageCount)}`);
  if (!isOptionalInstant(lastUsedAt))
    return err(`"lastUsedAt" is not an ISO-8601 instant: ${JSON.stringify(lastUsedAt)}`);
  if (!isOptionalInstant(lastScoredAt))
    return err(`"lastScoredAt" is not an ISO-8601 instant: ${JSON.stringify(lastScoredAt)}`);
  return ok({
    skillId: id,
    qualityScore,
    samples,
    status,
    canaryRatio,
    usageCount,
    ...(lastUsedAt === undefined ? {} : { lastUsedAt }),
    ...(lastScoredAt === undefined ? {} : { lastScoredAt }),
  });
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isShare(value: unknown): value is number {
  return typeof value === 'number' && Number.isFinite(value) && value >= 0 && value <= 1;
}

function isCount(value: unknown): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= 0;
}

function isStatus(value: unknown): value is SkillGovernanceStatus {
  return (SKILL_GOVERNANCE_STATUSES as readonly unknown[]).includes(value);
}

function isOptionalInstant(value: unknown): value is string | undefined {
  return value === undefined || (typeof value === 'string' && Number.isFinite(Date.parse(value)));
}

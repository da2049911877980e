import { randomBytes } from 'node:crypto';

/** A plan id: 12 lowercase hex characters (48 random bits). It names the plan's file. */
const PLAN_ID = /^[0-9a-f]{12}$/;
/** What may stand for a plan id: its first 4 to 12 hex characters. */
const PLAN_ID_PREFIX = /^[0-9a-f]{4,12}$/;

/** A fresh random plan id: 12 lowercase hex characters. @public */
export function newPlanId(): string {
  return randomBytes(6).toString('hex');
}

/** Whether `text` is a whole plan id (and so safe in a file name). @public */
export function isPlanId(text: string): boolean {
  return PLAN_ID.test(text);
}

/** Whether `text` can stand for a plan id: 4 to 12 lowercase hex characters, its start. @public */
export function isPlanIdPrefix(text: string): boolean {
  return PLAN_ID_PREFIX.test(text);
}

/** The file a plan is exported to: `exec-plan-<id>.md`. @public */
export function planFileName(id: string): string {
  return `exec-plan-${id}.md`;
}

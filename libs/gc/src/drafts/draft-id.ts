import { randomBytes } from 'node:crypto';

/** A draft id: 12 lowercase hex characters (48 random bits). It names the draft's file. */
const DRAFT_ID = /^[0-9a-f]{12}$/;
/** The first 8 characters of a draft id, what users type and what names its branch. */
const SHORT_ID = /^[0-9a-f]{8}$/;

/** A fresh random draft id: 12 lowercase hex characters. @public */
export function newDraftId(): string {
  return randomBytes(6).toString('hex');
}

/** Whether `text` is a whole draft id (and so safe as a file name). @public */
export function isDraftId(text: string): boolean {
  return DRAFT_ID.test(text);
}

/** Whether `text` is the 8-character short form of a draft id. @public */
export function isDraftShortId(text: string): boolean {
  return SHORT_ID.test(text);
}

/** The first 8 characters of a draft id: shown in listings and accepted wherever an id is. @public */
export function draftShortId(id: string): string {
  return id.slice(0, 8);
}

/** The branch a draft is adopted on: `harness/gc-<short id>`. @public */
export function draftBranch(id: string): string {
  return `harness/gc-${draftShortId(id)}`;
}

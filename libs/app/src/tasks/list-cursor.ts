import type { TaskListPosition } from '@agent-harness/queue';
import { ValidateBy } from 'class-validator';

/** A cursor is base64url of `[created_at, id]`; anything longer than this is not one. */
const MAX_CURSOR_CHARS = 400;
const TIMESTAMP = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,6})?Z$/;
const TASK_ID = /^[0-9A-Za-z_-]{1,100}$/;

/** The opaque `cursor` of `GET /tasks`: where the next page starts. */
export function encodeListCursor(position: TaskListPosition): string {
  return Buffer.from(JSON.stringify([position.createdAt, position.id])).toString('base64url');
}

/** The position a cursor names, or undefined when the text is not a cursor this server made. */
export function decodeListCursor(cursor: string): TaskListPosition | undefined {
  if (cursor.length > MAX_CURSOR_CHARS || !/^[A-Za-z0-9_-]+$/.test(cursor)) return undefined;
  let value: unknown;
  try {
    value = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    return undefined;
  }
  if (!Array.isArray(value) || value.length !== 2) return undefined;
  const [createdAt, id] = value as unknown[];
  if (typeof createdAt !== 'string' || typeof id !== 'string' || !TIMESTAMP.test(createdAt) || !TASK_ID.test(id))
    return undefined;
  return { createdAt, id };
}

/** A `cursor` query value: a `next_cursor` from an earlier page. */
export function IsListCursor(): PropertyDecorator {
  return ValidateBy({
    name: 'isListCursor',
    validator: {
      validate: (value: unknown) => typeof value === 'string' && decodeListCursor(value) !== undefined,
      defaultMessage: () => 'cursor must be a next_cursor from an earlier GET /tasks answer',
    },
  });
}

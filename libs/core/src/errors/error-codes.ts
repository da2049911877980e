/**
 * Every error code Harness can raise, namespaced by the area that raises it. The CLI maps each to an
 * exit code and the server to an HTTP status, so adding a code here breaks those tables' build until
 * they say what it means.
 * @public
 */
export const ERROR_CODES = [
  'CONFIG_INVALID',
  'INVALID_ARGUMENT',
  'NOT_FOUND',
  'CONFLICT',
  'UNSUPPORTED',
  'UNAUTHORIZED',
  /** A request from somewhere the server does not serve (another site's page, a foreign Host). */
  'FORBIDDEN',
  /** A request body over the size or nesting limit. */
  'PAYLOAD_TOO_LARGE',
  /** A request body that is not JSON. */
  'UNSUPPORTED_MEDIA_TYPE',
  'INTERNAL',
  'AGENT_UNAVAILABLE',
  'AGENT_FAILED',
  'QUEUE_FULL',
  /** git itself failed (a fetch, a push, a worktree): its own message says why. */
  'GIT_FAILED',
  /** GitHub refused the token (401): check GITHUB_TOKEN. */
  'GITHUB_UNAUTHORIZED',
  /** GitHub has no such issue or pull request, or the token cannot see it (404). */
  'GITHUB_NOT_FOUND',
  /** GitHub's rate limit (403/429 with a reset time): retry after it. */
  'GITHUB_RATE_LIMITED',
  /** Any other GitHub failure. */
  'GITHUB_FAILED',
  /**
   * The disk holding Harness's data is full, or its database is read-only: the write was not made.
   * Passing (free space, fix the mount): writes and dispatch resume by themselves.
   */
  'STORAGE_UNAVAILABLE',
  /** The database file is damaged (or not a database): move it aside or restore it from a backup. */
  'DATABASE_CORRUPT',
] as const;

/** @public */
export type ErrorCode = (typeof ERROR_CODES)[number];

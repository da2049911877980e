/** DI token for the resolved, frozen `HarnessConfig` (a type, so it needs a token of its own). */
export const HARNESS_CONFIG = Symbol('HARNESS_CONFIG');
/** DI token for the open `Database` from `@agent-harness/persistence`. */
export const DATABASE = Symbol('DATABASE');
/** DI token for the time the server started (ms since the epoch). */
export const SERVER_STARTED_AT = Symbol('SERVER_STARTED_AT');
/** DI token for the environment the server was started with (agents and git derive theirs from it). */
export const BASE_ENV = Symbol('BASE_ENV');
/** DI token for the interval of SSE heartbeat comments (ms). */
export const SSE_HEARTBEAT_MS = Symbol('SSE_HEARTBEAT_MS');

/** DI token for the `Harness` built by `createHarness` (@agent-harness/runtime). */
export const HARNESS = Symbol('HARNESS');
/** DI token for the resolved, frozen `HarnessConfig` (a type, so it needs a token of its own). */
export const HARNESS_CONFIG = Symbol('HARNESS_CONFIG');
/** DI token for the time the server started (ms since the epoch). */
export const SERVER_STARTED_AT = Symbol('SERVER_STARTED_AT');
/** DI token for the interval of SSE heartbeat comments (ms). */
export const SSE_HEARTBEAT_MS = Symbol('SSE_HEARTBEAT_MS');
/** DI token for the Harness's bound operations (`Operations` of @agent-harness/app). */
export const OPERATIONS = Symbol('OPERATIONS');

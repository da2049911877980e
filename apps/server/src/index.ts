// Public API of @agent-harness/server.
export { bootstrapServer, assertSafeBind } from './bootstrap.js';
export type { BootstrapOptions, RunningServer } from './bootstrap.js';
export type { LogFormat } from './logging/index.js';

// Public API of @agent-harness/server.
export { bootstrapServer, bootstrapStdio, assertSafeBind } from './bootstrap.js';
export type { BootstrapOptions, RunningServer, RunningStdioServer, StdioOptions } from './bootstrap.js';
export type { LogFormat } from './logging/index.js';

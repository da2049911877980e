export { createServerLogger } from './harness-logger.js';
export type { LogFormat } from './harness-logger.js';
export { requestLog } from './request-log.middleware.js';

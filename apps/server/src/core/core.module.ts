import { Global, Module, type DynamicModule } from '@nestjs/common';
import type { HarnessConfig } from '@agent-harness/core';
import type { Database } from '@agent-harness/persistence';
import { BASE_ENV, DATABASE, HARNESS_CONFIG, SERVER_STARTED_AT, SSE_HEARTBEAT_MS } from './tokens.js';

/** The only global module: configuration, environment, start time and the open database. */
@Global()
@Module({})
export class CoreModule {
  static forRoot(options: { config: HarnessConfig; env: Readonly<Record<string, string | undefined>>; database: Database; startedAt: number; sseHeartbeatMs: number }): DynamicModule {
    return {
      module: CoreModule,
      providers: [
        { provide: HARNESS_CONFIG, useValue: options.config },
        { provide: BASE_ENV, useValue: options.env },
        { provide: DATABASE, useValue: options.database },
        { provide: SERVER_STARTED_AT, useValue: options.startedAt },
        { provide: SSE_HEARTBEAT_MS, useValue: options.sseHeartbeatMs },
      ],
      exports: [HARNESS_CONFIG, BASE_ENV, DATABASE, SERVER_STARTED_AT, SSE_HEARTBEAT_MS],
    };
  }
}

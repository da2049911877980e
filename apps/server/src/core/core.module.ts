import { Global, Module, type DynamicModule } from '@nestjs/common';
import type { Harness } from '@agent-harness/runtime';
import { HARNESS, HARNESS_CONFIG, SERVER_STARTED_AT, SSE_HEARTBEAT_MS } from './tokens.js';

/** The only global module: the Harness built by the composition root, its configuration, start time. */
@Global()
@Module({})
export class CoreModule {
  static forRoot(options: { harness: Harness; startedAt: number; sseHeartbeatMs: number }): DynamicModule {
    return {
      module: CoreModule,
      providers: [
        { provide: HARNESS, useValue: options.harness },
        { provide: HARNESS_CONFIG, useValue: options.harness.config },
        { provide: SERVER_STARTED_AT, useValue: options.startedAt },
        { provide: SSE_HEARTBEAT_MS, useValue: options.sseHeartbeatMs },
      ],
      exports: [HARNESS, HARNESS_CONFIG, SERVER_STARTED_AT, SSE_HEARTBEAT_MS],
    };
  }
}

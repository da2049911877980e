import { Global, Module, type DynamicModule } from '@nestjs/common';
import type { HarnessConfig } from '@agent-harness/core';
import { HARNESS_CONFIG, SERVER_STARTED_AT } from './tokens.js';

/** The only global module: the configuration and the server's start time. */
@Global()
@Module({})
export class CoreModule {
  static forRoot(config: HarnessConfig, startedAt: number): DynamicModule {
    return {
      module: CoreModule,
      providers: [
        { provide: HARNESS_CONFIG, useValue: config },
        { provide: SERVER_STARTED_AT, useValue: startedAt },
      ],
      exports: [HARNESS_CONFIG, SERVER_STARTED_AT],
    };
  }
}

import { Module, type DynamicModule } from '@nestjs/common';
import type { HarnessConfig } from '@agent-harness/core';
import type { Database } from '@agent-harness/persistence';
import { CoreModule } from './core/core.module.js';
import { DatabaseModule } from './database/database.module.js';
import { HealthController } from './health/health.controller.js';

/** The root module: wires the libraries' objects into Nest; holds no logic of its own. */
@Module({})
export class AppModule {
  static forRoot(options: { config: HarnessConfig; database: Database; startedAt: number }): DynamicModule {
    return {
      module: AppModule,
      imports: [CoreModule.forRoot(options.config, options.startedAt), DatabaseModule.forRoot(options.database)],
      controllers: [HealthController],
    };
  }
}

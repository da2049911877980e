import { Module } from '@nestjs/common';
import { EngineModule } from '../engine/engine.module.js';
import { TaskFeed } from './task-feed.js';
import { TaskFeedController } from './task-feed.controller.js';
import { WebController } from './web.controller.js';
import { loadWebAssets } from './web-assets.js';
import { WEB_ASSETS } from './web.tokens.js';

/** The web dashboard: its page and files, and the live feed of every task it shows. */
@Module({
  imports: [EngineModule],
  controllers: [WebController, TaskFeedController],
  providers: [TaskFeed, { provide: WEB_ASSETS, useFactory: () => loadWebAssets() }],
})
export class WebModule {}

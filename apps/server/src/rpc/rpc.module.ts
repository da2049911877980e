import { Inject, Injectable, Module, type OnApplicationShutdown } from '@nestjs/common';
import type { Harness } from '@agent-harness/runtime';
import { HARNESS } from '../core/tokens.js';
import { RpcHttpController } from './rpc-http.controller.js';
import { RpcHttpSessions } from './rpc-http-sessions.js';
import { RpcJobs } from './rpc-jobs.js';
import { RpcMethodTable } from './rpc-methods.js';

/** How long shutdown waits for running JSON-RPC jobs (a GC run) before the database closes. */
const JOBS_SHUTDOWN_WAIT_MS = 10_000;

/** Lets running jobs finish (within a bound) before the Harness closes under them. */
@Injectable()
export class RpcJobsLifecycle implements OnApplicationShutdown {
  constructor(@Inject(RpcJobs) private readonly jobs: RpcJobs) {}

  async onApplicationShutdown(): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      this.jobs.idle(),
      new Promise<void>((resolve) => {
        timer = setTimeout(resolve, JOBS_SHUTDOWN_WAIT_MS);
        timer.unref();
      }),
    ]);
    clearTimeout(timer);
  }
}

/** JSON-RPC: the method table every transport shares, `POST /rpc` and its sessions. */
@Module({
  providers: [
    RpcJobs,
    RpcJobsLifecycle,
    {
      provide: RpcMethodTable,
      inject: [HARNESS, RpcJobs],
      useFactory: (harness: Harness, jobs: RpcJobs) => new RpcMethodTable(harness, jobs),
    },
    {
      provide: RpcHttpSessions,
      inject: [RpcMethodTable],
      useFactory: (methods: RpcMethodTable) => new RpcHttpSessions(methods),
    },
  ],
  controllers: [RpcHttpController],
  exports: [RpcMethodTable],
})
export class RpcModule {}

import { randomUUID } from 'node:crypto';
import { boundOperation, type OperationInput, type RestOperationName, type OperationOutput } from '@agent-harness/app';
import type { HarnessConfig } from '@agent-harness/core';
import { createHarness, type Harness, type HarnessLogger } from '@agent-harness/runtime';
import { TaskBackend } from './task-backend.js';

/**
 * Tasks run by a Harness built in this process: its engine dispatches while the MCP server lives,
 * leasing tasks under its own id (`mcp-<uuid>`), so a server sharing the database never takes
 * them back as its own. Closing it puts running tasks back in the queue.
 */
export class InProcessTaskBackend extends TaskBackend {
  readonly description: string;

  private constructor(private readonly harness: Harness) {
    super();
    this.description = `tasks run in this process (data directory ${harness.config.server.data_dir}, lease id ${harness.engine.serverId})`;
  }

  /** Opens the database, syncs the configured projects, recovers expired leases and starts dispatching. */
  static async start(
    config: HarnessConfig,
    options: { env: Readonly<Record<string, string | undefined>>; homeDir: string; logger: HarnessLogger },
  ): Promise<InProcessTaskBackend> {
    const harness = await createHarness(config, {
      env: options.env,
      homeDir: options.homeDir,
      logger: options.logger,
      serverId: `mcp-${randomUUID()}`,
    });
    try {
      await harness.start();
    } catch (error) {
      await harness.close();
      throw error;
    }
    return new InProcessTaskBackend(harness);
  }

  call<N extends RestOperationName>(name: N, input: OperationInput<N>): Promise<OperationOutput<N>> {
    return boundOperation(this.harness.operations, name)(input) as Promise<OperationOutput<N>>;
  }

  close(): Promise<void> {
    return this.harness.close();
  }
}

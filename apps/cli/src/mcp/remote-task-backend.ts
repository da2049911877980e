import type { OperationInput, RestOperationName, OperationOutput } from '@agent-harness/app';
import { AppError } from '@agent-harness/core';
import { HarnessClient } from '../client/harness-client.js';
import { TaskBackend } from './task-backend.js';

/** Tasks on a running Harness server, through its REST API (`harness mcp-server --url`). */
export class RemoteTaskBackend extends TaskBackend {
  readonly description: string;
  private readonly client: HarnessClient;

  constructor(url: string, token: string | undefined) {
    super();
    this.client = new HarnessClient(url, token);
    this.description = `tasks go to the Harness server at ${url}`;
  }

  async call<N extends RestOperationName>(name: N, input: OperationInput<N>): Promise<OperationOutput<N>> {
    try {
      return await this.client.call(name, input);
    } catch (error) {
      // The client's hint names the flag of `harness tasks`; this command's is --url.
      if (error instanceof AppError && error.message.startsWith('cannot reach '))
        throw new AppError(
          error.code,
          error.message.replace('(--server or HARNESS_SERVER)', '(--url or HARNESS_URL)'),
          { cause: error },
        );
      throw error;
    }
  }

  close(): Promise<void> {
    return Promise.resolve();
  }
}

import type { OperationInput, RestOperationName, OperationOutput } from '@agent-harness/app';

/**
 * Where the MCP tools' operations run: a Harness server over its REST API (`--url`), or a Harness
 * built in this process. Either way the same operation of @agent-harness/app answers, with the
 * same input and output.
 */
export abstract class TaskBackend {
  /** Said once on stderr at start: where tasks go. */
  abstract readonly description: string;
  abstract call<N extends RestOperationName>(name: N, input: OperationInput<N>): Promise<OperationOutput<N>>;
  /** Stops what it runs (running tasks go back to the queue) and lets go of the database. */
  abstract close(): Promise<void>;
}

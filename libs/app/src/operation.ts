/**
 * What a surface knows of the call it adapts. Only what changes an operation's behaviour is here;
 * how a surface frames the answer (HTTP status, JSON-RPC envelope, MCP text) stays the surface's.
 */
export interface OperationContext {
  /**
   * Set by a surface that can push a task's events to its caller (the JSON-RPC WebSocket and stdio
   * sessions): an operation that starts a task follows it at once, so no event falls between the
   * answer and a subscribe.
   */
  readonly follow?: ((taskId: string, afterSeq: number) => void) | undefined;
}

/**
 * One use case, whole: its name (the JSON-RPC method and MCP tool name), its input (a class whose
 * class-validator rules every surface checks the same way), and `execute` with only the ports it
 * needs. Surfaces adapt operations; none restates what one does.
 */
export interface Operation<I extends object, O, P> {
  readonly name: string;
  /** One line for help texts and tool lists. */
  readonly summary: string;
  readonly input: new () => I;
  execute(ports: P, input: I, context: OperationContext): Promise<O>;
}

/** An operation with its types kept (the table's entries are declared through it). */
export function defineOperation<I extends object, O, P>(operation: Operation<I, O, P>): Operation<I, O, P> {
  return operation;
}

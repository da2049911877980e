import type { Readable, Writable } from 'node:stream';
import { MAX_BODY_BYTES } from '../http/json-body.js';
import { parseRpcText, RPC_ERRORS, rpcError } from './json-rpc.js';
import type { RpcMethodTable } from './rpc-methods.js';
import { RpcSession } from './rpc-session.js';

/**
 * JSON-RPC over stdio: one message per line on `input`, answers and notifications one per line on
 * `output` (nothing else is ever written there; logs go to stderr). A line longer than the HTTP
 * body limit is refused with a parse error and skipped to its end. Resolves when `input` ends
 * (the client closed it) or when the client stops reading for longer than `capacity` messages.
 */
export function serveRpcStdio(
  input: Readable,
  output: Writable,
  options: { readonly methods: RpcMethodTable; readonly capacity: number },
): Promise<void> {
  return new Promise<void>((resolve) => {
    let unsent = 0;
    let stopped = false;
    const stop = (): void => {
      if (stopped) return;
      stopped = true;
      session.close();
      input.off('data', onData);
      void queue.then(resolve);
    };
    const send = (message: unknown): void => {
      if (stopped) return;
      if (unsent >= options.capacity) {
        process.stderr.write('harness: the stdio client stopped reading; closing the session\n');
        stop();
        return;
      }
      unsent += 1;
      output.write(`${JSON.stringify(message)}\n`, () => {
        unsent -= 1;
      });
    };
    const session = new RpcSession(options.methods, { send });
    let queue = Promise.resolve();
    const handleLine = (line: string): void => {
      if (line.trim() === '') return;
      queue = queue
        .then(async () => {
          const parsed = parseRpcText(line);
          if (!parsed.ok) {
            send(parsed.error);
            return;
          }
          await session.respond(parsed.value, send);
        })
        // One message that could not be answered must not stop the ones after it.
        .catch(() => undefined);
    };
    let pending = '';
    let skipping = false;
    const onData = (chunk: Buffer | string): void => {
      let text = typeof chunk === 'string' ? chunk : chunk.toString('utf8');
      for (;;) {
        const newline = text.indexOf('\n');
        if (newline === -1) break;
        const rest = text.slice(0, newline);
        text = text.slice(newline + 1);
        if (skipping) skipping = false;
        else handleLine(pending + rest);
        pending = '';
      }
      if (skipping) return;
      pending += text;
      if (Buffer.byteLength(pending) > MAX_BODY_BYTES) {
        pending = '';
        skipping = true;
        send(rpcError(null, RPC_ERRORS.PARSE_ERROR, `message is over ${String(MAX_BODY_BYTES)} bytes`));
      }
    };
    input.setEncoding('utf8');
    input.on('data', onData);
    input.on('end', () => {
      if (!skipping) handleLine(pending);
      stop();
    });
    input.on('close', stop);
  });
}

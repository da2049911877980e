import type { IncomingMessage } from 'node:http';
import type { OperationInput, OperationOutput, RestOperationName } from '@agent-harness/app';
// The narrow entry: routes are plain data, the operations themselves stay unloaded.
import { operationRequest } from '@agent-harness/app/routes';
import type { ErrorBody, TaskEventDataByKind, TaskEventKind, TaskStreamEvent } from '@agent-harness/core';
// The narrow entry: the client commands load none of core's configuration code.
import { AppError, ERROR_CODES, type ErrorCode } from '@agent-harness/core/errors';

/** One event read from a task stream: the server's `TaskStreamEvent` without its time. */
export type StreamedEvent = {
  readonly [K in TaskEventKind]: { readonly seq: number; readonly kind: K; readonly data: TaskEventDataByKind[K] };
}[TaskEventKind];

const CODE_BY_STATUS: Record<number, ErrorCode> = {
  400: 'INVALID_ARGUMENT',
  401: 'UNAUTHORIZED',
  403: 'FORBIDDEN',
  404: 'NOT_FOUND',
  409: 'CONFLICT',
  413: 'PAYLOAD_TOO_LARGE',
  415: 'UNSUPPORTED_MEDIA_TYPE',
  429: 'QUEUE_FULL',
};

/**
 * The AppError for a failed response: the server's `{"error": {"code", "message"}}` when the body
 * has that shape, else the status and whatever text came back.
 */
export function errorFromResponse(
  method: string,
  path: string,
  status: number,
  text: string,
  tokenSent?: boolean,
): AppError {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    parsed = undefined;
  }
  // Checked field by field: a proxy or another server may answer with anything.
  const error =
    typeof parsed === 'object' && parsed !== null
      ? (parsed as Partial<Record<keyof ErrorBody, unknown>>).error
      : undefined;
  const fields =
    typeof error === 'object' && error !== null ? (error as Partial<Record<keyof ErrorBody['error'], unknown>>) : {};
  const known = ERROR_CODES.find((c) => c === fields.code);
  const message = typeof fields.message === 'string' ? fields.message : text.slice(0, 500);
  // A 401 says what to do about it: the one variable the client reads its token from.
  const hint =
    status !== 401 || tokenSent === undefined
      ? ''
      : tokenSent
        ? " (the token in HARNESS_API_TOKEN was refused: it must be the server's [server] api_token)"
        : " (no token was sent: set HARNESS_API_TOKEN to the server's [server] api_token)";
  return new AppError(
    known ?? CODE_BY_STATUS[status] ?? 'INTERNAL',
    `${method} ${path}: ${String(status)} ${message}${hint}`,
  );
}

/**
 * Longest silence on a connection (no answer yet, or no bytes of a stream) before it counts as lost.
 * Streams carry a heartbeat every 15 s, so only a server that stopped answering reaches it.
 */
const IDLE_CAP_MS = 300_000;

/** An answer whose body is still to be read. */
interface OpenResponse {
  readonly status: number;
  readonly body: IncomingMessage;
}

const isSuccess = (status: number): boolean => status >= 200 && status <= 299;

/** The whole body of an answer, as text. */
async function readText(body: IncomingMessage): Promise<string> {
  body.setEncoding('utf8');
  let text = '';
  for await (const chunk of body) text += String(chunk);
  return text;
}

/**
 * A small client of the Harness REST API, for the `harness tasks` commands. It speaks through
 * node:http rather than `fetch`: fetch's HTTP stack (undici) costs a `tasks list` more time to load
 * and start than the whole command otherwise takes.
 */
export class HarnessClient {
  constructor(
    private readonly baseUrl: string,
    private readonly token: string | undefined,
  ) {}

  private headers(): Record<string, string> {
    return {
      'content-type': 'application/json',
      ...(this.token === undefined ? {} : { authorization: `Bearer ${this.token}` }),
    };
  }

  /** Sends one request and resolves when the answer's head has arrived. */
  private async open(
    method: string,
    path: string,
    init: { body?: string; headers?: Record<string, string>; signal?: AbortSignal | undefined } = {},
  ): Promise<OpenResponse> {
    let url: URL;
    try {
      url = new URL(`${this.baseUrl}${path}`);
    } catch {
      throw new AppError('INVALID_ARGUMENT', `${this.baseUrl} is not a URL (e.g. http://127.0.0.1:9800)`);
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:')
      throw new AppError('INVALID_ARGUMENT', `${this.baseUrl} must be an http:// or https:// URL`);
    // TLS is loaded only for a server that needs it.
    const { request } = url.protocol === 'https:' ? await import('node:https') : await import('node:http');
    try {
      return await new Promise<OpenResponse>((resolve, reject) => {
        const req = request(url, {
          method,
          headers: { ...this.headers(), ...init.headers },
          timeout: IDLE_CAP_MS,
          ...(init.signal === undefined ? {} : { signal: init.signal }),
        });
        req.once('response', (body) => {
          resolve({ status: body.statusCode ?? 0, body });
        });
        req.once('timeout', () => {
          req.destroy(new Error(`no answer within ${String(IDLE_CAP_MS / 1000)} s`));
        });
        req.once('error', reject);
        req.end(init.body);
      });
    } catch (error) {
      if (init.signal?.aborted === true) throw error;
      const cause = error instanceof Error ? error.message : String(error);
      throw new AppError(
        'INTERNAL',
        `cannot reach the Harness server at ${this.baseUrl} (${cause}); is "harness serve" running? (--server or HARNESS_SERVER)`,
      );
    }
  }

  async request<T>(method: string, path: string, body?: unknown): Promise<T> {
    const res = await this.open(method, path, body === undefined ? {} : { body: JSON.stringify(body) });
    let text: string;
    try {
      text = await readText(res.body);
    } catch (error) {
      const cause = error instanceof Error ? error.message : String(error);
      throw new AppError('INTERNAL', `${method} ${path}: the connection broke off before the whole answer (${cause})`);
    }
    if (!isSuccess(res.status)) throw errorFromResponse(method, path, res.status, text, this.token !== undefined);
    try {
      return (text === '' ? undefined : JSON.parse(text)) as T;
    } catch {
      throw new AppError(
        'INTERNAL',
        `${method} ${path}: the server answered ${String(res.status)} with a body that is not JSON`,
      );
    }
  }

  /** An operation of @agent-harness/app over its REST route: the same input and answer as in process. */
  async call<N extends RestOperationName>(name: N, input: OperationInput<N>): Promise<OperationOutput<N>> {
    const { method, path, body } = operationRequest(name, input as Readonly<Record<string, unknown>>);
    return this.request<OperationOutput<N>>(method, path, body);
  }

  /**
   * Follows a task's event stream from after `afterSeq`, calling `onEvent` for each, until its `end`
   * event. A dropped connection is resumed with Last-Event-ID (up to 5 times in a row). Answers
   * `over` when the task had ended with no event after `afterSeq` (the server's 204).
   */
  async watch(
    taskId: string,
    afterSeq: number,
    onEvent: (event: StreamedEvent) => void,
    signal?: AbortSignal,
  ): Promise<'followed' | 'over'> {
    let last = afterSeq;
    for (let failures = 0; failures < 5;) {
      let res: OpenResponse;
      try {
        res = await this.open('GET', `/tasks/${encodeURIComponent(taskId)}/stream`, {
          headers: { 'last-event-id': String(last) },
          signal,
        });
      } catch (error) {
        if (signal?.aborted === true) return 'followed';
        throw error;
      }
      if (!isSuccess(res.status))
        throw errorFromResponse(
          'GET',
          `/tasks/${taskId}/stream`,
          res.status,
          await readText(res.body),
          this.token !== undefined,
        );
      if (res.status === 204) {
        res.body.resume();
        return 'over';
      }
      let ended = false;
      try {
        for await (const event of parseSse(res.body)) {
          last = event.seq;
          failures = 0;
          onEvent(event);
          if (event.kind === 'end') ended = true;
        }
      } catch (error) {
        if (signal?.aborted === true) return 'followed';
        failures += 1;
        if (failures >= 5) throw error;
        continue;
      }
      if (ended) return 'followed';
      failures += 1;
    }
    throw new AppError('INTERNAL', `the stream of ${taskId} kept closing before the task ended`);
  }
}

async function* parseSse(body: AsyncIterable<Uint8Array>): AsyncGenerator<StreamedEvent> {
  const decoder = new TextDecoder();
  let buffer = '';
  for await (const chunk of body) {
    buffer += decoder.decode(chunk, { stream: true });
    let split = buffer.indexOf('\n\n');
    while (split !== -1) {
      const block = buffer.slice(0, split);
      buffer = buffer.slice(split + 2);
      const data = block
        .split('\n')
        .filter((l) => l.startsWith('data: '))
        .map((l) => l.slice(6))
        .join('\n');
      if (data !== '') {
        const { at: _at, ...event } = JSON.parse(data) as TaskStreamEvent;
        yield event;
      }
      split = buffer.indexOf('\n\n');
    }
  }
}

import {
  AppError,
  ERROR_CODES,
  type ErrorBody,
  type ErrorCode,
  type TaskEventDataByKind,
  type TaskEventKind,
  type TaskStreamEvent,
} from '@agent-harness/core';

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
export function errorFromResponse(method: string, path: string, status: number, text: string): AppError {
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
  return new AppError(known ?? CODE_BY_STATUS[status] ?? 'INTERNAL', `${method} ${path}: ${String(status)} ${message}`);
}

/** A small client of the Harness REST API, for the `harness tasks` commands. */
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

  private async fetch(path: string, init: RequestInit = {}): Promise<Response> {
    try {
      return await fetch(`${this.baseUrl}${path}`, {
        ...init,
        headers: { ...this.headers(), ...(init.headers as Record<string, string> | undefined) },
      });
    } catch (error) {
      const cause = error instanceof Error && error.cause instanceof Error ? error.cause.message : String(error);
      throw new AppError(
        'INTERNAL',
        `cannot reach the Harness server at ${this.baseUrl} (${cause}); is "harness serve" running? (--server or HARNESS_SERVER)`,
      );
    }
  }

  async request<T>(method: string, path: string, body?: unknown): Promise<T> {
    const res = await this.fetch(path, { method, ...(body === undefined ? {} : { body: JSON.stringify(body) }) });
    const text = await res.text();
    if (!res.ok) throw errorFromResponse(method, path, res.status, text);
    try {
      return (text === '' ? undefined : JSON.parse(text)) as T;
    } catch {
      throw new AppError(
        'INTERNAL',
        `${method} ${path}: the server answered ${String(res.status)} with a body that is not JSON`,
      );
    }
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
      const res = await this.fetch(`/tasks/${encodeURIComponent(taskId)}/stream`, {
        headers: { 'last-event-id': String(last) },
        ...(signal === undefined ? {} : { signal }),
      });
      if (!res.ok) throw errorFromResponse('GET', `/tasks/${taskId}/stream`, res.status, await res.text());
      if (res.status === 204) return 'over';
      if (res.body === null)
        throw new AppError('INTERNAL', `stream of ${taskId}: ${String(res.status)} without a body`);
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

async function* parseSse(body: ReadableStream<Uint8Array>): AsyncGenerator<StreamedEvent> {
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

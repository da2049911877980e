import type { ServerResponse } from 'node:http';
import {
  actOutFault,
  sendJson,
  sendSse,
  startFakeHttpServer,
  type FakeModelServer,
  type RecordedModelRequest,
  type TransportFault,
} from './fake-model-server.js';

/** What the scripted model answers to one Messages API request. @public */
export type FakeAnthropicReply =
  | {
      readonly kind: 'message';
      readonly text?: string;
      readonly toolUses?: readonly { readonly name: string; readonly input: unknown }[];
      readonly usage?: { readonly input?: number; readonly output?: number };
    }
  /** An API error response, e.g. 429 with `retry-after`, 401, 500. */
  | {
      readonly kind: 'error';
      readonly status: number;
      readonly type?: string;
      readonly message?: string;
      readonly retryAfterSecs?: number;
    }
  | TransportFault;

/** Decides the reply to the `index`-th request (from 0). @public */
export type FakeAnthropicScript = (request: RecordedModelRequest, index: number) => FakeAnthropicReply;

/**
 * A local server speaking the Anthropic Messages API (`POST /v1/messages`, streaming SSE or plain
 * JSON), answering as `script` says. Claude Code (`ANTHROPIC_BASE_URL`) and the SDK both talk to it.
 * @public
 */
export function startFakeAnthropicServer(script: FakeAnthropicScript): Promise<FakeModelServer> {
  let messageCount = 0;
  return startFakeHttpServer((request, res, index) => {
    if (!request.path.startsWith('/v1/messages')) {
      sendJson(res, 404, { type: 'error', error: { type: 'not_found_error', message: `no route ${request.path}` } });
      return;
    }
    const reply = script(request, index);
    if (actOutFault(reply, res)) return;
    switch (reply.kind) {
      case 'error':
        sendJson(
          res,
          reply.status,
          {
            type: 'error',
            error: {
              type: reply.type ?? errorType(reply.status),
              message: reply.message ?? `scripted ${String(reply.status)}`,
            },
          },
          reply.retryAfterSecs === undefined ? {} : { 'retry-after': String(reply.retryAfterSecs) },
        );
        return;
      case 'message':
        writeMessage(res, request, reply, `msg_fake_${String(++messageCount)}`);
        return;
    }
  });
}

function errorType(status: number): string {
  return (
    {
      400: 'invalid_request_error',
      401: 'authentication_error',
      403: 'permission_error',
      429: 'rate_limit_error',
      529: 'overloaded_error',
    }[status] ?? 'api_error'
  );
}

function writeMessage(
  res: ServerResponse,
  request: RecordedModelRequest,
  reply: Extract<FakeAnthropicReply, { kind: 'message' }>,
  id: string,
): void {
  const model = typeof request.body['model'] === 'string' ? request.body['model'] : 'claude-fake';
  const content: Record<string, unknown>[] = [];
  if (reply.text !== undefined) content.push({ type: 'text', text: reply.text });
  (reply.toolUses ?? []).forEach((tool, i) =>
    content.push({ type: 'tool_use', id: `toolu_fake_${id}_${String(i)}`, name: tool.name, input: tool.input }),
  );
  const stopReason = (reply.toolUses ?? []).length > 0 ? 'tool_use' : 'end_turn';
  const usage = {
    input_tokens: reply.usage?.input ?? 100,
    output_tokens: reply.usage?.output ?? 20,
    cache_creation_input_tokens: 0,
    cache_read_input_tokens: 0,
  };

  if (request.body['stream'] !== true) {
    sendJson(res, 200, {
      id,
      type: 'message',
      role: 'assistant',
      model,
      content,
      stop_reason: stopReason,
      stop_sequence: null,
      usage,
    });
    return;
  }
  res.writeHead(200, {
    'content-type': 'text/event-stream',
    'cache-control': 'no-cache',
    'request-id': `req_fake_${id}`,
  });
  sendSse(res, 'message_start', {
    type: 'message_start',
    message: {
      id,
      type: 'message',
      role: 'assistant',
      model,
      content: [],
      stop_reason: null,
      stop_sequence: null,
      usage: { ...usage, output_tokens: 1 },
    },
  });
  sendSse(res, 'ping', { type: 'ping' });
  content.forEach((block, index) => {
    if (block['type'] === 'text') {
      sendSse(res, 'content_block_start', {
        type: 'content_block_start',
        index,
        content_block: { type: 'text', text: '' },
      });
      const text = String(block['text']);
      // Two deltas, as a real stream splits text.
      const cut = Math.ceil(text.length / 2);
      for (const part of [text.slice(0, cut), text.slice(cut)].filter(Boolean)) {
        sendSse(res, 'content_block_delta', {
          type: 'content_block_delta',
          index,
          delta: { type: 'text_delta', text: part },
        });
      }
    } else {
      sendSse(res, 'content_block_start', {
        type: 'content_block_start',
        index,
        content_block: { type: 'tool_use', id: block['id'], name: block['name'], input: {} },
      });
      sendSse(res, 'content_block_delta', {
        type: 'content_block_delta',
        index,
        delta: { type: 'input_json_delta', partial_json: JSON.stringify(block['input']) },
      });
    }
    sendSse(res, 'content_block_stop', { type: 'content_block_stop', index });
  });
  sendSse(res, 'message_delta', {
    type: 'message_delta',
    delta: { stop_reason: stopReason, stop_sequence: null },
    usage: { output_tokens: usage.output_tokens },
  });
  sendSse(res, 'message_stop', { type: 'message_stop' });
  res.end();
}

/** True when the request's last user turn carries tool results (the model is being answered). @public */
export function isAnsweringTools(request: RecordedModelRequest): boolean {
  const messages = Array.isArray(request.body['messages'])
    ? (request.body['messages'] as { role?: string; content?: unknown }[])
    : [];
  const last = [...messages].reverse().find((m) => m.role === 'user');
  return (
    Array.isArray(last?.content) && (last.content as { type?: string }[]).some((part) => part.type === 'tool_result')
  );
}

/** The names of the tools a request offers. @public */
export function offeredTools(request: RecordedModelRequest): string[] {
  const tools = Array.isArray(request.body['tools']) ? (request.body['tools'] as { name?: string }[]) : [];
  return tools.map((t) => t.name ?? '').filter(Boolean);
}

/** The agent's working directory as stated in its prompt (Claude Code states it in its system text). @public */
export function workingDirectoryOf(request: RecordedModelRequest): string | undefined {
  const match = /(?:working directory|Working directory)(?: is)?:?\s+(\/[^\s"\\]+)/.exec(JSON.stringify(request.body));
  return match?.[1];
}

/**
 * A model that writes one file and then says it is done: through Claude Code's `Write` tool or
 * OpenCode's `write` (an absolute path: `file` itself, or under the working directory it was told)
 * or the API agent's `write_file` tool.
 * @public
 */
export function fileWritingModel(
  file: string,
  content: string,
  finalText = `Done: I created ${file}.`,
): FakeAnthropicScript {
  return (request) => {
    if (isAnsweringTools(request)) return { kind: 'message', text: finalText };
    const tools = offeredTools(request);
    if (tools.includes('write_file'))
      return {
        kind: 'message',
        text: `I will create ${file}.`,
        toolUses: [{ name: 'write_file', input: { path: file, content } }],
      };
    const cwd = workingDirectoryOf(request);
    // OpenCode's tool: `write` with an absolute `filePath`.
    if (tools.includes('write') && cwd !== undefined) {
      return {
        kind: 'message',
        text: `I will create ${file}.`,
        toolUses: [{ name: 'write', input: { filePath: file.startsWith('/') ? file : `${cwd}/${file}`, content } }],
      };
    }
    if (tools.includes('Write') && cwd !== undefined) {
      return {
        kind: 'message',
        text: `I will create ${file}.`,
        toolUses: [{ name: 'Write', input: { file_path: file.startsWith('/') ? file : `${cwd}/${file}`, content } }],
      };
    }
    return { kind: 'message', text: 'I have no tool to write files with.' };
  };
}

/**
 * A model that has Claude Code run one shell command (its `Bash` tool), then says it is done.
 * @public
 */
export function commandRunningModel(command: string, finalText = 'Done: I ran the command.'): FakeAnthropicScript {
  return (request) =>
    isAnsweringTools(request)
      ? { kind: 'message', text: finalText }
      : { kind: 'message', text: 'I will run it.', toolUses: [{ name: 'Bash', input: { command } }] };
}

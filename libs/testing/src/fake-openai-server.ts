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

/** What the scripted model answers to one Responses API request. @public */
export type FakeOpenAiReply =
  | { readonly kind: 'message'; readonly text: string }
  /** A shell call through Codex's `exec_command` function tool. */
  | { readonly kind: 'shell'; readonly command: string }
  /** A patch through Codex's freeform `apply_patch` tool. */
  | { readonly kind: 'apply_patch'; readonly patch: string }
  | { readonly kind: 'error'; readonly status: number; readonly message?: string }
  | TransportFault;

/** @public */
export type FakeOpenAiScript = (request: RecordedModelRequest, index: number) => FakeOpenAiReply;

/**
 * A local server speaking the OpenAI Responses API (`POST /v1/responses`, streaming SSE) as Codex
 * uses it, answering as `script` says.
 * @public
 */
export function startFakeOpenAiServer(script: FakeOpenAiScript): Promise<FakeModelServer> {
  let responses = 0;
  return startFakeHttpServer((request, res, index) => {
    if (!request.path.endsWith('/responses')) {
      sendJson(res, 404, { error: { message: `no route ${request.path}`, type: 'invalid_request_error' } });
      return;
    }
    const reply = script(request, index);
    if (actOutFault(reply, res)) return;
    switch (reply.kind) {
      case 'error':
        sendJson(res, reply.status, {
          error: {
            message: reply.message ?? `scripted ${String(reply.status)}`,
            type: reply.status === 429 ? 'rate_limit_exceeded' : 'server_error',
            code: null,
          },
        });
        return;
      case 'message':
      case 'shell':
      case 'apply_patch':
        writeResponse(res, request, reply, `resp_fake_${String(++responses)}`);
    }
  });
}

function outputItem(
  reply: Exclude<FakeOpenAiReply, { kind: 'error' } | TransportFault>,
  id: string,
): Record<string, unknown> {
  switch (reply.kind) {
    case 'message':
      return {
        id: `msg_${id}`,
        type: 'message',
        status: 'completed',
        role: 'assistant',
        content: [{ type: 'output_text', text: reply.text, annotations: [] }],
      };
    case 'shell':
      return {
        id: `fc_${id}`,
        type: 'function_call',
        status: 'completed',
        name: 'exec_command',
        arguments: JSON.stringify({ cmd: reply.command }),
        call_id: `call_${id}`,
      };
    case 'apply_patch':
      return {
        id: `ctc_${id}`,
        type: 'custom_tool_call',
        status: 'completed',
        name: 'apply_patch',
        input: reply.patch,
        call_id: `call_${id}`,
      };
  }
}

function writeResponse(
  res: ServerResponse,
  request: RecordedModelRequest,
  reply: Exclude<FakeOpenAiReply, { kind: 'error' } | TransportFault>,
  id: string,
): void {
  const model = typeof request.body['model'] === 'string' ? request.body['model'] : 'gpt-fake';
  const item = outputItem(reply, id);
  const usage = {
    input_tokens: 1200,
    input_tokens_details: { cached_tokens: 0 },
    output_tokens: 20,
    output_tokens_details: { reasoning_tokens: 0 },
    total_tokens: 1220,
  };
  const response = {
    id,
    object: 'response',
    created_at: Math.floor(Date.now() / 1000),
    model,
    status: 'in_progress',
    output: [] as unknown[],
  };
  let seq = 0;
  res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
  sendSse(res, 'response.created', { type: 'response.created', sequence_number: seq++, response });
  sendSse(res, 'response.in_progress', { type: 'response.in_progress', sequence_number: seq++, response });
  const added =
    item['type'] === 'message' ? { ...item, status: 'in_progress', content: [] } : { ...item, status: 'in_progress' };
  sendSse(res, 'response.output_item.added', {
    type: 'response.output_item.added',
    sequence_number: seq++,
    output_index: 0,
    item: added,
  });
  if (reply.kind === 'message') {
    sendSse(res, 'response.content_part.added', {
      type: 'response.content_part.added',
      sequence_number: seq++,
      item_id: item['id'],
      output_index: 0,
      content_index: 0,
      part: { type: 'output_text', text: '', annotations: [] },
    });
    sendSse(res, 'response.output_text.delta', {
      type: 'response.output_text.delta',
      sequence_number: seq++,
      item_id: item['id'],
      output_index: 0,
      content_index: 0,
      delta: reply.text,
    });
    sendSse(res, 'response.output_text.done', {
      type: 'response.output_text.done',
      sequence_number: seq++,
      item_id: item['id'],
      output_index: 0,
      content_index: 0,
      text: reply.text,
    });
  }
  sendSse(res, 'response.output_item.done', {
    type: 'response.output_item.done',
    sequence_number: seq++,
    output_index: 0,
    item,
  });
  sendSse(res, 'response.completed', {
    type: 'response.completed',
    sequence_number: seq++,
    response: { ...response, status: 'completed', output: [item], usage },
  });
  res.end();
}

/** True when the request carries the output of a tool call the model made (Codex is answering it). @public */
export function hasToolOutput(request: RecordedModelRequest): boolean {
  const input = Array.isArray(request.body['input']) ? (request.body['input'] as { type?: string }[]) : [];
  return input.some((item) => item.type === 'function_call_output' || item.type === 'custom_tool_call_output');
}

/**
 * A model that writes one file, by a shell command or by `apply_patch`, then says it is done.
 * @public
 */
export function fileWritingCodexModel(
  file: string,
  content: string,
  via: 'shell' | 'apply_patch' = 'shell',
  finalText = `Done: I created ${file}.`,
): FakeOpenAiScript {
  return (request) => {
    if (hasToolOutput(request)) return { kind: 'message', text: finalText };
    if (via === 'apply_patch') {
      const lines = content
        .replace(/\n$/, '')
        .split('\n')
        .map((line) => `+${line}`);
      return {
        kind: 'apply_patch',
        patch: ['*** Begin Patch', `*** Add File: ${file}`, ...lines, '*** End Patch'].join('\n'),
      };
    }
    return { kind: 'shell', command: `printf '%s' ${shellQuote(content)} > ${shellQuote(file)}` };
  };
}

function shellQuote(text: string): string {
  return `'${text.replace(/'/g, `'\\''`)}'`;
}

/**
 * A model that has Codex run one shell command, then says it is done.
 * @public
 */
export function commandRunningCodexModel(command: string, finalText = 'Done: I ran the command.'): FakeOpenAiScript {
  return (request) => (hasToolOutput(request) ? { kind: 'message', text: finalText } : { kind: 'shell', command });
}

import {
  actOutFault,
  sendJson,
  startFakeHttpServer,
  type FakeModelServer,
  type RecordedModelRequest,
  type TransportFault,
} from './fake-model-server.js';

/** What the scripted model answers to one Gemini API request. @public */
export type FakeGeminiReply =
  | {
      readonly kind: 'message';
      readonly text?: string;
      readonly functionCalls?: readonly { readonly name: string; readonly args: unknown }[];
      readonly usage?: { readonly input?: number; readonly output?: number };
    }
  | { readonly kind: 'error'; readonly status: number; readonly message?: string }
  | TransportFault;

/** Decides the reply to the `index`-th generation request (from 0). @public */
export type FakeGeminiScript = (request: RecordedModelRequest, index: number) => FakeGeminiReply;

const STATUS_NAMES: Record<number, string> = {
  400: 'INVALID_ARGUMENT',
  401: 'UNAUTHENTICATED',
  403: 'PERMISSION_DENIED',
  429: 'RESOURCE_EXHAUSTED',
};

/**
 * A local server speaking the Gemini API's generation routes
 * (`POST /v1beta/models/<model>:streamGenerateContent?alt=sse`, `:generateContent`, and
 * `:countTokens`), answering as `script` says. Gemini CLI reaches it through
 * `GOOGLE_GEMINI_BASE_URL`.
 * @public
 */
export function startFakeGeminiServer(script: FakeGeminiScript): Promise<FakeModelServer> {
  let index = 0;
  return startFakeHttpServer((request, res) => {
    const route = /^\/v1(?:beta)?\/models\/([^/:]+):(streamGenerateContent|generateContent|countTokens)/.exec(
      request.path,
    );
    if (route === null) {
      sendJson(res, 404, { error: { code: 404, message: `no route ${request.path}`, status: 'NOT_FOUND' } });
      return;
    }
    const [, model = 'gemini-fake', method] = route;
    if (method === 'countTokens') {
      sendJson(res, 200, { totalTokens: 100 });
      return;
    }
    // Gemini CLI asks a small model to route each turn (a JSON answer to a schema): answered here.
    const schema = (request.body['generationConfig'] as { responseJsonSchema?: unknown } | undefined)
      ?.responseJsonSchema;
    const reply: FakeGeminiReply =
      schema === undefined ? script(request, index++) : { kind: 'message', text: JSON.stringify(sampleOf(schema)) };
    if (actOutFault(reply, res)) return;
    if (reply.kind === 'error') {
      sendJson(res, reply.status, {
        error: {
          code: reply.status,
          message: reply.message ?? `scripted ${String(reply.status)}`,
          status: STATUS_NAMES[reply.status] ?? 'INTERNAL',
        },
      });
      return;
    }
    const parts: Record<string, unknown>[] = [];
    if (reply.text !== undefined) parts.push({ text: reply.text });
    for (const call of reply.functionCalls ?? []) parts.push({ functionCall: { name: call.name, args: call.args } });
    const body = {
      candidates: [{ content: { role: 'model', parts }, finishReason: 'STOP', index: 0 }],
      usageMetadata: {
        promptTokenCount: reply.usage?.input ?? 100,
        candidatesTokenCount: reply.usage?.output ?? 20,
        totalTokenCount: (reply.usage?.input ?? 100) + (reply.usage?.output ?? 20),
      },
      modelVersion: model,
    };
    if (method === 'generateContent') {
      sendJson(res, 200, body);
      return;
    }
    res.writeHead(200, { 'content-type': 'text/event-stream' });
    res.end(`data: ${JSON.stringify(body)}\r\n\r\n`);
  });
}

/** True when the request's last turn answers function calls (the model is being answered). @public */
export function isAnsweringFunctions(request: RecordedModelRequest): boolean {
  const contents = Array.isArray(request.body['contents'])
    ? (request.body['contents'] as { parts?: { functionResponse?: unknown }[] }[])
    : [];
  return (contents.at(-1)?.parts ?? []).some((part) => part.functionResponse !== undefined);
}

/**
 * A Gemini model that writes one file through Gemini CLI's `write_file` (an absolute path: `file`
 * itself, or under the directory the CLI says it works in), then says it is done.
 * @public
 */
export function fileWritingGeminiModel(
  file: string,
  content: string,
  finalText = `Done: I created ${file}.`,
): FakeGeminiScript {
  return (request) => {
    if (isAnsweringFunctions(request)) return { kind: 'message', text: finalText };
    const dir = /Workspace Directories:\*\*\\n\s*-\s*(\/[^\s"\\]+)/.exec(JSON.stringify(request.body))?.[1];
    if (dir === undefined && !file.startsWith('/')) return { kind: 'message', text: 'I do not know where I am.' };
    return {
      kind: 'message',
      text: `I will create ${file}.`,
      functionCalls: [
        { name: 'write_file', args: { file_path: file.startsWith('/') ? file : `${dir ?? ''}/${file}`, content } },
      ],
    };
  };
}

/** The smallest value a JSON schema accepts (its required properties filled), for structured requests. */
function sampleOf(schema: unknown): unknown {
  const node = (typeof schema === 'object' && schema !== null ? schema : {}) as {
    type?: string;
    properties?: Record<string, unknown>;
    required?: string[];
    enum?: unknown[];
  };
  if (node.enum !== undefined && node.enum.length > 0) return node.enum[0];
  switch ((node.type ?? '').toLowerCase()) {
    case 'object':
      return Object.fromEntries((node.required ?? []).map((key) => [key, sampleOf(node.properties?.[key])]));
    case 'array':
      return [];
    case 'integer':
    case 'number':
      return 1;
    case 'boolean':
      return false;
    default:
      return 'simple';
  }
}

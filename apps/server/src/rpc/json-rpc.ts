import { AppError, assertUnreachable, toAppError, type ErrorCode } from '@agent-harness/core';
import { MAX_JSON_DEPTH } from '../http/json-body.js';
import { exceedsJsonDepth } from '../http/json-depth.js';

/** A request id: JSON-RPC allows a string, a number or null. */
export type RpcId = string | number | null;

/** A call (with `id`) or a notification (without). */
export interface RpcRequest {
  readonly jsonrpc: '2.0';
  readonly id?: RpcId;
  readonly method: string;
  readonly params?: unknown;
}

export interface RpcErrorObject {
  readonly code: number;
  readonly message: string;
  readonly data?: unknown;
}

export type RpcResponse =
  | { readonly jsonrpc: '2.0'; readonly id: RpcId; readonly result: unknown }
  | { readonly jsonrpc: '2.0'; readonly id: RpcId; readonly error: RpcErrorObject };

/** A message the server sends without being asked (no id). */
export interface RpcNotification {
  readonly jsonrpc: '2.0';
  readonly method: string;
  readonly params: unknown;
}

/** The standard codes, then Harness's own (-32001…-32099, the range JSON-RPC leaves to servers). */
export const RPC_ERRORS = {
  PARSE_ERROR: -32700,
  INVALID_REQUEST: -32600,
  METHOD_NOT_FOUND: -32601,
  INVALID_PARAMS: -32602,
  INTERNAL_ERROR: -32603,
  NOT_FOUND: -32001,
  CONFLICT: -32002,
  NOT_INITIALIZED: -32003,
  STORAGE: -32004,
  AGENT: -32005,
  VALIDATION: -32006,
  QUEUE_FULL: -32007,
  UNAUTHORIZED: -32008,
  GITHUB: -32009,
  UNSUPPORTED: -32010,
} as const;

/** Most entries one batch may hold: each is a call the server works on. */
export const MAX_BATCH = 100;

/** The JSON-RPC code of an application error, so a client can tell "no such task" from a bug. */
export function rpcCodeOf(code: ErrorCode): number {
  switch (code) {
    case 'INVALID_ARGUMENT':
    case 'CONFIG_INVALID':
      return RPC_ERRORS.INVALID_PARAMS;
    case 'NOT_FOUND':
    case 'GITHUB_NOT_FOUND':
      return RPC_ERRORS.NOT_FOUND;
    case 'CONFLICT':
      return RPC_ERRORS.CONFLICT;
    case 'QUEUE_FULL':
      return RPC_ERRORS.QUEUE_FULL;
    case 'UNAUTHORIZED':
    case 'FORBIDDEN':
      return RPC_ERRORS.UNAUTHORIZED;
    case 'AGENT_UNAVAILABLE':
    case 'AGENT_FAILED':
      return RPC_ERRORS.AGENT;
    case 'GIT_FAILED':
      return RPC_ERRORS.VALIDATION;
    case 'GITHUB_UNAUTHORIZED':
    case 'GITHUB_RATE_LIMITED':
    case 'GITHUB_FAILED':
      return RPC_ERRORS.GITHUB;
    case 'UNSUPPORTED':
      return RPC_ERRORS.UNSUPPORTED;
    case 'PAYLOAD_TOO_LARGE':
    case 'UNSUPPORTED_MEDIA_TYPE':
      return RPC_ERRORS.INVALID_REQUEST;
    case 'STORAGE_UNAVAILABLE':
    case 'DATABASE_CORRUPT':
      return RPC_ERRORS.STORAGE;
    case 'INTERNAL':
      return RPC_ERRORS.INTERNAL_ERROR;
    default:
      return assertUnreachable(code);
  }
}

export function rpcError(id: RpcId, code: number, message: string, data?: unknown): RpcResponse {
  return { jsonrpc: '2.0', id, error: data === undefined ? { code, message } : { code, message, data } };
}

/**
 * The response for a failed call. An unexpected error's message is not shown (it may name files or
 * values of the server); an application error's is, with its code in `data`.
 */
export function rpcErrorFrom(id: RpcId, error: unknown): RpcResponse {
  const appError = toAppError(error);
  if (appError.code === 'INTERNAL' && !(error instanceof AppError))
    return rpcError(id, RPC_ERRORS.INTERNAL_ERROR, 'internal error');
  const problems = appError.details?.['problems'];
  return rpcError(id, rpcCodeOf(appError.code), appError.message, {
    code: appError.code,
    ...(problems === undefined ? {} : { problems }),
  });
}

/** Keys that would reach an object's prototype if a message's fields were ever copied onto an object. */
const PROTOTYPE_KEYS = new Set(['__proto__', 'constructor', 'prototype']);

/** A received text as JSON, or the parse error to answer with (id null, as the spec says). */
export function parseRpcText(text: string): { ok: true; value: unknown } | { ok: false; error: RpcResponse } {
  if (exceedsJsonDepth(text, MAX_JSON_DEPTH))
    return {
      ok: false,
      error: rpcError(null, RPC_ERRORS.PARSE_ERROR, `message nests deeper than ${String(MAX_JSON_DEPTH)} levels`),
    };
  try {
    const value: unknown = JSON.parse(text, (key, v: unknown) => {
      if (PROTOTYPE_KEYS.has(key)) throw new SyntaxError(`field name "${key}" is not allowed`);
      return v;
    });
    return { ok: true, value };
  } catch (error) {
    return {
      ok: false,
      error: rpcError(
        null,
        RPC_ERRORS.PARSE_ERROR,
        `parse error: ${error instanceof Error ? error.message : 'not valid JSON'}`,
      ),
    };
  }
}

function isId(value: unknown): value is RpcId {
  return value === null || typeof value === 'string' || (typeof value === 'number' && Number.isFinite(value));
}

/** One entry of a message checked against the envelope, or the "invalid request" answer for it. */
export function checkEnvelope(entry: unknown): { ok: true; request: RpcRequest } | { ok: false; error: RpcResponse } {
  if (typeof entry !== 'object' || entry === null || Array.isArray(entry))
    return { ok: false, error: rpcError(null, RPC_ERRORS.INVALID_REQUEST, 'invalid request: not a JSON object') };
  const fields = entry as Record<string, unknown>;
  const id = isId(fields['id']) ? fields['id'] : null;
  if ('id' in fields && !isId(fields['id']))
    return {
      ok: false,
      error: rpcError(null, RPC_ERRORS.INVALID_REQUEST, 'invalid request: id must be a string, a number or null'),
    };
  if (fields['jsonrpc'] !== '2.0')
    return { ok: false, error: rpcError(id, RPC_ERRORS.INVALID_REQUEST, 'invalid request: jsonrpc must be "2.0"') };
  const method = fields['method'];
  if (typeof method !== 'string' || method.length === 0 || method.length > 100)
    return {
      ok: false,
      error: rpcError(
        id,
        RPC_ERRORS.INVALID_REQUEST,
        'invalid request: method must be a string of 1 to 100 characters',
      ),
    };
  const params = fields['params'];
  if (params !== undefined && (typeof params !== 'object' || params === null))
    return {
      ok: false,
      error: rpcError(id, RPC_ERRORS.INVALID_REQUEST, 'invalid request: params must be an object or an array'),
    };
  const unknown = Object.keys(fields).filter((k) => !['jsonrpc', 'id', 'method', 'params'].includes(k));
  if (unknown.length > 0)
    return {
      ok: false,
      error: rpcError(id, RPC_ERRORS.INVALID_REQUEST, `invalid request: unknown member "${unknown[0] ?? ''}"`),
    };
  return {
    ok: true,
    request: { jsonrpc: '2.0', method, params, ...('id' in fields ? { id: fields['id'] as RpcId } : {}) },
  };
}

/**
 * The same error for every call of a message that cannot be worked on as a whole (an unknown
 * session, an oversized batch), each under its own id so a client can settle each call: an array
 * for a batch, one object for a single call, nothing when the message held only notifications.
 * Entries that are not valid requests get their own envelope error, as they would otherwise.
 */
export function rejectEach(message: unknown, code: number, text: string): RpcResponse | RpcResponse[] | undefined {
  const answerTo = (entry: unknown): RpcResponse | undefined => {
    const checked = checkEnvelope(entry);
    if (!checked.ok) return checked.error;
    return checked.request.id === undefined ? undefined : rpcError(checked.request.id, code, text);
  };
  if (!Array.isArray(message)) return answerTo(message);
  const answers = message.map(answerTo).filter((a): a is RpcResponse => a !== undefined);
  return answers.length === 0 ? undefined : answers;
}

/** Method names as the original wrote them too: `exec_plan/init` is `exec_plan_init`. */
export function normalizeMethod(method: string): string {
  return method.replace(/\//g, '_');
}

import { AppError } from '@agent-harness/core';
import type { NextFunction, Request, Response } from 'express';
import { exceedsJsonDepth } from './json-depth.js';

/**
 * Room for the largest request: a 100,000-character prompt where every character is JSON-escaped
 * as `\uXXXX` (600,000 bytes), plus the other fields. Anything bigger is a 413.
 */
export const MAX_BODY_BYTES = 1024 * 1024;
/** No request needs more than a few levels; 32 leaves room and keeps JSON.parse far from the stack limit. */
export const MAX_JSON_DEPTH = 32;

/**
 * Paths that read their body themselves: JSON-RPC (a batch is an array, and a parse error has its
 * own answer, -32700), and GitHub's webhook (its signature is over the body exactly as sent).
 */
const RAW_JSON_PATHS = new Set(['/rpc', '/webhook']);

/** A request to a RAW_JSON_PATHS path, after the checks: its body as text. */
export interface RawJsonRequest extends Request {
  rawJson?: string;
}

/** Keys that would reach an object's prototype if a body's fields were ever copied onto an object. */
const PROTOTYPE_KEYS = new Set(['__proto__', 'constructor', 'prototype']);

function hasBody(req: Request): boolean {
  const length = req.headers['content-length'];
  return req.headers['transfer-encoding'] !== undefined || (length !== undefined && length !== '0');
}

/** Why a body's media type is refused, or undefined for `application/json` (in UTF-8, uncompressed). */
function mediaTypeProblem(req: Request): string | undefined {
  const [type = '', ...params] = (req.headers['content-type'] ?? '')
    .split(';')
    .map((part) => part.trim().toLowerCase());
  if (type !== 'application/json')
    return `request bodies must be JSON (content-type: application/json), not ${type === '' ? 'untyped' : JSON.stringify(type)}`;
  const charset = params
    .find((p) => p.startsWith('charset='))
    ?.slice('charset='.length)
    .replace(/"/g, '');
  if (charset !== undefined && charset !== 'utf-8' && charset !== 'utf8') return 'request bodies must be UTF-8';
  const encoding = (req.headers['content-encoding'] ?? 'identity').trim().toLowerCase();
  if (encoding !== 'identity') return 'compressed request bodies are not accepted';
  return undefined;
}

/** Parses checked text; the reviver refuses prototype keys wherever they are. */
function parseJson(text: string): unknown {
  return JSON.parse(text, function (this: unknown, key: string, value: unknown) {
    if (PROTOTYPE_KEYS.has(key))
      throw new AppError('INVALID_ARGUMENT', `request body: field name "${key}" is not allowed`);
    return value;
  });
}

/** Turns the received bytes into the request's body, or the error to answer with. */
export function decodeJsonBody(
  bytes: Buffer,
): { ok: true; value: Record<string, unknown> } | { ok: false; error: AppError } {
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    return { ok: false, error: new AppError('INVALID_ARGUMENT', 'request body is not valid UTF-8') };
  }
  if (exceedsJsonDepth(text, MAX_JSON_DEPTH)) {
    return {
      ok: false,
      error: new AppError('INVALID_ARGUMENT', `request body nests deeper than ${String(MAX_JSON_DEPTH)} levels`),
    };
  }
  let value: unknown;
  try {
    value = parseJson(text);
  } catch (error) {
    if (error instanceof AppError) return { ok: false, error: error as AppError };
    return {
      ok: false,
      error: new AppError(
        'INVALID_ARGUMENT',
        `request body is not valid JSON: ${error instanceof Error ? error.message : String(error)}`,
      ),
    };
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return { ok: false, error: new AppError('INVALID_ARGUMENT', 'request body must be a JSON object') };
  }
  return { ok: true, value: value as Record<string, unknown> };
}

/**
 * Express middleware reading request bodies: at most MAX_BODY_BYTES (413, counted while reading,
 * before any parsing; the connection is then closed rather than read to its end), JSON only (415
 * otherwise, which also turns away the form posts a web page may send cross-site without asking),
 * nested at most MAX_JSON_DEPTH deep (400, checked before JSON.parse), and a JSON object. A body
 * within the limit is read whole even when refused, so the connection stays usable. Requests
 * without a body pass untouched. `POST /rpc` gets the size, type and UTF-8 checks, and its text in
 * `rawJson`: JSON-RPC parses it and answers its own errors.
 */
export function jsonBody(): (req: Request, res: Response, next: NextFunction) => void {
  return (req, res, next) => {
    if (!hasBody(req)) {
      next();
      return;
    }
    const tooBig = (): void => {
      // The rest of the body is not read: close the connection after answering.
      res.set('connection', 'close');
      next(new AppError('PAYLOAD_TOO_LARGE', `request body is over ${String(MAX_BODY_BYTES)} bytes`));
    };
    if (Number(req.headers['content-length'] ?? 0) > MAX_BODY_BYTES) {
      tooBig();
      return;
    }
    const problem = mediaTypeProblem(req);
    const chunks: Buffer[] = [];
    let size = 0;
    let settled = false;
    const onData = (chunk: Buffer): void => {
      size += chunk.length;
      if (size <= MAX_BODY_BYTES) {
        if (problem === undefined) chunks.push(chunk);
        return;
      }
      settled = true;
      req.off('data', onData);
      tooBig();
    };
    req.on('data', onData);
    req.on('error', () => {
      settled = true;
    });
    req.on('end', () => {
      if (settled) return;
      settled = true;
      if (problem !== undefined) {
        next(new AppError('UNSUPPORTED_MEDIA_TYPE', problem));
        return;
      }
      if (RAW_JSON_PATHS.has(req.path.replace(/\/+$/, ''))) {
        try {
          (req as RawJsonRequest).rawJson = new TextDecoder('utf-8', { fatal: true }).decode(Buffer.concat(chunks));
        } catch {
          next(new AppError('INVALID_ARGUMENT', 'request body is not valid UTF-8'));
          return;
        }
        next();
        return;
      }
      const decoded = decodeJsonBody(Buffer.concat(chunks));
      if (!decoded.ok) {
        next(decoded.error);
        return;
      }
      req.body = decoded.value;
      next();
    });
  };
}

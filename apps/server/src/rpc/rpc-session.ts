import { randomUUID } from 'node:crypto';
import { HARNESS_VERSION } from '@agent-harness/core';
import {
  checkEnvelope,
  rejectEach,
  MAX_BATCH,
  normalizeMethod,
  RPC_ERRORS,
  rpcError,
  rpcErrorFrom,
  type RpcNotification,
  type RpcRequest,
  type RpcResponse,
} from './json-rpc.js';
import type { RpcMethodTable } from './rpc-methods.js';
import { parseInput } from '@agent-harness/app';

/** A transport's way to send a session notifications; HTTP has none. */
export interface RpcPush {
  send(notification: RpcNotification): void;
}

/** What `initialize` answers. */
export const CAPABILITIES = {
  tasks: true,
  gc: true,
  skills: true,
  rules: true,
  exec_plan: true,
  observe: true,
  notifications: true,
} as const;

/**
 * One client's conversation: its own handshake (`initialize`, then `initialized`; every other
 * method before that is refused), the task streams it follows and where its notifications go.
 * A WebSocket connection and a stdio process each have one; on HTTP the `Harness-Session` header
 * names it, or it is the one its principal's calls without that header share. One principal's
 * handshake never opens another's.
 */
export class RpcSession {
  readonly id = randomUUID();
  private state: 'new' | 'initializing' | 'ready' = 'new';
  private readonly follows = new Map<string, () => void>();
  private closed = false;
  lastUsedAt = Date.now();

  constructor(
    private readonly methods: RpcMethodTable,
    private readonly push: RpcPush | undefined,
    /**
     * Shared by the calls of a principal (HTTP without a header): a repeated `initialize` answers
     * again and changes nothing, so one caller's new handshake never interrupts another's.
     */
    private readonly shared = false,
  ) {}

  /** Whether `initialize` was answered (an HTTP session is kept from then on). */
  get started(): boolean {
    return this.state !== 'new';
  }

  /** Whether notifications reach this client (WebSocket and stdio do, HTTP does not). */
  get canPush(): boolean {
    return this.push !== undefined && !this.closed;
  }

  /**
   * Answers one parsed message: a single call, a batch (answered as an array, in order; entries
   * run one after another so a batch may hold the handshake) or a notification (no answer).
   */
  async handle(message: unknown): Promise<RpcResponse | RpcResponse[] | undefined> {
    this.lastUsedAt = Date.now();
    if (!Array.isArray(message)) return this.handleOne(message);
    if (message.length === 0) return rpcError(null, RPC_ERRORS.INVALID_REQUEST, 'invalid request: empty batch');
    if (message.length > MAX_BATCH)
      return rejectEach(
        message,
        RPC_ERRORS.INVALID_REQUEST,
        `invalid request: a batch holds at most ${String(MAX_BATCH)} entries`,
      );
    const responses: RpcResponse[] = [];
    for (const entry of message) {
      const response = await this.handleOne(entry);
      if (response !== undefined) responses.push(response);
    }
    // A batch of notifications only: nothing to answer.
    return responses.length === 0 ? undefined : responses;
  }

  /**
   * Answers a message through `send`, for a transport that handles a connection's messages in order:
   * resolves when the next message may be handled. A long call lets the next go on at once; its
   * answer is sent when it is done.
   */
  async respond(message: unknown, send: (response: RpcResponse | RpcResponse[]) => void): Promise<void> {
    const answer = this.handle(message);
    if (this.isLongCall(message)) {
      void answer.then((response) => {
        if (response !== undefined) send(response);
      });
      return;
    }
    const response = await answer;
    if (response !== undefined) send(response);
  }

  /** Whether a parsed message is one long call (`gc_run`, `learn_*`, `cross_review`). */
  private isLongCall(message: unknown): boolean {
    if (typeof message !== 'object' || message === null || Array.isArray(message)) return false;
    const method = (message as { method?: unknown }).method;
    return typeof method === 'string' && this.methods.get(normalizeMethod(method))?.long === true;
  }

  notify(method: string, params: unknown): void {
    if (!this.canPush) return;
    this.push?.send({ jsonrpc: '2.0', method, params });
  }

  /** Sends the task's events as notifications until it ends (again: no-op while already following). */
  follow(taskId: string, afterSeq: number): void {
    if (!this.canPush || this.follows.has(taskId)) return;
    const stop = this.methods.followTask(
      taskId,
      afterSeq,
      (event) => {
        this.notify('task/event', { task_id: taskId, event });
        if (event.kind === 'status') this.notify('task/status_changed', { task_id: taskId, ...event.data });
      },
      () => this.follows.delete(taskId),
    );
    // A task already over ends its follow at once, before it is recorded.
    if (stop !== undefined) this.follows.set(taskId, stop);
  }

  unfollow(taskId: string): boolean {
    const stop = this.follows.get(taskId);
    this.follows.delete(taskId);
    stop?.();
    return stop !== undefined;
  }

  /** The connection is gone: stop every stream it followed (background jobs run on). */
  close(): void {
    this.closed = true;
    for (const stop of [...this.follows.values()]) stop();
    this.follows.clear();
  }

  private async handleOne(entry: unknown): Promise<RpcResponse | undefined> {
    const checked = checkEnvelope(entry);
    if (!checked.ok) return checked.error;
    const { request } = checked;
    const isCall = request.id !== undefined;
    const response = await this.answer(request);
    return isCall ? response : undefined;
  }

  private async answer(request: RpcRequest): Promise<RpcResponse> {
    const id = request.id ?? null;
    const method = normalizeMethod(request.method);
    try {
      if (method === 'initialize') {
        if (this.state !== 'new' && !this.shared)
          return rpcError(id, RPC_ERRORS.INVALID_REQUEST, 'already initialized');
        if (this.state === 'new') this.state = 'initializing';
        return {
          jsonrpc: '2.0',
          id,
          result: { name: 'harness', version: HARNESS_VERSION, capabilities: CAPABILITIES, session_id: this.id },
        };
      }
      if (method === 'initialized') {
        if (this.state === 'new')
          return rpcError(id, RPC_ERRORS.INVALID_REQUEST, "send 'initialize' before 'initialized'");
        const params = request.params;
        if (params !== undefined && params !== null && Object.keys(params).length > 0)
          return rpcError(id, RPC_ERRORS.INVALID_PARAMS, 'initialized takes no params');
        this.state = 'ready';
        return { jsonrpc: '2.0', id, result: {} };
      }
      if (this.state !== 'ready')
        return rpcError(
          id,
          RPC_ERRORS.NOT_INITIALIZED,
          // HTTP keeps no connection: the handshake holds only for calls that name its session.
          this.push === undefined
            ? "not initialized: send 'initialize', then 'initialized' (over HTTP, calls share a handshake by their bearer token, or by the session_id initialize answered, sent in a Harness-Session header)"
            : "not initialized: send 'initialize', then 'initialized'",
        );
      const entry = this.methods.get(method);
      if (entry === undefined)
        return rpcError(id, RPC_ERRORS.METHOD_NOT_FOUND, `method not found: ${method.slice(0, 100)}`);
      const params = parseInput(entry.params, request.params);
      const result = await entry.handle(params, this);
      return { jsonrpc: '2.0', id, result: result ?? null };
    } catch (error) {
      return rpcErrorFrom(id, error);
    }
  }
}

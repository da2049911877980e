import {
  ZERO_USAGE,
  addUsage,
  type AgentEndReason,
  type AgentEvent,
  type FileChange,
  type TokenUsage,
} from '@agent-harness/core';
import type { StreamOutcome, StreamParser } from '../process/cli-agent-process.js';
import { asNumber, asRecord, asString, parseJsonLine, truncate } from '../process/json-line.js';

const TOOL_OUTPUT_CHARS = 8 * 1024;
const QUOTA_TEXT = /quota|insufficient_quota|billing|payment|credit balance|plan limit/i;
const RATE_LIMIT_TEXT = /rate.?limit|\b429\b|too many requests|usage limit/i;
const AUTH_TEXT = /\b401\b|unauthorized|invalid api key|incorrect api key|authentication/i;
/** Codex's words for a model API it cannot reach: "Reconnecting... waiting for network (Connection failed: …)". */
const CONNECTION_TEXT =
  /^Reconnecting\b|waiting for network|connection failed|error sending request|stream disconnected|failed to lookup address|connection refused/i;

/**
 * Parses `codex exec --json`: `thread.*`, `turn.*` and `item.*` events. Unknown lines and types are
 * skipped. Success is a `turn.completed`; `turn.failed` or a stream that ends without one is a
 * failure, classified (quota, rate limit, credentials) from its message.
 */
export class CodexEventParser implements StreamParser {
  private threadId: string | undefined;
  private usage: TokenUsage = ZERO_USAGE;
  private lastMessage = '';
  private turnCompleted = false;
  private failure: { reason: AgentEndReason; message: string } | undefined;
  private lastError: string | undefined;
  /** Its latest reconnect message, while nothing has come from the model since. */
  private unreachable: string | undefined;
  private readonly startedItems = new Set<string>();

  push(line: string): AgentEvent[] {
    const event = parseJsonLine(line);
    if (event === undefined) return [];
    if (this.isProgress(event)) this.unreachable = undefined;
    switch (event['type']) {
      case 'thread.started': {
        this.threadId = asString(event['thread_id']);
        return this.threadId === undefined ? [] : [{ type: 'session_started', sessionId: this.threadId }];
      }
      case 'turn.completed': {
        this.turnCompleted = true;
        const raw = asRecord(event['usage']);
        const turn: TokenUsage = {
          inputTokens: asNumber(raw?.['input_tokens']) ?? 0,
          cachedInputTokens: asNumber(raw?.['cached_input_tokens']) ?? 0,
          cacheWriteTokens: asNumber(raw?.['cache_write_input_tokens']) ?? 0,
          outputTokens: asNumber(raw?.['output_tokens']) ?? 0,
        };
        this.usage = addUsage(this.usage, turn);
        return [{ type: 'usage', ...turn }];
      }
      case 'turn.failed': {
        const message = asString(asRecord(event['error'])?.['message']) ?? 'turn failed';
        this.failure = classify(message);
        return this.failure.reason === 'rate_limited'
          ? [{ type: 'rate_limited', message }]
          : [{ type: 'error', message, fatal: false }];
      }
      case 'error': {
        const message = asString(event['message']) ?? 'error';
        this.lastError = message;
        if (CONNECTION_TEXT.test(message)) this.unreachable = message;
        return [{ type: 'error', message, fatal: false }];
      }
      case 'request_user_input':
        // Harness runs unattended: nobody will answer, so waiting would only hang the task.
        this.failure = {
          reason: 'failed',
          message: 'the agent asked for user input, which an unattended run cannot give',
        };
        return [{ type: 'error', message: this.failure.message, fatal: true }];
      case 'item.started':
      case 'item.updated':
      case 'item.completed':
        return this.onItem(event['type'], asRecord(event['item']));
      default:
        return [];
    }
  }

  private onItem(phase: string, item: Record<string, unknown> | undefined): AgentEvent[] {
    if (item === undefined) return [];
    const id = asString(item['id']) ?? '';
    const done = phase === 'item.completed';
    switch (item['type']) {
      case 'agent_message': {
        if (!done) return [];
        const text = asString(item['text']) ?? '';
        this.lastMessage = text;
        return [{ type: 'text', text }];
      }
      case 'command_execution':
        return this.toolEvents(id, done, 'shell', { command: asString(item['command']) ?? '' }, () => ({
          ok: item['status'] === 'completed' && item['exit_code'] === 0,
          output: asString(item['aggregated_output']) ?? '',
        }));
      case 'mcp_tool_call': {
        const name = `${asString(item['server']) ?? 'mcp'}.${asString(item['tool']) ?? 'tool'}`;
        return this.toolEvents(id, done, name, item['arguments'], () => {
          const error = asString(asRecord(item['error'])?.['message']);
          return {
            ok: item['status'] === 'completed' && error === undefined,
            output: error ?? JSON.stringify(item['result'] ?? null),
          };
        });
      }
      case 'web_search':
        return this.toolEvents(id, done, 'web_search', { query: asString(item['query']) ?? '' }, () => ({
          ok: true,
          output: '',
        }));
      case 'file_change': {
        if (!done || item['status'] !== 'completed') return [];
        const changes = (Array.isArray(item['changes']) ? (item['changes'] as unknown[]) : [])
          .map(asRecord)
          .flatMap((c): FileChange[] => {
            const path = asString(c?.['path']);
            const kind = c?.['kind'];
            return path !== undefined && (kind === 'add' || kind === 'update' || kind === 'delete')
              ? [{ path, kind }]
              : [];
          });
        return changes.length === 0 ? [] : [{ type: 'file_change', changes }];
      }
      case 'error':
        return done ? [{ type: 'error', message: asString(item['message']) ?? 'error', fatal: false }] : [];
      default:
        return [];
    }
  }

  /** Something only a reachable model produces: a turn's end, or an item other than an error notice. */
  private isProgress(event: Record<string, unknown>): boolean {
    const type = asString(event['type']) ?? '';
    if (type === 'turn.completed' || type === 'turn.failed') return true;
    return type.startsWith('item.') && asRecord(event['item'])?.['type'] !== 'error';
  }

  connectionFailure(): string | undefined {
    return this.unreachable;
  }

  /** A tool call when an item starts (or completes unseen), and its result when it completes. */
  private toolEvents(
    id: string,
    done: boolean,
    name: string,
    input: unknown,
    result: () => { ok: boolean; output: string },
  ): AgentEvent[] {
    const out: AgentEvent[] = [];
    if (!this.startedItems.has(id)) {
      this.startedItems.add(id);
      out.push({ type: 'tool_call', id, name, input });
    }
    if (done) {
      const { ok, output } = result();
      out.push({ type: 'tool_result', id, ok, output: truncate(output, TOOL_OUTPUT_CHARS) });
    }
    return out;
  }

  end(): StreamOutcome {
    const base = { finalText: this.lastMessage, sessionId: this.threadId, usage: this.usage };
    if (this.failure !== undefined) return { ...base, ok: false, ...this.failure };
    if (this.turnCompleted) return { ...base, ok: true, reason: 'completed' };
    if (this.lastError !== undefined) return { ...base, ok: false, ...classify(this.lastError) };
    return { ...base, ok: undefined, reason: 'failed' };
  }
}

function classify(message: string): { reason: AgentEndReason; message: string } {
  if (QUOTA_TEXT.test(message)) return { reason: 'quota_exceeded', message };
  if (RATE_LIMIT_TEXT.test(message)) return { reason: 'rate_limited', message };
  if (AUTH_TEXT.test(message)) return { reason: 'auth_failed', message };
  return { reason: 'failed', message };
}

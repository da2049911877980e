import {
  ZERO_USAGE,
  type AgentEndReason,
  type AgentEvent,
  type FileChange,
  type TokenUsage,
} from '@agent-harness/core';
import type { StreamOutcome, StreamParser } from '../process/cli-agent-process.js';
import { asNumber, asRecord, asString, parseJsonLine, truncate } from '../process/json-line.js';

/** Claude Code's tools that change files, and where their input names the file. */
const FILE_TOOLS: Readonly<Record<string, FileChange['kind']>> = {
  Write: 'add',
  Edit: 'update',
  MultiEdit: 'update',
  NotebookEdit: 'update',
};

/** Tool output kept per event; the full text stays with the agent. */
const TOOL_OUTPUT_CHARS = 8 * 1024;

const RATE_LIMIT_TEXT = /rate.?limit|usage limit|session limit|\b429\b|too many requests/i;

function usageOf(raw: Record<string, unknown> | undefined): TokenUsage {
  if (raw === undefined) return ZERO_USAGE;
  return {
    inputTokens: asNumber(raw['input_tokens']) ?? 0,
    cachedInputTokens: asNumber(raw['cache_read_input_tokens']) ?? 0,
    cacheWriteTokens: asNumber(raw['cache_creation_input_tokens']) ?? 0,
    outputTokens: asNumber(raw['output_tokens']) ?? 0,
  };
}

function minus(a: TokenUsage, b: TokenUsage): TokenUsage {
  return {
    inputTokens: Math.max(0, a.inputTokens - b.inputTokens),
    cachedInputTokens: Math.max(0, a.cachedInputTokens - b.cachedInputTokens),
    cacheWriteTokens: Math.max(0, a.cacheWriteTokens - b.cacheWriteTokens),
    outputTokens: Math.max(0, a.outputTokens - b.outputTokens),
  };
}

function isZero(u: TokenUsage): boolean {
  return u.inputTokens + u.cachedInputTokens + u.cacheWriteTokens + u.outputTokens === 0;
}

/**
 * Parses `claude -p --output-format stream-json --verbose`. Unknown lines and types are skipped.
 * Usage is charged once per `message.id` (one API step prints one line per content block, all with
 * the same usage); the `result` line's totals are authoritative. The outcome comes from the
 * `result` line, never from the exit code: a failing result is printed with exit code 0.
 */
export class ClaudeStreamParser implements StreamParser {
  private sessionId: string | undefined;
  private readonly chargedByMessage = new Map<string, TokenUsage>();
  private runningUsage: TokenUsage = ZERO_USAGE;
  private lastText = '';
  private result: Record<string, unknown> | undefined;
  private rateLimit: { message: string; resetAt?: string | undefined } | undefined;
  private fatal: { reason: AgentEndReason; message: string } | undefined;
  /** Connection retries in a row with no HTTP response at all, and how the last one went. */
  private unreachable: string | undefined;

  push(line: string): AgentEvent[] {
    const event = parseJsonLine(line);
    if (event === undefined) return [];
    const sessionId = asString(event['session_id']) ?? asString(event['sessionId']);
    if (sessionId !== undefined) this.sessionId = sessionId;
    // Anything the model produced means it was reached.
    if (
      event['type'] === 'assistant' ||
      event['type'] === 'user' ||
      event['type'] === 'stream_event' ||
      event['type'] === 'result'
    )
      this.unreachable = undefined;
    switch (event['type']) {
      case 'system':
        return this.onSystem(event);
      case 'assistant':
        return this.onAssistant(event);
      case 'user':
        return this.onUser(event);
      case 'rate_limit_event':
        return this.onRateLimitEvent(event);
      case 'result':
        this.result = event;
        return [];
      default:
        return [];
    }
  }

  private onSystem(event: Record<string, unknown>): AgentEvent[] {
    const subtype = event['subtype'];
    if (subtype === 'init' && this.sessionId !== undefined) {
      return [{ type: 'session_started', sessionId: this.sessionId, model: asString(event['model']) }];
    }
    if (subtype === 'api_retry') {
      const error = asString(event['error']);
      const status = asNumber(event['error_status']);
      if (error === 'authentication_failed' || status === 401) {
        // The CLI would retry a bad key for minutes; stop it at once.
        this.fatal = { reason: 'auth_failed', message: 'the model API rejected the credentials (401)' };
        return [{ type: 'error', message: this.fatal.message, fatal: true }];
      }
      if (error === 'rate_limit' || status === 429) {
        this.unreachable = undefined;
        const message = `rate limited by the model API; retry ${String(asNumber(event['attempt']) ?? '?')} in ${String(asNumber(event['retry_delay_ms']) ?? '?')} ms`;
        return [{ type: 'rate_limited', message }];
      }
      if (status === undefined) {
        // No HTTP status: the request got no answer at all (refused, unresolvable, timed out).
        const attempt = `attempt ${String(asNumber(event['attempt']) ?? '?')} of ${String(asNumber(event['max_retries']) ?? '?')}`;
        const delay = asNumber(event['retry_delay_ms']);
        this.unreachable = `Unable to connect to API (${attempt} failed without a response${error === undefined || error === 'unknown' ? '' : `: ${error}`}${delay === undefined ? '' : `; retrying in ${(delay / 1000).toFixed(1)} s`})`;
        return [{ type: 'error', message: this.unreachable, fatal: false }];
      }
      this.unreachable = undefined;
      return [
        { type: 'error', message: `model API error ${String(status)} (${error ?? 'unknown'}), retrying`, fatal: false },
      ];
    }
    return [];
  }

  private onAssistant(event: Record<string, unknown>): AgentEvent[] {
    const message = asRecord(event['message']);
    if (message === undefined) return [];
    const out: AgentEvent[] = [];
    const content = Array.isArray(message['content']) ? (message['content'] as unknown[]) : [];
    const texts: string[] = [];
    for (const block of content.map(asRecord)) {
      if (block === undefined) continue;
      if (block['type'] === 'text') {
        const text = asString(block['text']) ?? '';
        texts.push(text);
        out.push({ type: 'text', text });
      } else if (block['type'] === 'tool_use') {
        const name = asString(block['name']) ?? 'unknown';
        const input = block['input'];
        out.push({ type: 'tool_call', id: asString(block['id']) ?? '', name, input });
        const kind = FILE_TOOLS[name];
        const path = asString(asRecord(input)?.['file_path']) ?? asString(asRecord(input)?.['notebook_path']);
        if (kind !== undefined && path !== undefined) out.push({ type: 'file_change', changes: [{ path, kind }] });
      }
    }
    if (texts.length > 0 && event['parent_tool_use_id'] == null) this.lastText = texts.join('');
    if (event['error'] === 'rate_limit') {
      this.rateLimit = { message: texts.join(' ') || 'usage limit reached' };
      out.push({ type: 'rate_limited', message: this.rateLimit.message });
    }
    const usage = this.chargeOnce(asString(message['id']), usageOf(asRecord(message['usage'])));
    if (usage !== undefined) out.push({ type: 'usage', ...usage });
    return out;
  }

  /** The usage not yet charged for this message id (the highest counts seen win), if any. */
  private chargeOnce(messageId: string | undefined, usage: TokenUsage): TokenUsage | undefined {
    if (messageId === undefined || isZero(usage)) return undefined;
    const charged = this.chargedByMessage.get(messageId) ?? ZERO_USAGE;
    const highest: TokenUsage = {
      inputTokens: Math.max(charged.inputTokens, usage.inputTokens),
      cachedInputTokens: Math.max(charged.cachedInputTokens, usage.cachedInputTokens),
      cacheWriteTokens: Math.max(charged.cacheWriteTokens, usage.cacheWriteTokens),
      outputTokens: Math.max(charged.outputTokens, usage.outputTokens),
    };
    const delta = minus(highest, charged);
    this.chargedByMessage.set(messageId, highest);
    if (isZero(delta)) return undefined;
    this.runningUsage = {
      inputTokens: this.runningUsage.inputTokens + delta.inputTokens,
      cachedInputTokens: this.runningUsage.cachedInputTokens + delta.cachedInputTokens,
      cacheWriteTokens: this.runningUsage.cacheWriteTokens + delta.cacheWriteTokens,
      outputTokens: this.runningUsage.outputTokens + delta.outputTokens,
    };
    return delta;
  }

  private onUser(event: Record<string, unknown>): AgentEvent[] {
    const content = asRecord(event['message'])?.['content'];
    if (!Array.isArray(content)) return [];
    const out: AgentEvent[] = [];
    for (const block of (content as unknown[]).map(asRecord)) {
      if (block?.['type'] !== 'tool_result') continue;
      out.push({
        type: 'tool_result',
        id: asString(block['tool_use_id']) ?? '',
        ok: block['is_error'] !== true,
        output: truncate(toolResultText(block['content']), TOOL_OUTPUT_CHARS),
      });
    }
    return out;
  }

  private onRateLimitEvent(event: Record<string, unknown>): AgentEvent[] {
    const info = asRecord(event['rate_limit_info']);
    if (info?.['status'] !== 'rejected') return [];
    const resetsAt = asNumber(info['resetsAt']);
    const resetAt = resetsAt === undefined ? undefined : new Date(resetsAt * 1000).toISOString();
    this.rateLimit = {
      message: `rate limit reached (${asString(info['rateLimitType']) ?? 'unknown window'})`,
      resetAt,
    };
    return [{ type: 'rate_limited', message: this.rateLimit.message, resetAt }];
  }

  connectionFailure(): string | undefined {
    return this.unreachable;
  }

  end(): StreamOutcome {
    const result = this.result;
    const base = {
      finalText: asString(result?.['result']) ?? this.lastText,
      sessionId: this.sessionId,
      usage: result === undefined ? this.runningUsage : usageOf(asRecord(result['usage'])),
      costUsd: asNumber(result?.['total_cost_usd']) ?? asNumber(result?.['cost_usd']),
      rateLimitResetAt: this.rateLimit?.resetAt,
    };
    if (this.fatal !== undefined) return { ...base, ok: false, reason: this.fatal.reason, message: this.fatal.message };
    if (result === undefined) return { ...base, ok: undefined, reason: 'failed' };
    const subtype = asString(result['subtype']) ?? '';
    if (result['is_error'] !== true && !subtype.startsWith('error')) return { ...base, ok: true, reason: 'completed' };
    return { ...base, ok: false, ...classifyFailure(result, subtype, this.rateLimit !== undefined) };
  }
}

function classifyFailure(
  result: Record<string, unknown>,
  subtype: string,
  sawRateLimit: boolean,
): { reason: AgentEndReason; message: string } {
  const errors = Array.isArray(result['errors'])
    ? (result['errors'] as unknown[]).filter((e) => typeof e === 'string')
    : [];
  const text = asString(result['result']) ?? '';
  const message = [text, ...errors].filter(Boolean).join('; ') || `claude reported ${subtype || 'an error'}`;
  const status = asNumber(result['api_error_status']);
  if (subtype === 'error_max_budget_usd' || result['terminal_reason'] === 'budget_exhausted')
    return { reason: 'budget_exceeded', message };
  if (status === 401 || status === 403) return { reason: 'auth_failed', message };
  // A prompt-token limit ("blocking_limit") is not a rate limit: waiting would not help.
  if (
    result['terminal_reason'] !== 'blocking_limit' &&
    (status === 429 || sawRateLimit || RATE_LIMIT_TEXT.test(message))
  ) {
    return { reason: 'rate_limited', message };
  }
  return { reason: 'failed', message };
}

function toolResultText(content: unknown): string {
  if (typeof content === 'string') return content;
  if (!Array.isArray(content)) return '';
  return (content as unknown[])
    .map((part) => asString(asRecord(part)?.['text']) ?? '')
    .filter(Boolean)
    .join('\n');
}

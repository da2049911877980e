import { randomUUID } from 'node:crypto';
import Anthropic from '@anthropic-ai/sdk';
import {
  ZERO_USAGE,
  addUsage,
  commandEnv,
  type AgentEndReason,
  type AgentEvent,
  type ApprovalPolicy,
  type CommandSandbox,
  type HarnessConfig,
  type SandboxMode,
  type TokenUsage,
} from '@agent-harness/core';
import { AgentRunner, completedEvent, type AgentRequest, type AgentResult, type AgentRun } from '../agent-runner.js';
import { approvalLimits } from '../approval-policy.js';
import { AgentEventReplay } from '../event-replay.js';
import { killTaskProcesses, taskMarkerOf } from '../process/orphans.js';
import { WORKSPACE_TOOLS, WorkspaceTools } from './workspace-tools.js';

type ApiConfig = HarnessConfig['agents']['anthropic_api'];
type MessageParam = Anthropic.MessageParam;

/** @public */
export interface AnthropicApiAgentRunnerDeps {
  readonly config: ApiConfig;
  readonly apiKey: string;
  /** Environment for the commands the agent runs (Harness's secrets and every API credential are removed from it). */
  readonly baseEnv: Readonly<Record<string, string | undefined>>;
  /** Longest a single `run_command` may take. Default 10 minutes. */
  readonly commandTimeoutMs?: number;
  /** `[agents] sandbox_mode`, used when a request names none. Default `workspace-write`. */
  readonly sandboxMode?: SandboxMode | undefined;
  /** `[agents] approval_policy`; unset is `full-auto`. */
  readonly approvalPolicy?: ApprovalPolicy | undefined;
  /** The OS sandbox the model's commands run in; without one, they run as they are. */
  readonly sandbox?: CommandSandbox | undefined;
}

/** Conversations kept for `resumeSessionId`, oldest dropped first. */
const KEPT_SESSIONS = 100;

const SYSTEM_PROMPT = (cwd: string): string =>
  [
    `You are a coding agent working in the directory ${cwd}.`,
    'Use the tools to inspect and change files there; paths are relative to that directory and cannot leave it.',
    'When the work is done, answer with a short summary of what you changed.',
  ].join('\n');

/**
 * The Anthropic Messages API (official SDK, streaming) with a small tool loop: list, read, write and
 * edit files and run commands, all confined to the working directory, for at most `max_turns`
 * model turns. Sessions are kept in memory, so a resumed run continues the same conversation while
 * this process lives.
 * @public
 */
export class AnthropicApiAgentRunner extends AgentRunner {
  readonly name = 'anthropic-api';
  private readonly sessions = new Map<string, MessageParam[]>();
  private readonly client: Anthropic;

  constructor(private readonly deps: AnthropicApiAgentRunnerDeps) {
    super();
    // Retries are ours (see `streamTurn`): the SDK's would also wait out a long 429 `retry-after`,
    // where Harness wants to hand the rate limit back at once.
    this.client = new Anthropic({ apiKey: deps.apiKey, baseURL: deps.config.base_url, maxRetries: 0 });
  }

  run(request: AgentRequest): AgentRun {
    const events$ = new AgentEventReplay();
    const marker = taskMarkerOf(request.env);
    const result = this.loop(request, (event) => {
      events$.next(event);
    }).then(async (outcome) => {
      // What its commands started and left running, also outside their process group (`setsid`).
      if (marker !== undefined) await killTaskProcesses({ marker }).catch(() => undefined);
      events$.next(completedEvent(outcome));
      events$.complete();
      return outcome;
    });
    return { events$: events$.events$, result };
  }

  private async loop(request: AgentRequest, emit: (event: AgentEvent) => void): Promise<AgentResult> {
    const { config } = this.deps;
    const startedAt = Date.now();
    const controller = new AbortController();
    let stopped: { reason: AgentEndReason; message: string } | undefined;
    const stop = (reason: AgentEndReason, message: string): void => {
      stopped ??= { reason, message };
      controller.abort();
    };
    const timeoutMs = request.timeoutMs ?? config.timeout_secs * 1000;
    const idleTimeoutMs = request.idleTimeoutMs ?? config.idle_timeout_secs * 1000;
    const total = setTimeout(() => {
      stop('timeout', `timed out after ${String(timeoutMs / 1000)} s`);
    }, timeoutMs);
    let idle = setTimeout(onIdle, idleTimeoutMs);
    function onIdle(): void {
      stop('idle_timeout', `no output for ${String(idleTimeoutMs / 1000)} s (idle timeout)`);
    }
    const touch = (): void => {
      clearTimeout(idle);
      idle = setTimeout(onIdle, idleTimeoutMs);
    };
    const onAbort = (): void => {
      stop('cancelled', 'cancelled');
    };
    if (request.signal?.aborted === true) onAbort();
    request.signal?.addEventListener('abort', onAbort, { once: true });

    const sessionId = request.resumeSessionId ?? randomUUID();
    const messages = [...(this.sessions.get(sessionId) ?? [])];
    let usage: TokenUsage = ZERO_USAGE;
    let finalText = '';
    const done = (ok: boolean, reason: AgentEndReason, message?: string): AgentResult => {
      clearTimeout(total);
      clearTimeout(idle);
      request.signal?.removeEventListener('abort', onAbort);
      this.remember(sessionId, messages);
      return { agent: this.name, ok, reason, message, finalText, sessionId, usage, durationMs: Date.now() - startedAt };
    };

    if (request.resumeSessionId !== undefined && !this.sessions.has(sessionId)) {
      emit({ type: 'error', message: `unknown session ${sessionId}`, fatal: true });
      return done(
        false,
        'failed',
        `unknown session ${sessionId}: this agent keeps sessions only while the process runs`,
      );
    }
    const model = request.model ?? config.default_model;
    emit({ type: 'session_started', sessionId, model });
    messages.push({ role: 'user', content: request.prompt });
    // The SDK uses the key in-process; Harness runs the model's commands itself, so they get the
    // allow-listed environment of validation commands (no credential of any kind), and the task marker.
    const limits = approvalLimits(
      this.deps.approvalPolicy,
      request.sandboxMode ?? this.deps.sandboxMode ?? 'workspace-write',
    );
    const tools = new WorkspaceTools(
      request.cwd,
      { ...commandEnv(this.deps.baseEnv), ...request.env },
      this.deps.commandTimeoutMs ?? 600_000,
      limits.mode === 'read-only' ? 'read-only' : 'workspace-write',
      this.deps.sandbox,
      limits.commands,
    );
    // A tool the run may not use is not offered either.
    const offered = WORKSPACE_TOOLS.filter((tool) => limits.commands || tool.name !== 'run_command');

    try {
      // The task's turn limit (`[limits] task_max_turns`, what is left of it) when lower than max_turns.
      const maxTurns = Math.min(config.max_turns, request.maxTurns ?? config.max_turns);
      for (let turn = 1; turn <= maxTurns; turn++) {
        const message = await this.streamTurn(
          {
            model,
            max_tokens: config.max_tokens,
            system: SYSTEM_PROMPT(request.cwd),
            tools: offered,
            messages,
          },
          controller.signal,
          touch,
        );
        const step: TokenUsage = {
          inputTokens: message.usage.input_tokens,
          cachedInputTokens: message.usage.cache_read_input_tokens ?? 0,
          cacheWriteTokens: message.usage.cache_creation_input_tokens ?? 0,
          outputTokens: message.usage.output_tokens,
        };
        usage = addUsage(usage, step);
        emit({ type: 'usage', ...step });
        messages.push({ role: 'assistant', content: message.content });

        const results: Anthropic.ToolResultBlockParam[] = [];
        const texts: string[] = [];
        for (const block of message.content) {
          if (block.type === 'text') {
            texts.push(block.text);
            emit({ type: 'text', text: block.text });
          } else if (block.type === 'tool_use') {
            emit({ type: 'tool_call', id: block.id, name: block.name, input: block.input });
            const outcome = await tools.call(block.name, block.input, controller.signal);
            touch();
            emit({ type: 'tool_result', id: block.id, ok: outcome.ok, output: outcome.output });
            if (outcome.changes !== undefined) emit({ type: 'file_change', changes: outcome.changes });
            results.push({
              type: 'tool_result',
              tool_use_id: block.id,
              content: outcome.output,
              is_error: !outcome.ok,
            });
          }
        }
        if (texts.length > 0) finalText = texts.join('\n');
        if (stopped !== undefined) return done(false, stopped.reason, stopped.message);
        if (message.stop_reason !== 'tool_use' || results.length === 0) {
          if (message.stop_reason === 'max_tokens')
            return done(false, 'failed', `the reply hit max_tokens (${String(config.max_tokens)})`);
          return done(true, 'completed');
        }
        messages.push({ role: 'user', content: results });
      }
      return maxTurns < config.max_turns
        ? done(
            false,
            'budget_exceeded',
            `stopped after the task's remaining ${String(maxTurns)} turn(s) ([limits] task_max_turns)`,
          )
        : done(false, 'failed', `stopped after max_turns (${String(config.max_turns)}) model turns`);
    } catch (error) {
      if (stopped !== undefined) return done(false, stopped.reason, stopped.message);
      const failure = classifyApiError(error);
      emit(
        failure.reason === 'rate_limited'
          ? { type: 'rate_limited', message: failure.message, resetAt: failure.resetAt }
          : { type: 'error', message: failure.message, fatal: true },
      );
      const result = done(false, failure.reason, failure.message);
      return failure.resetAt === undefined ? result : { ...result, rateLimitResetAt: failure.resetAt };
    }
  }

  /** One model turn, retried twice (1 s, then 2 s apart) on overload, 5xx and connection errors. */
  private async streamTurn(
    params: Anthropic.MessageStreamParams,
    signal: AbortSignal,
    onEvent: () => void,
  ): Promise<Anthropic.Message> {
    for (let attempt = 0; ; attempt++) {
      try {
        const stream = this.client.messages.stream(params, { signal });
        stream.on('streamEvent', onEvent);
        return await stream.finalMessage();
      } catch (error) {
        if (attempt >= TRANSIENT_RETRIES || signal.aborted || !isTransient(error)) throw error;
        await new Promise((resolve) => setTimeout(resolve, 1000 * 2 ** attempt));
      }
    }
  }

  private remember(sessionId: string, messages: MessageParam[]): void {
    this.sessions.delete(sessionId);
    this.sessions.set(sessionId, messages);
    for (const oldest of this.sessions.keys()) {
      if (this.sessions.size <= KEPT_SESSIONS) break;
      this.sessions.delete(oldest);
    }
  }
}

const TRANSIENT_RETRIES = 2;

function isTransient(error: unknown): boolean {
  if (error instanceof Anthropic.APIConnectionError) return true;
  return (
    error instanceof Anthropic.APIError && error.status !== undefined && (error.status >= 500 || error.status === 408)
  );
}

function classifyApiError(error: unknown): { reason: AgentEndReason; message: string; resetAt?: string } {
  if (error instanceof Anthropic.APIError && error.status !== undefined) {
    const message = `Anthropic API ${String(error.status)}: ${error.message}`;
    if (error.status === 401 || error.status === 403) return { reason: 'auth_failed', message };
    if (error.status === 402 || /credit balance|billing|quota/i.test(error.message))
      return { reason: 'quota_exceeded', message };
    if (error.status === 429 || error.status === 529) {
      const headers = error.headers as Headers | undefined;
      const retryAfter = Number(headers?.get('retry-after'));
      const resetAt =
        Number.isFinite(retryAfter) && retryAfter > 0
          ? new Date(Date.now() + retryAfter * 1000).toISOString()
          : undefined;
      return resetAt === undefined ? { reason: 'rate_limited', message } : { reason: 'rate_limited', message, resetAt };
    }
    return { reason: 'failed', message };
  }
  return {
    reason: 'failed',
    message: `Anthropic API request failed: ${error instanceof Error ? error.message : String(error)}`,
  };
}

import {
  ZERO_USAGE,
  type AgentEndReason,
  type AgentEvent,
  type SandboxMode,
  type TokenUsage,
} from '@agent-harness/core';
import type {
  AnyMessage,
  ClientConnection,
  PromptResponse,
  SessionConfigOption,
  StopReason,
} from '@agentclientprotocol/sdk/unstable';
import type { Conversation, ConversationIo, StreamOutcome } from '../process/cli-agent-process.js';
import { decidePermission, permissionAnswer } from './acp-permission-policy.js';
import { AcpSessionUpdates } from './acp-session-updates.js';

/** @public */
export interface AcpTurn {
  /** The agent's name in Harness (said in messages). */
  readonly agent: string;
  readonly prompt: string;
  /** The worktree: the session's directory, and the bound of every permission. */
  readonly cwd: string;
  readonly mode: SandboxMode;
  /** Whether commands are granted (`approval_policy` `full-auto`); unset: they are. */
  readonly commands?: boolean | undefined;
  /** Continue this session (when the agent can load sessions; otherwise a new one starts). */
  readonly resumeSessionId?: string | undefined;
  /** The model a task asked for: set through the session's model option (the run fails if it has none). */
  readonly model?: string | undefined;
}

/** What each stop reason of a turn means for the run. */
const STOPS: Record<StopReason, { ok: boolean; reason: AgentEndReason; message?: string }> = {
  end_turn: { ok: true, reason: 'completed' },
  cancelled: { ok: false, reason: 'cancelled', message: 'cancelled' },
  max_tokens: { ok: false, reason: 'failed', message: 'the agent reached its token limit' },
  max_turn_requests: { ok: false, reason: 'failed', message: 'the agent reached its limit of model requests' },
  refusal: { ok: false, reason: 'failed', message: 'the agent refused to continue' },
};

/**
 * One turn with an agent over the Agent Client Protocol (JSON-RPC on its stdin and stdout), as the
 * client: `initialize` (offering no file-system or terminal capability, so every file and command
 * stays inside the agent's own OS sandbox), `session/new` in the worktree (or `session/load` to
 * continue one), one `session/prompt`, its `session/update`s as events, its permission requests
 * answered by `decidePermission`. Cancel is `session/cancel`; the caller ends the process after.
 */
export class AcpConversation implements Conversation {
  private readonly updates = new AcpSessionUpdates();
  private incoming: ReadableStreamDefaultController<AnyMessage> | undefined;
  /** False once the connection stopped reading (it closed, or the agent's output ended). */
  private open = true;
  private readonly readable = new ReadableStream<AnyMessage>({
    start: (controller) => {
      this.incoming = controller;
    },
    cancel: () => {
      this.open = false;
    },
  });
  private connection: ClientConnection | undefined;
  private sessionId: string | undefined;
  /** True while a loaded session's history is replayed to us: not this run's events. */
  private loading = false;
  /** The run continues a loaded session (its reported cost includes the earlier rounds). */
  private resumed = false;
  private prompt: Promise<unknown> | undefined;
  private outcome: StreamOutcome | undefined;
  private usage: TokenUsage = ZERO_USAGE;
  private emit: (event: AgentEvent) => void = () => undefined;

  constructor(private readonly turn: AcpTurn) {}

  push(line: string): AgentEvent[] {
    const text = line.trim();
    if (text === '') return [];
    let message: unknown;
    try {
      message = JSON.parse(text);
    } catch {
      // Some agents log to stdout too: not a protocol message, ignored.
      return [];
    }
    // Only JSON-RPC messages reach the SDK (it would echo anything else back, whole, as an error).
    if (this.open && isJsonRpc(message)) this.incoming?.enqueue(message);
    return [];
  }

  async converse(io: ConversationIo): Promise<void> {
    this.emit = (event) => {
      io.emit(event);
    };
    const writable = new WritableStream<AnyMessage>({
      write: (message) => {
        io.write(JSON.stringify(message));
      },
    });
    // Loaded with the first ACP run: the SDK (its schemas) is about 24 MiB a server without ACP
    // agents never needs.
    const { client, PROTOCOL_VERSION } = await import('@agentclientprotocol/sdk/unstable');
    const connection = client({ name: 'harness' })
      .onNotification('session/update', ({ params }) => {
        if (params.sessionId !== this.sessionId) return;
        if (this.loading) {
          this.updates.replayed(params.update);
          return;
        }
        for (const event of this.updates.push(params.update)) io.emit(event);
      })
      .onRequest('session/request_permission', ({ params }) => {
        const known = this.updates.toolCalls.get(params.toolCall.toolCallId);
        const decision = decidePermission(params, known, {
          cwd: this.turn.cwd,
          mode: this.turn.mode,
          commands: this.turn.commands,
        });
        if (!decision.allow) {
          const named: unknown = params.toolCall.title ?? known?.title ?? params.toolCall.toolCallId;
          const title = (typeof named === 'string' ? named : 'a tool').slice(0, 200);
          io.emit({ type: 'error', message: `refused ${this.turn.agent}'s "${title}": ${decision.why}`, fatal: false });
        }
        return permissionAnswer(params.options, decision);
      })
      .connect({ readable: this.readable, writable });
    this.connection = connection;
    try {
      const init = await connection.agent.request('initialize', {
        protocolVersion: PROTOCOL_VERSION,
        clientCapabilities: { fs: { readTextFile: false, writeTextFile: false }, terminal: false },
        clientInfo: { name: 'harness', version: '0.1.0' },
      });
      const resume = this.turn.resumeSessionId;
      let options: readonly SessionConfigOption[] | null | undefined;
      if (resume !== undefined && init.agentCapabilities?.loadSession === true) {
        this.loading = true;
        this.resumed = true;
        this.sessionId = resume;
        const loaded = await connection.agent.request('session/load', {
          sessionId: resume,
          cwd: this.turn.cwd,
          mcpServers: [],
        });
        options = loaded.configOptions;
        this.loading = false;
      } else {
        const session = await connection.agent.request('session/new', { cwd: this.turn.cwd, mcpServers: [] });
        this.sessionId = checkedSessionId(session.sessionId);
        options = session.configOptions;
      }
      if (this.turn.model !== undefined) await this.selectModel(connection, this.sessionId, options, this.turn.model);
      io.emit({ type: 'session_started', sessionId: this.sessionId });
      this.prompt = connection.agent.request('session/prompt', {
        sessionId: this.sessionId,
        prompt: [{ type: 'text', text: this.turn.prompt }],
      });
      this.finish((await this.prompt) as PromptResponse);
    } catch (error) {
      for (const event of this.updates.flush()) io.emit(event);
      this.outcome = this.failure(error);
    } finally {
      this.loading = false;
      this.open = false;
      connection.close();
    }
  }

  async cancel(): Promise<void> {
    if (this.connection === undefined || this.sessionId === undefined || this.prompt === undefined) return;
    await this.connection.agent.notify('session/cancel', { sessionId: this.sessionId });
    await this.prompt.catch(() => undefined);
  }

  end(): StreamOutcome {
    if (this.open) this.incoming?.close();
    this.open = false;
    return (
      this.outcome ?? {
        ok: undefined,
        reason: 'failed',
        finalText: this.updates.finalText,
        sessionId: this.sessionId,
        usage: this.usage,
        costUsd: this.updates.costUsd(this.resumed),
      }
    );
  }

  /** Sets the task's model through the session's model option; an agent without one cannot honour it. */
  private async selectModel(
    connection: ClientConnection,
    sessionId: string,
    options: readonly SessionConfigOption[] | null | undefined,
    model: string,
  ): Promise<void> {
    const option = options?.find((o) => o.category === 'model' || o.id === 'model');
    if (option === undefined)
      throw new Error(`the task asks for model "${model}", and ${this.turn.agent} offers no model choice over ACP`);
    await connection.agent.request('session/set_config_option', { sessionId, configId: option.id, value: model });
  }

  private finish(response: PromptResponse): void {
    for (const event of this.updates.flush()) this.emit(event);
    const usage = usageOf(response);
    if (usage !== undefined) this.usage = usage;
    if (usage !== undefined || this.updates.costUsd(this.resumed) !== undefined)
      this.emit({ type: 'usage', ...this.usage, costUsd: this.updates.costUsd(this.resumed) });
    // The answer is the agent's own JSON: a stop reason outside the protocol is a failure.
    const reason: unknown = response.stopReason;
    const stop =
      typeof reason === 'string' && Object.hasOwn(STOPS, reason)
        ? STOPS[reason as StopReason]
        : {
            ok: false,
            reason: 'failed' as const,
            message: `the agent ended its turn with "${String(reason).slice(0, 50)}"`,
          };
    this.outcome = {
      ...stop,
      finalText: this.updates.finalText,
      sessionId: this.sessionId,
      usage: this.usage,
      costUsd: this.updates.costUsd(this.resumed),
    };
  }

  /** A failed request as a run's outcome: a usage limit, a login the agent lacks, or a failure. */
  private failure(error: unknown): StreamOutcome {
    const message = errorText(error);
    const reason: AgentEndReason = /\b429\b|rate.?limit|too many requests|usage limit|quota/i.test(message)
      ? 'rate_limited'
      : /auth(entication|orization)? required|unauthori[sz]ed|\b401\b|invalid api key|login/i.test(message)
        ? 'auth_failed'
        : 'failed';
    if (reason === 'rate_limited') this.emit({ type: 'rate_limited', message });
    return {
      ok: false,
      reason,
      message: `${this.turn.agent}: ${message}`,
      finalText: this.updates.finalText,
      sessionId: this.sessionId,
      usage: this.usage,
      costUsd: this.updates.costUsd(this.resumed),
    };
  }
}

/** An error's words: a JSON-RPC error's message and data (agents put the API's answer there). */
function errorText(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const data = (error as { data?: unknown }).data;
  const detail = data === undefined || data === null ? '' : typeof data === 'string' ? data : JSON.stringify(data);
  const text = detail === '' || error.message.includes(detail) ? error.message : `${error.message} (${detail})`;
  return text.length > 2000 ? `${text.slice(0, 2000)}…` : text;
}

/**
 * The turn's tokens: the protocol's `usage` (OpenCode), else Gemini CLI's own report in `_meta`
 * (`quota.token_count`); undefined when the agent reports none (claude-code-acp).
 */
function usageOf(response: PromptResponse): TokenUsage | undefined {
  const usage = response.usage;
  if (usage !== undefined && usage !== null)
    return {
      inputTokens: count(usage.inputTokens),
      cachedInputTokens: count(usage.cachedReadTokens),
      cacheWriteTokens: count(usage.cachedWriteTokens),
      outputTokens: count(usage.outputTokens),
    };
  const quota = response._meta?.['quota'] as
    { token_count?: { input_tokens?: unknown; output_tokens?: unknown } } | undefined;
  const tokens = quota?.token_count;
  if (typeof tokens?.input_tokens !== 'number' || typeof tokens.output_tokens !== 'number') return undefined;
  return { ...ZERO_USAGE, inputTokens: count(tokens.input_tokens), outputTokens: count(tokens.output_tokens) };
}

/** A token count as the agent said it, if it is one (a finite, non-negative number); else 0. */
function count(value: unknown): number {
  return typeof value === 'number' && Number.isFinite(value) && value >= 0 ? Math.floor(value) : 0;
}

/** A session id as the agent gave it: a string of at most 256 characters, or the run fails. */
function checkedSessionId(value: unknown): string {
  if (typeof value !== 'string' || value === '' || value.length > 256)
    throw new Error('the agent answered session/new without a usable session id');
  return value;
}

function isJsonRpc(message: unknown): message is AnyMessage {
  if (typeof message !== 'object' || message === null || Array.isArray(message)) return false;
  const fields = message as Record<string, unknown>;
  return fields['jsonrpc'] === '2.0' && ('method' in fields || 'id' in fields);
}

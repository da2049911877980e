import type { AgentEvent, FileChange } from '@agent-harness/core';
import type { SessionUpdate, ToolCallContent, ToolCallLocation, ToolKind } from '@agentclientprotocol/sdk/unstable';

/** What is known of one tool call so far (updates carry only what changed). */
export interface KnownToolCall {
  readonly title: string;
  readonly kind: ToolKind | undefined;
  readonly paths: readonly string[];
  readonly rawInput: unknown;
  /** The files its diffs (so far) change. */
  readonly diffs: readonly FileChange[];
  /** Its `tool_call` event was emitted. */
  readonly announced: boolean;
  readonly ended: boolean;
}

function hasInput(rawInput: unknown): boolean {
  return (
    rawInput !== undefined && rawInput !== null && !(typeof rawInput === 'object' && Object.keys(rawInput).length === 0)
  );
}

/**
 * Keys of a tool's input that name files or folders, across the agents seen (Claude Code's
 * `file_path`, OpenCode's `filePath`, Gemini CLI's `paths`, a move's `destination`…).
 */
const PATH_KEY = /path|file|dir|folder|destination|target|source|cwd/i;

/**
 * The paths a tool call names: its locations, the files its diffs change, and every string under a
 * path-like key of its input, at any depth (arrays too), at most 200 (more is refused by the policy).
 */
export function pathsOf(
  locations: readonly ToolCallLocation[] | null | undefined,
  rawInput: unknown,
  content?: readonly ToolCallContent[] | null,
): string[] {
  const paths = (locations ?? []).map((location) => location.path);
  for (const item of content ?? []) if (item.type === 'diff') paths.push(item.path);
  const visit = (value: unknown, pathLike: boolean, depth: number): void => {
    if (paths.length > 200) return;
    // Deeper than any tool's input goes: a path could hide there, so one that is never inside stands in.
    if (depth > 6) {
      if (typeof value === 'object' && value !== null) paths.push('../(input nested too deep to check)');
      return;
    }
    if (typeof value === 'string') {
      if (pathLike && value !== '') paths.push(value);
    } else if (Array.isArray(value)) {
      for (const item of value) visit(item, pathLike, depth + 1);
    } else if (typeof value === 'object' && value !== null) {
      for (const [key, item] of Object.entries(value)) visit(item, PATH_KEY.test(key), depth + 1);
    }
  };
  visit(rawInput, false, 0);
  return [...new Set(paths)];
}

/** The most text gathered into one `text` event. */
const MAX_GATHERED_CHARS = 256 * 1024;

const FILE_CHANGE_KINDS: Partial<Record<ToolKind, FileChange['kind']>> = {
  edit: 'update',
  delete: 'delete',
  move: 'update',
};

/**
 * Turns an ACP session's `session/update` notifications into Harness's agent events, in order:
 * message and thought chunks are gathered into one `text` event per message (sent when the next
 * thing happens), tool calls and their ends become `tool_call` / `tool_result` (with `file_change`
 * for edits, from their diffs or paths), a plan is one `text` event. Token counts come with the
 * turn's answer, not here; the cost an agent reports (`usage_update`) is kept.
 */
export class AcpSessionUpdates {
  readonly toolCalls = new Map<string, KnownToolCall>();
  private message = '';
  private thought = '';
  /** The agent's last message of the turn: what a run's `finalText` is. */
  private lastMessage = '';
  /** The session's cost as the agent last reported it (in USD: ACP's cost is the session's so far). */
  private sessionCost: number | undefined;
  /** The session's cost before this run (a loaded session's), when known. */
  private costBefore: number | undefined;

  /**
   * This run's cost: what the session cost by its end, less what it had cost before. Undefined when
   * the agent reports none, or for a loaded session whose earlier cost was never said (the run's
   * tokens price it instead: counting the earlier rounds again would be worse).
   */
  costUsd(resumed: boolean): number | undefined {
    if (this.sessionCost === undefined) return undefined;
    if (!resumed) return this.sessionCost;
    return this.costBefore === undefined ? undefined : Math.max(0, this.sessionCost - this.costBefore);
  }

  /** A loaded session's replayed `usage_update`: its cost so far is this run's starting point. */
  replayed(update: SessionUpdate): void {
    if (update.sessionUpdate === 'usage_update') this.costBefore = usdOf(update.cost) ?? this.costBefore;
  }

  push(update: SessionUpdate): AgentEvent[] {
    switch (update.sessionUpdate) {
      case 'agent_message_chunk': {
        const thought = this.thoughtDone();
        if (update.content.type === 'text') this.message += update.content.text;
        // A message that never ends is sent in parts, never held without bound.
        return this.message.length > MAX_GATHERED_CHARS ? [...thought, ...this.flush()] : thought;
      }
      case 'agent_thought_chunk':
        if (update.content.type === 'text') this.thought += update.content.text;
        return this.thought.length > MAX_GATHERED_CHARS ? this.thoughtDone() : [];
      case 'tool_call':
      case 'tool_call_update': {
        // Agents announce a call before its input is known (Claude Code sends `tool_call` twice):
        // one `tool_call` event per call, once its input is known or at its end.
        const before = this.toolCalls.get(update.toolCallId);
        const rawInput = hasInput(update.rawInput) ? update.rawInput : before?.rawInput;
        const known: KnownToolCall = {
          title: update.title ?? before?.title ?? update.toolCallId,
          kind: update.kind ?? before?.kind,
          paths: [
            ...new Set([...(before?.paths ?? []), ...pathsOf(update.locations, update.rawInput, update.content)]),
          ],
          rawInput,
          diffs: [...(before?.diffs ?? []), ...diffsOf(update.content)],
          announced: before?.announced ?? false,
          ended: before?.ended ?? false,
        };
        this.toolCalls.set(update.toolCallId, known);
        const events = this.flush();
        if (hasInput(rawInput)) events.push(...this.announce(update.toolCallId));
        return [...events, ...this.ended(update.toolCallId, update.status, update.content, update.rawOutput)];
      }
      case 'plan': {
        const lines = update.entries.map((entry) => `- [${entry.status}] ${entry.content}`);
        return [...this.flush(), { type: 'text', text: `Plan:\n${lines.join('\n')}` }];
      }
      case 'usage_update':
        this.sessionCost = usdOf(update.cost) ?? this.sessionCost;
        return [];
      case 'notice':
        return update.severity === 'error'
          ? [...this.flush(), { type: 'error', message: noticeText(update), fatal: false }]
          : [];
      // The session's own state (commands, modes, titles, compaction) and echoes: no work to show.
      case 'user_message_chunk':
      case 'available_commands_update':
      case 'current_mode_update':
      case 'config_option_update':
      case 'session_info_update':
      case 'compaction_update':
      case 'compaction_summary_chunk':
      case 'plan_removed':
      case 'plan_update':
      case 'session_message_chunk':
      case 'session_message':
      case 'subagent_update':
        return [];
    }
    // A kind of update newer than this SDK (agents run ahead of it).
    return [];
  }

  /** The gathered message and thought as events (at a tool call, a plan, the turn's end). */
  flush(): AgentEvent[] {
    const events = this.thoughtDone();
    if (this.message.trim() !== '') {
      events.push({ type: 'text', text: this.message });
      this.lastMessage = this.message;
    }
    this.message = '';
    return events;
  }

  get finalText(): string {
    return (this.message.trim() === '' ? this.lastMessage : this.message).trim();
  }

  private thoughtDone(): AgentEvent[] {
    if (this.thought.trim() === '') return [];
    const event: AgentEvent = { type: 'text', text: `(thinking) ${this.thought.trim()}` };
    this.thought = '';
    return [event];
  }

  /** A tool call's `tool_call` event, once. */
  private announce(id: string): AgentEvent[] {
    const known = this.toolCalls.get(id);
    if (known === undefined || known.announced) return [];
    this.toolCalls.set(id, { ...known, announced: true });
    const input = hasInput(known.rawInput) ? known.rawInput : { kind: known.kind, paths: known.paths };
    return [{ type: 'tool_call', id, name: known.title, input }];
  }

  /** A tool call's end, once: its result, and the files it changed. */
  private ended(
    id: string,
    status: string | null | undefined,
    content: readonly ToolCallContent[] | null | undefined,
    rawOutput: unknown,
  ): AgentEvent[] {
    const known = this.toolCalls.get(id);
    if (known === undefined || known.ended || (status !== 'completed' && status !== 'failed')) return [];
    const events = this.announce(id);
    this.toolCalls.set(id, { ...known, announced: true, ended: true });
    const ok = status === 'completed';
    events.push({ type: 'tool_result', id, ok, output: outputOf(content, rawOutput) });
    const changes = ok ? changesOf(known) : [];
    if (changes.length > 0) events.push({ type: 'file_change', changes });
    return events;
  }
}

function diffsOf(content: readonly ToolCallContent[] | null | undefined): FileChange[] {
  return (content ?? []).flatMap((item) =>
    item.type === 'diff'
      ? [{ path: item.path, kind: item.oldText === null || item.oldText === undefined ? 'add' : 'update' } as const]
      : [],
  );
}

function changesOf(known: KnownToolCall): FileChange[] {
  if (known.diffs.length > 0) return [...new Map(known.diffs.map((change) => [change.path, change])).values()];
  const kind = known.kind === undefined ? undefined : FILE_CHANGE_KINDS[known.kind];
  return kind === undefined ? [] : known.paths.map((path) => ({ path, kind }));
}

/** What a tool call returned, as text (bounded: an agent's tool output can be a whole file). */
function outputOf(content: readonly ToolCallContent[] | null | undefined, rawOutput: unknown): string {
  const texts = (content ?? []).flatMap((item) =>
    item.type === 'content' && item.content.type === 'text' ? [item.content.text] : [],
  );
  const text =
    texts.length > 0
      ? texts.join('\n')
      : typeof rawOutput === 'string'
        ? rawOutput
        : rawOutput === undefined || rawOutput === null
          ? ''
          : JSON.stringify(rawOutput);
  return text.length > 16_384 ? `${text.slice(0, 16_384)}…` : text;
}

function noticeText(notice: { readonly title: string; readonly description?: string | null }): string {
  return notice.description === undefined || notice.description === null || notice.description === ''
    ? notice.title
    : `${notice.title}: ${notice.description}`;
}

/** A reported cost in USD, when it is one and a finite, non-negative number. */
function usdOf(cost: { readonly amount: unknown; readonly currency: unknown } | null | undefined): number | undefined {
  if (cost?.currency !== 'USD' || typeof cost.amount !== 'number') return undefined;
  return Number.isFinite(cost.amount) && cost.amount >= 0 ? cost.amount : undefined;
}

import type { AgentEvent, OutputCountsJson, OutputTruncatedEventData } from '@agent-harness/core';

/** The final text a `completed` event keeps once the output is cut (the result itself is not lost: it is in memory). */
const CUT_FINAL_TEXT_CHARS = 4096;

/** What a task stored of its agents' output before this run (its earlier runs). */
export interface StoredOutput {
  readonly bytes: number;
  /** An earlier run already cut the output: this one stores none. */
  readonly cut: boolean;
}

/**
 * What to store for one agent event: the event (maybe shortened), the notice that the output was
 * cut (instead of the event that did not fit), or nothing (counted).
 */
export interface OutputDecision<T> {
  readonly notice?: OutputTruncatedEventData | undefined;
  readonly store?: T | undefined;
}

/** The size of data as stored: the bytes of its JSON. */
export function storedBytes(data: unknown): number {
  // `undefined` has no JSON (and is not stored).
  const json = JSON.stringify(data) as string | undefined;
  return json === undefined ? 0 : Buffer.byteLength(json, 'utf8');
}

/**
 * `[limits] task_output_mb` for one task: its agents' output is stored while it fits; the first
 * event that does not fit cuts it (one notice is stored instead), and every later output event is
 * only counted. The agent's start, its end and a fatal error are not output: they are always
 * stored (the end with its final text shortened once the output is cut). Decided as each event
 * arrives, so nothing past the limit waits in memory to be written.
 */
export class TaskOutputBudget {
  private stored: number;
  private cut: boolean;
  private droppedEvents = 0;
  private droppedBytes = 0;

  constructor(
    readonly limitBytes: number,
    before: StoredOutput = { bytes: 0, cut: false },
  ) {
    this.stored = before.bytes;
    this.cut = before.cut;
  }

  /** What to store for `data`, an agent event as it would be stored. */
  take<T extends AgentEvent>(data: T): OutputDecision<T> {
    const bytes = storedBytes(data);
    if (!isOutput(data)) {
      if (data.type === 'completed' && (this.cut || this.stored + bytes > this.limitBytes)) {
        const shortened = { ...data, finalText: shorten(data.finalText) };
        this.stored += storedBytes(shortened);
        return { store: shortened };
      }
      this.stored += bytes;
      return { store: data };
    }
    if (!this.cut && this.stored + bytes <= this.limitBytes) {
      this.stored += bytes;
      return { store: data };
    }
    this.droppedEvents += 1;
    this.droppedBytes += bytes;
    if (this.cut) return {};
    this.cut = true;
    return { notice: this.notice() };
  }

  /** The counts once the output was cut in this run; undefined while all of it was stored. */
  counts(): OutputCountsJson | undefined {
    if (!this.cut) return undefined;
    return {
      limit_bytes: this.limitBytes,
      stored_bytes: this.stored,
      dropped_events: this.droppedEvents,
      dropped_bytes: this.droppedBytes,
    };
  }

  private notice(): OutputTruncatedEventData {
    const mb = (this.limitBytes / (1024 * 1024)).toFixed(this.limitBytes % (1024 * 1024) === 0 ? 0 : 2);
    return {
      message: `agent output cut at the task's limit of ${mb} MB ([limits] task_output_mb): further output is counted, not stored`,
      limit_bytes: this.limitBytes,
      stored_bytes: this.stored,
    };
  }
}

/** Everything an agent says besides its start, its end and a fatal error. */
function isOutput(event: AgentEvent): boolean {
  switch (event.type) {
    case 'session_started':
    case 'completed':
      return false;
    case 'error':
      return !event.fatal;
    case 'text':
    case 'tool_call':
    case 'tool_result':
    case 'file_change':
    case 'usage':
    case 'rate_limited':
      return true;
  }
}

function shorten(text: string): string {
  return text.length <= CUT_FINAL_TEXT_CHARS
    ? text
    : `${text.slice(0, CUT_FINAL_TEXT_CHARS)}… [${String(text.length - CUT_FINAL_TEXT_CHARS)} more characters not stored]`;
}

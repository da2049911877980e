import type { AgentEvent } from '@agent-harness/core';
import { Observable, Subject } from 'rxjs';

/** Events a late subscriber can still replay. */
const REPLAY_EVENTS = 1000;
/**
 * Characters of events kept for late subscribers (in practice, events sent before the caller could
 * subscribe). Small on purpose: every event kept outlives the young generation and is then garbage
 * in the old one; with 5,000 events of a chatty agent kept, 50 MB of output left the server 90 MB
 * larger.
 */
const REPLAY_CHARS = 64 * 1024;

/**
 * A run's events, live, and the latest of them (at most 1,000 and about 64 KiB) for subscribers that
 * come late: the oldest go first. Completes once, after the run's `completed` event.
 */
export class AgentEventReplay {
  private readonly live = new Subject<AgentEvent>();
  /** Kept events from `head` on; the ones before it were let go (compacted now and then). */
  private kept: ({ readonly event: AgentEvent; readonly chars: number } | undefined)[] = [];
  private head = 0;
  private keptChars = 0;
  private done = false;

  readonly events$ = new Observable<AgentEvent>((subscriber) => {
    for (let i = this.head; i < this.kept.length; i++) {
      const entry = this.kept[i];
      if (entry !== undefined) subscriber.next(entry.event);
    }
    if (this.done) {
      subscriber.complete();
      return undefined;
    }
    return this.live.subscribe(subscriber);
  });

  constructor(
    private readonly maxEvents = REPLAY_EVENTS,
    private readonly maxChars = REPLAY_CHARS,
  ) {}

  next(event: AgentEvent): void {
    if (this.done) return;
    const chars = sizeOf(event);
    this.kept.push({ event, chars });
    this.keptChars += chars;
    // The newest is always kept, however big.
    while (
      this.head < this.kept.length - 1 &&
      (this.kept.length - this.head > this.maxEvents || this.keptChars > this.maxChars)
    ) {
      this.keptChars -= this.kept[this.head]?.chars ?? 0;
      this.kept[this.head] = undefined;
      this.head += 1;
    }
    if (this.head > 1024 && this.head * 2 > this.kept.length) {
      this.kept = this.kept.slice(this.head);
      this.head = 0;
    }
    this.live.next(event);
  }

  complete(): void {
    if (this.done) return;
    this.done = true;
    this.live.complete();
  }
}

/** About how many characters an event holds: its texts (a tool call's input as JSON), plus a little. */
function sizeOf(event: AgentEvent): number {
  switch (event.type) {
    case 'text':
      return 64 + event.text.length;
    case 'tool_result':
      return 64 + event.output.length;
    case 'tool_call':
      return 64 + jsonLength(event.input);
    case 'completed':
      return 64 + event.finalText.length + (event.message?.length ?? 0);
    case 'error':
    case 'rate_limited':
      return 64 + event.message.length;
    case 'session_started':
    case 'file_change':
    case 'usage':
      return 256;
  }
}

function jsonLength(value: unknown): number {
  // `undefined` (an input a CLI left out) has no JSON.
  const json = JSON.stringify(value) as string | undefined;
  return json?.length ?? 0;
}

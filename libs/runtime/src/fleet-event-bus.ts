import { TaskEventBus, type TaskEventsHub } from '@agent-harness/pipeline';
import type { StoredTaskEvent, TaskRepository } from '@agent-harness/queue';
import type { Observable } from 'rxjs';

/** Tasks whose last relayed seq is remembered; past it the oldest are forgotten. */
const MAX_REMEMBERED = 10_000;

/** The PostgreSQL channel task events are announced on. */
export const TASK_EVENTS_CHANNEL = 'harness_task_events';

/** A notification: which task has a new event, its number, and the server that stored it. */
interface Announcement {
  readonly t: string;
  readonly s: number;
  readonly o: string;
}

function parseAnnouncement(payload: string): Announcement | undefined {
  try {
    const value = JSON.parse(payload) as Partial<Announcement>;
    if (typeof value.t === 'string' && typeof value.s === 'number' && typeof value.o === 'string')
      return { t: value.t, s: value.s, o: value.o };
  } catch {
    // Not ours: ignored.
  }
  return undefined;
}

/**
 * Live task events across the servers of a fleet. An event stored here goes to this server's
 * watchers at once and is announced on PostgreSQL (`NOTIFY`, a few bytes: task, seq, server); an
 * announcement from another server makes this one read the task's new events from the table (in
 * `seq` order, from the last one it relayed) and hand them to its watchers. So a stream on any
 * server shows a task running on any other: replayed from the table, live from notifications, with
 * no duplicates (a seq is relayed once) and no gaps (each read starts after the last relayed seq).
 * Tasks nobody here watches are not read.
 */
export class FleetEventBus extends TaskEventBus {
  /**
   * The last seq relayed per task, kept after its end too (an announcement of an event already
   * relayed must find it, or it would be read and sent again); the oldest are forgotten past
   * MAX_REMEMBERED.
   */
  private readonly relayed = new Map<string, number>();
  /** One read at a time per task, in announcement order. */
  private readonly reading = new Map<string, Promise<void>>();

  constructor(
    private readonly local: TaskEventsHub,
    private readonly deps: {
      readonly serverId: string;
      readonly tasks: TaskRepository;
      readonly notify: (payload: string) => Promise<void>;
      readonly logger?: { error(message: string): void } | undefined;
    },
  ) {
    super();
  }

  override publish(event: StoredTaskEvent): void {
    this.local.publish(event);
    const announcement: Announcement = { t: event.taskId, s: event.seq, o: this.deps.serverId };
    this.deps.notify(JSON.stringify(announcement)).catch((error: unknown) => {
      this.deps.logger?.error(
        `could not announce a task event: ${error instanceof Error ? error.message : String(error)}`,
      );
    });
  }

  /** An announcement from the channel. */
  received(payload: string): void {
    const announcement = parseAnnouncement(payload);
    if (announcement === undefined || announcement.o === this.deps.serverId) return;
    const { t: taskId, s: seq } = announcement;
    if (!this.local.hasWatchers(taskId)) return;
    const previous = this.reading.get(taskId) ?? Promise.resolve();
    const next = previous
      .then(() => this.relay(taskId, seq))
      .catch((error: unknown) => {
        this.deps.logger?.error(
          `could not relay events of ${taskId}: ${error instanceof Error ? error.message : String(error)}`,
        );
      })
      .finally(() => {
        if (this.reading.get(taskId) === next) this.reading.delete(taskId);
      });
    this.reading.set(taskId, next);
  }

  private async relay(taskId: string, seq: number): Promise<void> {
    // A task not relayed yet: from the event before the announced one too, since a terminal status
    // and its end event are stored in one transaction (a watcher that subscribed between their two
    // announcements would miss the status). Watchers drop the events they already have, by seq.
    const after = this.relayed.get(taskId) ?? Math.max(0, seq - 2);
    if (seq <= after) return;
    const events = await this.deps.tasks.eventsAfter(taskId, after, 1000);
    for (const event of events) {
      this.local.publish(event);
      // Re-inserted, so the map's order is the order tasks were last seen in.
      this.relayed.delete(taskId);
      this.relayed.set(taskId, event.seq);
      if (event.kind === 'end') this.local.close(taskId);
    }
    for (const oldest of this.relayed.keys()) {
      if (this.relayed.size <= MAX_REMEMBERED) break;
      this.relayed.delete(oldest);
    }
  }

  override watch(taskId: string): Observable<StoredTaskEvent> {
    return this.local.watch(taskId);
  }

  override watchAll(): Observable<StoredTaskEvent> {
    return this.local.watchAll();
  }

  override close(taskId: string): void {
    this.local.close(taskId);
  }

  override closeAll(): void {
    this.local.closeAll();
  }
}

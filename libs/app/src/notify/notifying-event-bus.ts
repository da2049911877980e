import { TaskEventBus } from '@agent-harness/pipeline';
import type { StoredTaskEvent } from '@agent-harness/queue';
import type { Observable } from 'rxjs';

/**
 * The engine's event bus, telling `onEvent` of every `end` and `status` event published through it. The engine
 * publishes only what this server stored, so in a fleet each end is heard once, where it was
 * written (another server's events reach watchers by another way).
 */
export class NotifyingEventBus extends TaskEventBus {
  constructor(
    private readonly inner: TaskEventBus,
    private readonly onEvent: (event: StoredTaskEvent) => void,
  ) {
    super();
  }

  override publish(event: StoredTaskEvent): void {
    this.inner.publish(event);
    if (event.kind === 'end' || event.kind === 'status') this.onEvent(event);
  }

  override watch(taskId: string): Observable<StoredTaskEvent> {
    return this.inner.watch(taskId);
  }

  override watchAll(): Observable<StoredTaskEvent> {
    return this.inner.watchAll();
  }

  override close(taskId: string): void {
    this.inner.close(taskId);
  }

  override closeAll(): void {
    this.inner.closeAll();
  }
}

import type { StoredTaskEvent } from '@agent-harness/queue';
import type { Observable } from 'rxjs';

/**
 * The port live task events travel through, after they are stored: in-process today
 * (`TaskEventsHub`), PostgreSQL LISTEN/NOTIFY when several servers share a database.
 * @public
 */
export abstract class TaskEventBus {
  /** Delivers a stored event to the task's watchers. */
  abstract publish(event: StoredTaskEvent): void;
  /** Live events of a task from now on; completes when the task's stream is closed. */
  abstract watch(taskId: string): Observable<StoredTaskEvent>;
  /** Live events of every task from now on, in the order published; completes on `closeAll`. */
  abstract watchAll(): Observable<StoredTaskEvent>;
  /** Ends every watch of a task (it reached a terminal status). */
  abstract close(taskId: string): void;
  abstract closeAll(): void;
}

import type { StoredTaskEvent } from '@agent-harness/queue';
import { Observable, Subject } from 'rxjs';
import { TaskEventBus } from './task-event-bus.js';

/**
 * Live fan-out of stored task events to any number of watchers. Events are published after they
 * are stored, in `seq` order, so a watcher can replay the store and then follow live without gaps.
 */
export class TaskEventsHub extends TaskEventBus {
  private readonly subjects = new Map<string, Subject<StoredTaskEvent>>();
  /** Every task's events (a dashboard's live table); replaced, not reused, after `closeAll`. */
  private everyTask = new Subject<StoredTaskEvent>();

  override publish(event: StoredTaskEvent): void {
    this.subjects.get(event.taskId)?.next(event);
    this.everyTask.next(event);
  }

  /** Whether anyone follows this task's events (its own watchers, or a watcher of every task). */
  hasWatchers(taskId: string): boolean {
    return this.everyTask.observed || this.subjects.get(taskId)?.observed === true;
  }

  override watchAll(): Observable<StoredTaskEvent> {
    // Deferred: a watch opened after `closeAll` follows the new subject, not the completed one.
    return new Observable<StoredTaskEvent>((subscriber) => this.everyTask.subscribe(subscriber));
  }

  /** Live events of a task from now on; completes after its `end` event. */
  override watch(taskId: string): Observable<StoredTaskEvent> {
    return new Observable<StoredTaskEvent>((subscriber) => {
      let subject = this.subjects.get(taskId);
      if (subject === undefined) {
        subject = new Subject<StoredTaskEvent>();
        this.subjects.set(taskId, subject);
      }
      const subscription = subject.subscribe(subscriber);
      return () => {
        subscription.unsubscribe();
        if (!subject.observed) this.subjects.delete(taskId);
      };
    });
  }

  /** Ends every watch of a task (it reached a terminal status). */
  override close(taskId: string): void {
    const subject = this.subjects.get(taskId);
    this.subjects.delete(taskId);
    subject?.complete();
  }

  override closeAll(): void {
    for (const id of [...this.subjects.keys()]) this.close(id);
    const everyTask = this.everyTask;
    this.everyTask = new Subject<StoredTaskEvent>();
    everyTask.complete();
  }
}

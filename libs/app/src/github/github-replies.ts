import { parseRepoName, type GitHubClient, type GitHubIntakeStore } from '@agent-harness/github';
import { isTerminal, type Task, type TaskOrigin, type TaskRepository } from '@agent-harness/queue';
import { watchTaskEnd, type TaskEndWatcher, type TaskEventsWatch } from '../tasks/task-end-watch.js';

/** Posting attempts per reply before it is given up. */
const MAX_ATTEMPTS = 5;
/** Replies looked at by `reconcile`. */
const RECONCILE_LIMIT = 1000;
/** The most of a task's error quoted in its outcome reply. */
const MAX_ERROR_CHARS = 600;
/**
 * "Already working on it" replies: at most one per task in this long, so a burst of deliveries
 * (or of mentions) asking for the same work gets one answer, not one each.
 */
const EXISTING_REPLY_EVERY_MS = 10 * 60_000;

/** @public */
export interface GitHubRepliesDeps {
  readonly store: GitHubIntakeStore;
  readonly tasks: TaskRepository;
  /** Absent without a token: nothing is posted (and nothing is owed). */
  readonly github?: Pick<GitHubClient, 'comment'> | undefined;
  /**
   * A task's events from now until its `end`, which an ended task gives at once (the engine's
   * `follow(taskId, 'now')`).
   */
  readonly follow: (taskId: string) => TaskEventsWatch;
  /** `[server] public_url`: replies link `PUBLIC_URL/tasks/ID`. */
  readonly publicUrl?: string | undefined;
  readonly now: () => Date;
  /** Applied to every text from a task before it is posted. */
  readonly redact: (text: string) => string;
  readonly logger?: { log(message: string): void; error(message: string): void } | undefined;
}

function message(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/**
 * Replies on GitHub for tasks that came from there (their `origin`): "queued" when the task is
 * taken, the outcome when it ends. What is owed is stored first, so a restart finds a reply not yet
 * posted (`reconcile`) and posts it; a reply that keeps failing is given up after a few attempts.
 * Replies quote nothing that could read as a new `@harness` request outside a quote.
 * @public
 */
export class GitHubReplies {
  private readonly watches = new Map<string, { unsubscribe(): void }>();
  /** Tasks whose outcome is being posted, so two ends never post twice. */
  private readonly settling = new Map<string, Promise<void>>();
  /** "Queued" replies being posted: an outcome waits for its task's, so they read in order. */
  private readonly starts = new Map<string, Promise<void>>();
  private readonly pending = new Set<Promise<unknown>>();
  /** When each task's last "already working on it" reply went out (see `existing`). */
  private readonly existingRepliedAt = new Map<string, number>();
  private closed = false;
  private readonly endWatcher: TaskEndWatcher = {
    watches: this.watches,
    closed: () => this.closed,
    follow: (taskId) => this.deps.follow(taskId),
  };

  constructor(private readonly deps: GitHubRepliesDeps) {}

  /** Owes replies for a task just queued from GitHub: "queued" now (in the background), the outcome at its end. */
  async track(task: Task): Promise<void> {
    if (task.origin === undefined || this.deps.github === undefined || this.closed) return;
    await this.deps.store.addReply(task.id, this.deps.now().toISOString());
    const start = this.postStart(task).finally(() => this.starts.delete(task.id));
    this.starts.set(task.id, start);
    void this.tracked(start);
    this.watch(task.id);
  }

  /**
   * Answers a request from GitHub (`origin`) for work an unfinished task already does: a reply
   * naming that task and its link, in the background, at most one per task every ten minutes.
   * Nothing is owed or stored: the task's own replies tell its outcome.
   */
  existing(task: Task, origin: TaskOrigin): void {
    const repo = parseRepoName(origin.repo);
    const github = this.deps.github;
    if (repo === undefined || github === undefined || this.closed) return;
    const now = this.deps.now().getTime();
    for (const [id, at] of this.existingRepliedAt)
      if (now - at >= EXISTING_REPLY_EVERY_MS) this.existingRepliedAt.delete(id);
    if (this.existingRepliedAt.has(task.id)) return;
    this.existingRepliedAt.set(task.id, now);
    const asked = origin.actor === undefined ? '' : ` (asked by ${origin.actor})`;
    const body = [
      `Harness is already working on this${asked}: task \`${task.id}\` (${task.status}). Nothing new was queued.`,
      '',
      `Follow it: ${this.link(task.id)}`,
    ].join('\n');
    void this.tracked(
      github.comment(repo, origin.number, body).catch((error: unknown) => {
        this.deps.logger?.error(
          `github: could not reply on ${origin.repo}#${String(origin.number)} about task ${task.id}: ${this.deps.redact(message(error))}`,
        );
      }),
    );
  }

  /**
   * At start: posts what a previous run still owed, and watches the tasks still going. `close`
   * waits for it, and stops it between replies.
   */
  reconcile(): Promise<{ posted: number; watching: number }> {
    return this.tracked(this.reconcileNow());
  }

  private async reconcileNow(): Promise<{ posted: number; watching: number }> {
    if (this.deps.github === undefined) return { posted: 0, watching: 0 };
    let posted = 0;
    for (const reply of await this.deps.store.pendingReplies(MAX_ATTEMPTS, RECONCILE_LIMIT)) {
      if (this.closed) break;
      const task = await this.deps.tasks.get(reply.taskId);
      if (task === undefined) {
        await this.deps.store.replyFailed(reply.taskId, 'the task no longer exists');
        continue;
      }
      if (isTerminal(task.status)) {
        if (await this.settle(task.id)) posted += 1;
        continue;
      }
      if (reply.startPostedAt === undefined) await this.postStart(task);
      this.watch(task.id);
    }
    return { posted, watching: this.watches.size };
  }

  /** Ends every watch and waits for replies being posted (before the engine and database close). */
  async close(): Promise<void> {
    this.closed = true;
    for (const subscription of this.watches.values()) subscription.unsubscribe();
    this.watches.clear();
    await Promise.allSettled([...this.pending]);
  }

  private link(taskId: string): string {
    return this.deps.publicUrl === undefined ? `task \`${taskId}\`` : `${this.deps.publicUrl}/tasks/${taskId}`;
  }

  private async post(task: Task, which: 'start' | 'outcome', body: string): Promise<boolean> {
    const origin = task.origin;
    const repo = origin === undefined ? undefined : parseRepoName(origin.repo);
    const github = this.deps.github;
    if (origin === undefined || repo === undefined || github === undefined) return false;
    try {
      await github.comment(repo, origin.number, body);
      await this.deps.store.markReplyPosted(task.id, which, this.deps.now().toISOString());
      return true;
    } catch (error) {
      const why = this.deps.redact(message(error));
      this.deps.logger?.error(
        `github: could not reply on ${origin.repo}#${String(origin.number)} for task ${task.id}: ${why}`,
      );
      await this.deps.store.replyFailed(task.id, why).catch(() => undefined);
      return false;
    }
  }

  private async postStart(task: Task): Promise<void> {
    const what = task.kind === 'issue' ? 'this issue' : 'this pull request';
    const asked = task.origin?.actor === undefined ? '' : ` (asked by ${task.origin.actor})`;
    await this.post(
      task,
      'start',
      [`Harness queued task \`${task.id}\` for ${what}${asked}.`, '', `Follow it: ${this.link(task.id)}`].join('\n'),
    );
  }

  /** Posts the outcome of an ended task once; true when it was posted now. */
  private settle(taskId: string): Promise<boolean> {
    const running = this.settling.get(taskId);
    if (running !== undefined) return running.then(() => false);
    const result = { posted: false };
    const work = (async () => {
      await this.starts.get(taskId);
      const reply = await this.deps.store.getReply(taskId);
      if (reply === undefined || reply.outcomePostedAt !== undefined || reply.attempts >= MAX_ATTEMPTS) return;
      const task = await this.deps.tasks.get(taskId);
      // Not ended: the engine stopped; the next start finds it again.
      if (task === undefined || !isTerminal(task.status)) return;
      result.posted = await this.post(task, 'outcome', this.outcome(task));
    })()
      .catch((error: unknown) => {
        this.deps.logger?.error(`github: could not settle the reply of task ${taskId}: ${message(error)}`);
      })
      .finally(() => this.settling.delete(taskId));
    this.settling.set(taskId, work);
    return this.tracked(work).then(() => result.posted);
  }

  private outcome(task: Task): string {
    const head = `Harness task \`${task.id}\``;
    const lines: string[] = [];
    if (task.status === 'done') {
      const grade = task.grade === undefined ? '' : ` (grade ${task.grade})`;
      lines.push(
        task.prUrl === undefined
          ? `${head} is done${grade}.`
          : task.kind === 'pr'
            ? `${head} is done${grade}: the change is pushed to ${task.prUrl}.`
            : `${head} is done${grade}: pull request ${task.prUrl}.`,
      );
    } else if (task.status === 'cancelled') {
      lines.push(`${head} was cancelled.`);
    } else {
      lines.push(`${head} failed${task.failureClass === undefined ? '' : ` (${task.failureClass})`}.`);
      const error = this.deps
        .redact(task.error ?? '')
        .slice(0, MAX_ERROR_CHARS)
        .trim();
      // Quoted, so nothing in it reads as a request to Harness.
      if (error !== '') lines.push('', ...error.split(/\r?\n/).map((line) => `> ${line}`));
    }
    lines.push('', `Details: ${this.link(task.id)}`);
    return lines.join('\n');
  }

  /** Follows a task's events; when they end (after its `end`), its outcome is posted. */
  private watch(taskId: string): void {
    watchTaskEnd(this.endWatcher, taskId, () => {
      void this.settle(taskId);
    });
  }

  private tracked<T>(work: Promise<T>): Promise<T> {
    this.pending.add(work);
    void work.then(
      () => this.pending.delete(work),
      () => this.pending.delete(work),
    );
    return work;
  }
}

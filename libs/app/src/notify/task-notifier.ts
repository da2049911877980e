import { createHmac, randomUUID } from 'node:crypto';
import { HARNESS_VERSION, type NotifyConfig, type NotifyEvent } from '@agent-harness/core';
import type { StoredTaskEvent, Task, TaskRepository } from '@agent-harness/queue';

/** Waits before each retry of a delivery that failed for a reason that may pass (network, 5xx, 408, 429). */
export const NOTIFY_RETRY_DELAYS_MS: readonly number[] = [1000, 5000, 30_000, 120_000, 600_000];
/** One attempt's limit: an endpoint that hangs is an endpoint that failed. */
const ATTEMPT_TIMEOUT_MS = 10_000;
/** How long `close` lets deliveries under way finish before it aborts them. */
const CLOSE_GRACE_MS = 5000;
/** The longest title a notification shows. */
const MAX_TITLE_CHARS = 120;

/** What one attempt answered: an HTTP status, or why there was none. */
type Attempt = { readonly status: number } | { readonly error: string };

/** Posts a body; the default is `fetch`, redirects not followed (a webhook URL is its final address). */
export type NotifyPost = (
  url: string,
  init: { headers: Record<string, string>; body: string; signal: AbortSignal },
) => Promise<{ status: number }>;

const fetchPost: NotifyPost = async (url, init) => {
  const response = await fetch(url, { method: 'POST', redirect: 'manual', ...init });
  await response.body?.cancel();
  return { status: response.status };
};

/** @public */
export interface TaskNotifierDeps {
  readonly endpoints: readonly NotifyConfig[];
  readonly tasks: Pick<TaskRepository, 'get'>;
  /** `[server] public_url`: a notification links the task's page there. */
  readonly publicUrl?: string | undefined;
  /** Hides secret values in the task text a notification carries. */
  readonly redact: (text: string) => string;
  readonly logger?: { log(message: string): void; error(message: string): void } | undefined;
  readonly post?: NotifyPost | undefined;
  readonly retryDelaysMs?: readonly number[] | undefined;
  readonly now?: (() => Date) | undefined;
}

/** The events a finished task is, most specific first: a task its spend limit stopped is `budget_reached`, then `failed`. */
export function notifyEventsOf(task: Task): NotifyEvent[] {
  if (task.status === 'done') return ['done'];
  if (task.status === 'cancelled') return ['cancelled'];
  if (task.status === 'failed') return task.failureClass === 'budget' ? ['budget_reached', 'failed'] : ['failed'];
  return [];
}

/** What a status event is news of besides the end: a hold for approval, a CI fixed. */
export function statusNews(data: unknown): NotifyEvent[] {
  const move = data as { readonly to?: unknown; readonly ci_fixed?: unknown } | null;
  if (move === null || typeof move !== 'object') return [];
  return [
    ...(move.ci_fixed === true ? (['ci_fixed'] as const) : []),
    ...(move.to === 'awaiting_approval' ? (['awaiting_approval'] as const) : []),
  ];
}

/**
 * A task's one-line title: its description, else the first line of its prompt, else its issue or
 * PR. Redacted whole before it is cut: a secret split by the cut or by a line would no longer match.
 */
function titleOf(task: Task, redact: (text: string) => string): string {
  const description = task.description === undefined ? undefined : redact(task.description);
  const prompt = task.prompt === undefined ? undefined : redact(task.prompt);
  const text =
    description ??
    prompt?.split('\n').find((line) => line.trim() !== '') ??
    (task.issue !== undefined ? `issue #${String(task.issue)}` : `PR #${String(task.pr ?? '?')}`);
  const line = text.replace(/\s+/g, ' ').trim();
  return line.length > MAX_TITLE_CHARS ? `${line.slice(0, MAX_TITLE_CHARS - 1)}…` : line;
}

/** Text for Slack's mrkdwn: `&`, `<` and `>` escaped, so task text can neither link nor mention (`<!channel>`). */
const slackText = (text: string): string => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

/** The body an endpoint gets, in its format. Task text is redacted: an error may quote a command's output. */
export function notificationBody(
  format: NotifyConfig['format'],
  event: NotifyEvent,
  task: Task,
  context: { readonly delivery: string; readonly sentAt: string; readonly publicUrl?: string | undefined },
  redact: (text: string) => string,
): string {
  const url = context.publicUrl === undefined ? undefined : `${context.publicUrl}/tasks/${task.id}`;
  const error = task.error === undefined ? undefined : redact(task.error);
  if (format === 'slack') {
    const lines = [
      `Harness task ${task.id.slice(0, 8)} (${slackText(task.project)}) ${event.replace('_', ' ')}: ${slackText(titleOf(task, redact))}`,
      ...(task.prUrl === undefined ? [] : [`PR: ${slackText(task.prUrl)}`]),
      ...(error === undefined ? [] : [`Error: ${slackText(error)}`]),
      ...(url === undefined ? [] : [`Task: ${slackText(url)}`]),
    ];
    return JSON.stringify({ text: lines.join('\n') });
  }
  return JSON.stringify({
    event,
    delivery: context.delivery,
    sent_at: context.sentAt,
    task: {
      id: task.id,
      project: task.project,
      kind: task.kind,
      status: task.status,
      title: titleOf(task, redact),
      issue: task.issue ?? null,
      pr: task.pr ?? null,
      branch: task.branch ?? null,
      commit: task.commit ?? null,
      pr_url: task.prUrl ?? null,
      grade: task.grade ?? null,
      cost_usd: task.costUsd ?? null,
      error: error ?? null,
      failure_class: task.failureClass ?? null,
      approval: task.status === 'awaiting_approval' ? (task.loop?.approval?.stage ?? null) : null,
      created_at: task.createdAt,
      finished_at: task.finishedAt ?? null,
      url: url ?? null,
    },
  });
}

/** `sha256=<hex>` of the body under the endpoint's secret: what `X-Harness-Signature-256` carries. */
export function notificationSignature(secret: string, body: string): string {
  return `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`;
}

/**
 * Tells the `[[notify]]` endpoints when a task ends. It hears the end events this server stored
 * (`notifyingEventBus`), so in a fleet each end is told once, by the server that wrote it. Each
 * delivery runs in the background: a slow or failing endpoint never holds up a task. A delivery
 * that fails for a reason that may pass is retried with back-off; one the endpoint refuses (another
 * 4xx, a redirect) is not. Logs name an endpoint by its place (`notify[0]`), never its URL, which
 * may be its credential.
 */
export class TaskNotifier {
  private readonly under = new Set<Promise<void>>();
  private readonly timers = new Set<NodeJS.Timeout>();
  private readonly aborts = new Set<AbortController>();
  private closed = false;

  constructor(private readonly deps: TaskNotifierDeps) {}

  /**
   * An event stored by this server: a task's `end` (done, failed, cancelled, budget reached), or a
   * status move that is news before the end: held for a person's approval, CI green after a fix.
   */
  taskEvent(event: StoredTaskEvent): void {
    if (this.closed || this.deps.endpoints.length === 0) return;
    if (event.kind === 'end') this.track(this.notify(event.taskId, notifyEventsOf));
    else if (event.kind === 'status')
      for (const told of statusNews(event.data)) this.track(this.notify(event.taskId, () => [told]));
  }

  /** Resolves when every delivery under way (not the retries waiting) has been tried; for tests. */
  async settled(): Promise<void> {
    while (this.under.size > 0) await Promise.allSettled([...this.under]);
  }

  /** Drops the retries still waiting; deliveries under way get a few seconds, then are aborted. */
  async close(): Promise<void> {
    this.closed = true;
    for (const timer of this.timers) clearTimeout(timer);
    if (this.timers.size > 0)
      this.deps.logger?.error(`notify: ${String(this.timers.size)} notification(s) not delivered: the server stopped`);
    this.timers.clear();
    const grace = new Promise<void>((resolve) => setTimeout(resolve, CLOSE_GRACE_MS).unref());
    await Promise.race([this.settled(), grace]);
    for (const abort of this.aborts) abort.abort();
    await this.settled();
  }

  private track(work: Promise<void>): void {
    const tracked = work
      .catch((error: unknown) => {
        this.deps.logger?.error(`notify: ${error instanceof Error ? error.message : String(error)}`);
      })
      .finally(() => this.under.delete(tracked));
    this.under.add(tracked);
  }

  private async notify(taskId: string, eventsOf: (task: Task) => NotifyEvent[]): Promise<void> {
    const task = await this.deps.tasks.get(taskId);
    if (task === undefined) return;
    const events = eventsOf(task);
    const now = this.deps.now ?? (() => new Date());
    for (const [index, endpoint] of this.deps.endpoints.entries()) {
      const event = events.find((e) => endpoint.events.includes(e));
      if (event === undefined) continue;
      const delivery = randomUUID();
      const body = notificationBody(
        endpoint.format,
        event,
        task,
        { delivery, sentAt: now().toISOString(), publicUrl: this.deps.publicUrl },
        this.deps.redact,
      );
      const headers: Record<string, string> = {
        'content-type': 'application/json',
        'user-agent': `Harness/${HARNESS_VERSION}`,
        'x-harness-event': event,
        'x-harness-delivery': delivery,
        ...(endpoint.secret === undefined
          ? {}
          : { 'x-harness-signature-256': notificationSignature(endpoint.secret, body) }),
      };
      const what = `notify[${String(index)}]: "${event}" of task ${task.id}`;
      this.track(this.deliver(endpoint.url, headers, body, what, 0));
    }
  }

  private async deliver(
    url: string,
    headers: Record<string, string>,
    body: string,
    what: string,
    attempt: number,
  ): Promise<void> {
    const answer = await this.attempt(url, headers, body);
    if ('status' in answer && answer.status >= 200 && answer.status < 300) {
      if (attempt > 0) this.deps.logger?.log(`${what} delivered after ${String(attempt + 1)} attempts`);
      return;
    }
    const why = 'status' in answer ? `HTTP ${String(answer.status)}` : answer.error;
    const passing = !('status' in answer) || answer.status >= 500 || answer.status === 408 || answer.status === 429;
    const delays = this.deps.retryDelaysMs ?? NOTIFY_RETRY_DELAYS_MS;
    const delay = delays[attempt];
    if (!passing || delay === undefined || this.closed) {
      this.deps.logger?.error(
        `${what} not delivered (${why}${passing ? `, after ${String(attempt + 1)} attempts` : ''})`,
      );
      return;
    }
    this.deps.logger?.error(`${what}: ${why}; retrying in ${String(Math.round(delay / 1000))} s`);
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      this.track(this.deliver(url, headers, body, what, attempt + 1));
    }, delay);
    timer.unref();
    this.timers.add(timer);
  }

  private async attempt(url: string, headers: Record<string, string>, body: string): Promise<Attempt> {
    const abort = new AbortController();
    this.aborts.add(abort);
    try {
      const signal = AbortSignal.any([abort.signal, AbortSignal.timeout(ATTEMPT_TIMEOUT_MS)]);
      return await (this.deps.post ?? fetchPost)(url, { headers, body, signal });
    } catch (error) {
      // fetch's own message may quote the URL: only the kind of failure is said.
      if (error instanceof Error && error.name === 'TimeoutError') return { error: 'timed out' };
      const code = (error as { cause?: { code?: unknown } }).cause?.code;
      return { error: typeof code === 'string' ? `unreachable (${code})` : 'unreachable' };
    } finally {
      this.aborts.delete(abort);
    }
  }
}

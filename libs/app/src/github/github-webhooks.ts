import { AppError } from '@agent-harness/core';
import {
  closedHarnessPullRequest,
  mapWebhookEvent,
  type ClosedHarnessPullRequest,
  type GitHubClient,
  parseRepoName,
  pullRequestSignal,
  verifyWebhookSignature,
  type ActorCheck,
  type GitHubIntakeStore,
  type GitHubIntent,
} from '@agent-harness/github';
import type { TelemetrySink } from '@agent-harness/observe';
import type { PullRequestLoop, TaskEngine } from '@agent-harness/pipeline';
import type { ProjectCatalog, TaskOrigin } from '@agent-harness/queue';
import type { GitHubReplies } from './github-replies.js';
import { taskRequestForIntent } from './github-task-requests.js';
import { projectForRepository } from './repository-projects.js';

/** One webhook request as received: its headers (unchecked) and its body as sent. @public */
export interface WebhookDelivery {
  /** `X-GitHub-Event`. */
  readonly event: unknown;
  /** `X-GitHub-Delivery`. */
  readonly deliveryId: unknown;
  /** `X-Hub-Signature-256`. */
  readonly signature: unknown;
  /** The raw body, exactly as signed. */
  readonly body: string;
}

/** What became of a delivery that was verified. @public */
export type WebhookResult =
  | { readonly status: 'accepted'; readonly taskId: string; readonly reason: string }
  /** The issue or pull request already has an unfinished task: that one, and nothing was queued. */
  | { readonly status: 'existing'; readonly taskId: string; readonly reason: string }
  /** Done without a task: a closed Harness pull request's branch deleted. */
  | { readonly status: 'handled'; readonly reason: string }
  | { readonly status: 'ignored'; readonly reason: string; readonly taskId?: string | undefined };

/** @public */
export interface GitHubWebhooksDeps {
  /** `[server] github_webhook_secret`; without it no delivery is accepted. */
  readonly secret: string | undefined;
  readonly store: GitHubIntakeStore;
  readonly engine: Pick<TaskEngine, 'admit'>;
  readonly projects: ProjectCatalog;
  readonly originUrl: (root: string) => Promise<string | undefined>;
  readonly actors: ActorCheck;
  readonly replies: Pick<GitHubReplies, 'track' | 'existing'>;
  readonly telemetry?: TelemetrySink | undefined;
  readonly now: () => Date;
  readonly logger?: { log(message: string): void; error(message: string): void } | undefined;
  /**
   * `[github] delete_merged_branches`: deletes the branch of a Harness pull request once it is
   * merged or closed; off, or without a GitHub client, such deliveries are ignored.
   */
  readonly deleteMergedBranches?: Pick<GitHubClient, 'deleteBranch'> | undefined;
  /**
   * The loop after Harness's pull requests open: told of CI and review deliveries (it looks at the
   * tasks they name at once), and the way `@harness approve` / `reject` decide a held task.
   */
  readonly loop?: Pick<PullRequestLoop, 'nudge' | 'waitingOn' | 'approve' | 'reject'> | undefined;
}

/** GitHub's delivery ids are GUIDs; anything else is refused before it is stored. */
const DELIVERY_ID = /^[A-Za-z0-9-]{1,64}$/;
/** Delivery ids are kept this long for dedupe (GitHub redelivers for a few days at most). */
const DELIVERY_RETENTION_MS = 14 * 86_400_000;
const PRUNE_EVERY_MS = 3_600_000;
const REFUSAL_REPORT_MS = 60_000;
const EVENT_NAME = /^[a-z_]{1,64}$/;
/** The telemetry kind of every webhook outcome: `detail` is accepted, existing, ignored or refused. */
export const GITHUB_WEBHOOK_HOOK = 'github_webhook';

/**
 * `POST /webhook`: verifies a delivery's signature over its raw body (fail closed), takes each
 * delivery id once, maps the event to an intent, picks the project by the event's repository,
 * checks the actor, and queues the task without waiting for it (or, when the issue or pull request
 * already has an unfinished task, answers with that one); replies follow on GitHub. Every
 * refusal and every ignore is a telemetry event.
 * @public
 */
export class GitHubWebhooks {
  private prunedAt = 0;
  /** Refusals since the last one reported: anyone can send them, so they are reported at most once a minute. */
  private refusals = { count: 0, reportedAt: Number.NEGATIVE_INFINITY };

  constructor(private readonly deps: GitHubWebhooksDeps) {}

  /** False without a secret: the route answers 404 and accepts nothing. */
  get enabled(): boolean {
    return this.deps.secret !== undefined && this.deps.secret !== '';
  }

  /**
   * The outcome of a delivery. Throws NOT_FOUND without a secret, UNAUTHORIZED for a missing or
   * wrong signature (nothing is stored or queued), INVALID_ARGUMENT for a malformed delivery id or
   * body, and the engine's errors (QUEUE_FULL…) when the task cannot be queued; the delivery is
   * then forgotten, so GitHub's redelivery is taken.
   */
  async receive(delivery: WebhookDelivery): Promise<WebhookResult> {
    if (!this.enabled)
      throw new AppError(
        'NOT_FOUND',
        'GitHub webhooks are off: set [server] github_webhook_secret or HARNESS_GITHUB_WEBHOOK_SECRET',
      );
    const event = typeof delivery.event === 'string' && EVENT_NAME.test(delivery.event) ? delivery.event : undefined;
    if (!(await verifyWebhookSignature(this.deps.secret, delivery.body, delivery.signature))) {
      const reason = 'missing or invalid X-Hub-Signature-256';
      this.refused(reason, event);
      throw new AppError('UNAUTHORIZED', `webhook: ${reason}`);
    }
    const deliveryId = delivery.deliveryId;
    if (typeof deliveryId !== 'string' || !DELIVERY_ID.test(deliveryId))
      throw new AppError('INVALID_ARGUMENT', 'X-GitHub-Delivery: missing or malformed');
    let payload: unknown;
    try {
      payload = JSON.parse(delivery.body);
    } catch {
      throw new AppError('INVALID_ARGUMENT', 'webhook: the body is not JSON');
    }
    await this.prune();
    this.tellLoop(delivery.event, payload);
    const closed = closedHarnessPullRequest(delivery.event, payload);
    if (closed !== undefined) return this.closedPullRequest(closed, event ?? '', deliveryId);
    const mapped = mapWebhookEvent(delivery.event, payload);
    if (!mapped.ok) return this.ignored(mapped.reason, { event, deliveryId });
    const { intent } = mapped;
    const isNew = await this.deps.store.claimDelivery({
      id: deliveryId,
      event: event ?? '',
      receivedAt: this.deps.now().toISOString(),
    });
    if (!isNew) {
      const first = await this.deps.store.getDelivery(deliveryId);
      return this.ignored(`delivery ${deliveryId} was already taken`, { event, deliveryId }, first?.taskId);
    }
    try {
      return await this.admit(intent, event ?? '', deliveryId);
    } catch (error) {
      await this.deps.store.releaseDelivery(deliveryId).catch(() => undefined);
      throw error;
    }
  }

  private async admit(intent: GitHubIntent, event: string, deliveryId: string): Promise<WebhookResult> {
    const where = { event, deliveryId };
    const project = await projectForRepository(this.deps.projects, intent.repo, this.deps.originUrl);
    if (project === undefined) return this.ignored(`no active project has repository ${intent.repo}`, where);
    const repo = parseRepoName(intent.repo);
    if (repo === undefined) return this.ignored(`malformed repository ${intent.repo}`, where);
    const decision = await this.deps.actors.check(repo, intent.actor);
    if (!decision.allowed)
      return this.ignored(`${intent.action} on ${intent.repo}#${String(intent.number)}: ${decision.reason}`, {
        ...where,
        project: project.name,
      });
    const decided = await this.answeredByLoop(intent, where, project.name);
    if (decided !== undefined) return decided;
    const origin: TaskOrigin = {
      source: 'github',
      via: 'webhook',
      repo: intent.repo,
      number: intent.number,
      actor: intent.actor.login,
      deliveryId,
    };
    const { task, existing } = await this.deps.engine.admit(taskRequestForIntent(intent, project.name, origin));
    await this.deps.store.setDeliveryTask(deliveryId, task.id);
    if (existing) {
      // One task per piece of work: the asker hears which task already does it.
      this.deps.replies.existing(task, origin);
      const reason = `${intent.action} on ${intent.repo}#${String(intent.number)} by ${intent.actor.login}: task ${task.id} already works on it (${task.status})`;
      this.emit('existing', 'pass', reason, { ...where, project: project.name, taskId: task.id });
      this.deps.logger?.log(`github: delivery ${deliveryId}: ${reason}`);
      return { status: 'existing', taskId: task.id, reason };
    }
    try {
      await this.deps.replies.track(task);
    } catch (error) {
      this.deps.logger?.error(
        `github: task ${task.id} is queued, but its replies are not tracked: ${error instanceof Error ? error.message : String(error)}`,
      );
    }
    const reason = `${intent.action} on ${intent.repo}#${String(intent.number)} by ${intent.actor.login} (${decision.why})`;
    this.emit('accepted', 'complete', reason, { ...where, project: project.name, taskId: task.id });
    this.deps.logger?.log(`github: delivery ${deliveryId}: queued task ${task.id} for ${reason}`);
    return { status: 'accepted', taskId: task.id, reason };
  }

  /**
   * A delivery about CI or reviews (or a push, or a close) of a pull request: the loop looks at the
   * tasks waiting on it now. In the background: GitHub wants its answer within seconds.
   */
  private tellLoop(event: unknown, payload: unknown): void {
    const signal = pullRequestSignal(event, payload);
    const loop = this.deps.loop;
    if (signal === undefined || loop === undefined) return;
    void loop.nudge(signal.repo, signal).catch((error: unknown) => {
      this.deps.logger?.error(`github: ${signal.repo}: ${error instanceof Error ? error.message : String(error)}`);
    });
  }

  /**
   * What the loop answers instead of a new task: `@harness approve` / `reject` decide the task held
   * on that issue or pull request; requested changes and `fix ci` on a pull request whose task waits
   * on it are that task's to answer (its loop runs the round), not a second task's.
   */
  private async answeredByLoop(
    intent: GitHubIntent,
    where: { readonly event: string; readonly deliveryId: string },
    project: string,
  ): Promise<WebhookResult | undefined> {
    const loop = this.deps.loop;
    const deciding = intent.action === 'approve' || intent.action === 'reject';
    if (loop === undefined) return deciding ? this.ignored('no approvals here', { ...where, project }) : undefined;
    if (!deciding && intent.action !== 'pr_changes_requested' && intent.action !== 'pr_fix_ci') return undefined;
    const task = await loop.waitingOn(intent.repo, intent.number);
    const what = `${intent.action} on ${intent.repo}#${String(intent.number)} by ${intent.actor.login}`;
    if (!deciding)
      return task === undefined
        ? undefined
        : this.ignored(
            `${what}: task ${task.id} waits on this pull request and answers it`,
            { ...where, project },
            task.id,
          );
    if (task?.status !== 'awaiting_approval')
      return this.ignored(`${what}: no task is awaiting approval there`, { ...where, project });
    const by = `@${intent.actor.login} on GitHub`;
    if (intent.action === 'approve') await loop.approve(task.id, by);
    else await loop.reject(task.id, by, intent.text);
    const reason = `${what}: task ${task.id} ${intent.action === 'approve' ? 'approved' : 'rejected'}`;
    this.emit('accepted', 'complete', reason, { ...where, project, taskId: task.id });
    this.deps.logger?.log(`github: delivery ${where.deliveryId}: ${reason}`);
    return { status: 'handled', reason };
  }

  /**
   * A Harness pull request was merged or closed: its branch goes from GitHub (the PR keeps its
   * commits, and GitHub can restore the branch), so branches do not pile up one per task. Who closed
   * it does not matter: the signature says GitHub sent it, and only `harness/` branches of the same
   * repository, on a configured project, are touched. Each delivery once.
   */
  private async closedPullRequest(
    closed: ClosedHarnessPullRequest,
    event: string,
    deliveryId: string,
  ): Promise<WebhookResult> {
    const where = { event, deliveryId };
    const what = `pull request ${closed.repo}#${String(closed.number)} (${closed.branch}) was ${closed.merged ? 'merged' : 'closed'}`;
    const github = this.deps.deleteMergedBranches;
    if (github === undefined) return this.ignored(`${what}; [github] delete_merged_branches is off`, where);
    const project = await projectForRepository(this.deps.projects, closed.repo, this.deps.originUrl);
    const repo = parseRepoName(closed.repo);
    if (project === undefined || repo === undefined)
      return this.ignored(`${what}; no active project has repository ${closed.repo}`, where);
    const isNew = await this.deps.store.claimDelivery({
      id: deliveryId,
      event,
      receivedAt: this.deps.now().toISOString(),
    });
    if (!isNew) return this.ignored(`delivery ${deliveryId} was already taken`, where);
    let deleted: boolean;
    try {
      deleted = await github.deleteBranch(repo, closed.branch);
    } catch (error) {
      await this.deps.store.releaseDelivery(deliveryId).catch(() => undefined);
      throw error;
    }
    const reason = `${what}: ${deleted ? 'deleted its branch' : 'its branch was already gone'}`;
    this.emit('handled', 'complete', reason, { ...where, project: project.name });
    this.deps.logger?.log(`github: delivery ${deliveryId}: ${reason}`);
    return { status: 'handled', reason };
  }

  private refused(reason: string, event: string | undefined): void {
    this.refusals.count += 1;
    const now = this.deps.now().getTime();
    if (now - this.refusals.reportedAt < REFUSAL_REPORT_MS) return;
    const count = this.refusals.count;
    this.refusals = { count: 0, reportedAt: now };
    const text = count === 1 ? reason : `${reason} (${String(count)} deliveries refused since the last report)`;
    this.emit('refused', 'warn', text, { event });
    this.deps.logger?.error(`github: webhook refused: ${text}`);
  }

  private ignored(
    reason: string,
    where: { event?: string | undefined; deliveryId: string; project?: string | undefined },
    taskId?: string,
  ): WebhookResult {
    this.emit('ignored', 'pass', reason, { ...where, taskId });
    this.deps.logger?.log(`github: delivery ${where.deliveryId} ignored: ${reason}`);
    return taskId === undefined ? { status: 'ignored', reason } : { status: 'ignored', reason, taskId };
  }

  private emit(
    outcome: 'accepted' | 'existing' | 'handled' | 'ignored' | 'refused',
    decision: 'complete' | 'pass' | 'warn',
    reason: string,
    where: {
      event?: string | undefined;
      deliveryId?: string | undefined;
      project?: string | undefined;
      taskId?: string | undefined;
    },
  ): void {
    this.deps.telemetry?.emit({
      hook: GITHUB_WEBHOOK_HOOK,
      decision,
      detail: outcome,
      reason,
      tool: where.event,
      sessionId: where.deliveryId,
      project: where.project,
      taskId: where.taskId,
    });
  }

  /** Forgets delivery ids older than the retention, at most hourly. */
  private async prune(): Promise<void> {
    const now = this.deps.now().getTime();
    if (now - this.prunedAt < PRUNE_EVERY_MS) return;
    this.prunedAt = now;
    try {
      await this.deps.store.pruneDeliveries(new Date(now - DELIVERY_RETENTION_MS).toISOString());
    } catch (error) {
      this.deps.logger?.error(
        `github: could not prune webhook deliveries: ${error instanceof Error ? error.message : String(error)}`,
      );
    }
  }
}

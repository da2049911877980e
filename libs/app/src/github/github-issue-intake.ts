import { AppError } from '@agent-harness/core';
import {
  parseRepoName,
  type ActorCheck,
  type GitHubClient,
  type GitHubIntakeStore,
  type IntakeIssueRecord,
  type OpenIssue,
  type RepoRef,
} from '@agent-harness/github';
import type { TelemetrySink } from '@agent-harness/observe';
import type { TaskEngine } from '@agent-harness/pipeline';
import type { Project, ProjectCatalog } from '@agent-harness/queue';
import type { JobOutcome, ScheduledJob } from '../jobs/job-runner.js';
import type { GitHubReplies } from './github-replies.js';
import { projectForRepository } from './repository-projects.js';

/** @public */
export interface GitHubIssueIntakeDeps {
  /** `[intake.github]` repos ("owner/name") and label. */
  readonly repos: readonly string[];
  readonly label: string;
  /** Absent without a token: nothing is polled. */
  readonly github?: Pick<GitHubClient, 'listOpenIssues' | 'labeledBy'> | undefined;
  readonly store: GitHubIntakeStore;
  readonly engine: Pick<TaskEngine, 'admit'>;
  readonly projects: ProjectCatalog;
  readonly originUrl: (root: string) => Promise<string | undefined>;
  readonly actors: ActorCheck;
  readonly replies: Pick<GitHubReplies, 'track'>;
  readonly telemetry?: TelemetrySink | undefined;
  readonly now: () => Date;
  readonly logger?: { log(message: string): void; error(message: string): void } | undefined;
}

/** The telemetry kind of the poller's outcomes per issue: `detail` is queued or ignored. */
export const GITHUB_INTAKE_HOOK = 'github_intake';
/** A claim older than this belongs to a poll that died (a crash between claim and queueing). */
const STALE_CLAIM_MS = 10 * 60_000;

function message(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** What one repository's poll did. */
interface RepoPoll {
  queued: number;
  ignored: number;
  open: number;
  queueFull: boolean;
  problems: string[];
}

/**
 * `[intake.github]`: open issues with the label become issue tasks, each once. What was taken is
 * stored per repository and number (a restart does not take it again); the account that applied
 * the label must be allowed (ActorCheck), and an issue refused for it is looked at again only once
 * it changes. A poll queues tasks and returns: it never waits for them.
 * @public
 */
export class GitHubIssueIntake {
  constructor(private readonly deps: GitHubIssueIntakeDeps) {}

  /** One poll of every configured repository; one repository's failure does not stop the others. */
  async poll(): Promise<JobOutcome> {
    const github = this.deps.github;
    if (github === undefined) return { summary: '', skipped: 'no GitHub token: set GITHUB_TOKEN' };
    if (this.deps.repos.length === 0) return { summary: '', skipped: 'no repository in [intake.github] repos' };
    const lines: string[] = [];
    const problems: string[] = [];
    for (const name of this.deps.repos) {
      try {
        const poll = await this.pollRepository(github, name);
        const full = poll.queueFull ? '; the queue is full, the rest wait for the next poll' : '';
        lines.push(
          `${name}: ${String(poll.queued)} queued, ${String(poll.ignored)} ignored of ${String(poll.open)} open${full}`,
        );
        problems.push(...poll.problems.map((p) => `${name}: ${p}`));
      } catch (error) {
        problems.push(`${name}: ${message(error)}`);
      }
    }
    // Every repository failing is the job failing.
    if (lines.length === 0) throw new Error(problems.join('; '));
    return { summary: lines.join('; '), problems };
  }

  private async pollRepository(github: NonNullable<GitHubIssueIntakeDeps['github']>, name: string): Promise<RepoPoll> {
    const ref = parseRepoName(name);
    if (ref === undefined) throw new AppError('INVALID_ARGUMENT', `"${name}" is not "owner/name"`);
    const project = await projectForRepository(this.deps.projects, name, this.deps.originUrl);
    if (project === undefined)
      throw new AppError('NOT_FOUND', `no active project has repository ${name} (set [[projects]] repo)`);
    const issues = await github.listOpenIssues(ref, this.deps.label);
    const key = name.toLowerCase();
    const known = new Map(
      (
        await this.deps.store.intakeIssues(
          key,
          issues.map((i) => i.number),
        )
      ).map((r) => [r.number, r]),
    );
    const poll: RepoPoll = { queued: 0, ignored: 0, open: issues.length, queueFull: false, problems: [] };
    for (const issue of issues) {
      if (!this.isDue(known.get(issue.number), issue)) continue;
      const now = this.deps.now();
      const claimed = await this.deps.store.claimIntakeIssue({
        repo: key,
        number: issue.number,
        issueUpdatedAt: issue.updatedAt,
        now: now.toISOString(),
        staleBefore: new Date(now.getTime() - STALE_CLAIM_MS).toISOString(),
      });
      if (!claimed) continue;
      try {
        const outcome = await this.take(github, ref, name, project, issue);
        if (outcome === 'queued') poll.queued += 1;
        else poll.ignored += 1;
      } catch (error) {
        // Not taken: the next poll tries again.
        await this.deps.store.releaseIntakeIssue(key, issue.number).catch(() => undefined);
        if (error instanceof AppError && error.code === 'QUEUE_FULL') {
          poll.queueFull = true;
          break;
        }
        poll.problems.push(`issue #${String(issue.number)}: ${message(error)}`);
      }
    }
    return poll;
  }

  /** New, or ignored and changed since, or claimed by a poll that died. */
  private isDue(record: IntakeIssueRecord | undefined, issue: OpenIssue): boolean {
    if (record === undefined) return true;
    if (record.state === 'ignored') return record.issueUpdatedAt !== issue.updatedAt;
    if (record.state === 'claimed') return Date.parse(record.updatedAt) < this.deps.now().getTime() - STALE_CLAIM_MS;
    return false;
  }

  private async take(
    github: NonNullable<GitHubIssueIntakeDeps['github']>,
    ref: RepoRef,
    name: string,
    project: Project,
    issue: OpenIssue,
  ): Promise<'queued' | 'ignored'> {
    const key = name.toLowerCase();
    const labeler = await github.labeledBy(ref, issue.number, this.deps.label);
    const decision =
      labeler === undefined
        ? { allowed: false as const, reason: `no event says who applied the label ${this.deps.label}` }
        : await this.deps.actors.check(ref, labeler);
    const at = `${name}#${String(issue.number)}`;
    if (!decision.allowed) {
      await this.deps.store.settleIntakeIssue(
        key,
        issue.number,
        { state: 'ignored', reason: decision.reason },
        this.deps.now().toISOString(),
      );
      this.emit('ignored', 'pass', `${at}: ${decision.reason}`, project.name);
      this.deps.logger?.log(`github intake: ${at} ignored: ${decision.reason}`);
      return 'ignored';
    }
    const { task, existing } = await this.deps.engine.admit({
      kind: 'issue',
      issue: issue.number,
      project: project.name,
      origin: { source: 'github', via: 'intake', repo: name, number: issue.number, actor: labeler?.login },
    });
    await this.deps.store.settleIntakeIssue(
      key,
      issue.number,
      { state: 'task', taskId: task.id },
      this.deps.now().toISOString(),
    );
    if (existing) {
      // A mention or an API client asked first: that task already does the issue, and replies.
      this.emit('queued', 'complete', `${at}: task ${task.id} already works on it`, project.name, task.id);
      this.deps.logger?.log(`github intake: ${at} already has task ${task.id} (${task.status})`);
      return 'queued';
    }
    try {
      await this.deps.replies.track(task);
    } catch (error) {
      this.deps.logger?.error(
        `github intake: task ${task.id} is queued, but its replies are not tracked: ${message(error)}`,
      );
    }
    this.emit('queued', 'complete', `${at}: ${decision.why}`, project.name, task.id);
    this.deps.logger?.log(`github intake: ${at} queued as task ${task.id}`);
    return 'queued';
  }

  private emit(
    detail: 'queued' | 'ignored',
    decision: 'complete' | 'pass',
    reason: string,
    project: string,
    taskId?: string,
  ): void {
    this.deps.telemetry?.emit({ hook: GITHUB_INTAKE_HOOK, decision, detail, reason, project, taskId });
  }
}

/** The `intake` scheduler job: one poll every `poll_interval_secs`, the first at start. @public */
export function intakeJob(intake: GitHubIssueIntake, pollIntervalSecs: number): ScheduledJob {
  const ms = Math.max(1000, pollIntervalSecs * 1000);
  return { name: 'intake', firstRun: 'now', intervalMs: () => Promise.resolve(ms), run: () => intake.poll() };
}

import type { HarnessConfig } from '@agent-harness/core';
import { ActorCheck, type GitHubClient, type GitHubIntakeStore } from '@agent-harness/github';
import type { TelemetrySink } from '@agent-harness/observe';
import type { TaskEngine } from '@agent-harness/pipeline';
import type { ProjectCatalog, TaskRepository } from '@agent-harness/queue';
import type { ScheduledJob } from '../jobs/job-runner.js';
import { GitHubIssueIntake, intakeJob } from './github-issue-intake.js';
import { GitHubReplies } from './github-replies.js';
import { GitHubWebhooks } from './github-webhooks.js';

/** Tasks from GitHub: webhooks, the issue poller, and the replies they owe. @public */
export interface GitHubIntake {
  readonly webhooks: GitHubWebhooks;
  readonly issues: GitHubIssueIntake;
  readonly replies: GitHubReplies;
  /** The `intake` scheduler job, when `[intake.github] enabled`. */
  readonly job: ScheduledJob | undefined;
  /** Posts the replies a previous run still owed (in the background) and follows the tasks still going. */
  start(): Promise<void>;
  /** Stops following tasks and waits for replies being posted. */
  close(): Promise<void>;
}

/** @public */
export interface GitHubIntakeDeps {
  readonly config: HarnessConfig;
  readonly store: GitHubIntakeStore;
  /** Absent without a token: the actor check falls back to `allowed_actors`, and nothing is posted. */
  readonly github?: GitHubClient | undefined;
  readonly engine: Pick<TaskEngine, 'admit' | 'follow' | 'pullRequests'>;
  readonly tasks: TaskRepository;
  readonly projects: ProjectCatalog;
  readonly originUrl: (root: string) => Promise<string | undefined>;
  readonly telemetry?: TelemetrySink | undefined;
  readonly redact: (text: string) => string;
  readonly now: () => Date;
  readonly logger?: { log(message: string): void; error(message: string): void } | undefined;
}

/** GitHub intake from the configuration. @public */
export function createGitHubIntake(deps: GitHubIntakeDeps): GitHubIntake {
  const { config, github } = deps;
  const actors = new ActorCheck({
    allowedActors: config.github.allowed_actors,
    allowBots: config.github.allow_bots,
    permissionOf: github === undefined ? undefined : (repo, login) => github.collaboratorPermission(repo, login),
    now: () => deps.now().getTime(),
  });
  const replies = new GitHubReplies({
    store: deps.store,
    tasks: deps.tasks,
    github,
    follow: (taskId) => deps.engine.follow(taskId, 'now'),
    publicUrl: config.server.public_url,
    now: deps.now,
    redact: deps.redact,
    logger: deps.logger,
  });
  const shared = {
    store: deps.store,
    engine: deps.engine,
    projects: deps.projects,
    originUrl: deps.originUrl,
    actors,
    replies,
    telemetry: deps.telemetry,
    now: deps.now,
    logger: deps.logger,
  };
  const webhooks = new GitHubWebhooks({
    ...shared,
    secret: config.server.github_webhook_secret,
    deleteMergedBranches: config.github.delete_merged_branches ? github : undefined,
    loop: deps.engine.pullRequests,
  });
  const intake = config.intake.github;
  const issues = new GitHubIssueIntake({ ...shared, repos: intake.repos, label: intake.label, github });
  return {
    webhooks,
    issues,
    replies,
    job: intake.enabled ? intakeJob(issues, intake.poll_interval_secs) : undefined,
    start: () => {
      // In the background: owed replies are paced comments, and never hold up (or fail) the start.
      void replies.reconcile().then(
        ({ posted }) => {
          if (posted > 0)
            deps.logger?.log(`github: posted ${String(posted)} outcome repl(ies) owed from before the restart`);
        },
        (error: unknown) => {
          deps.logger?.error(
            `github: could not post the replies owed: ${error instanceof Error ? error.message : String(error)}`,
          );
        },
      );
      return Promise.resolve();
    },
    close: () => replies.close(),
  };
}

import type { ApprovalStage, HarnessConfig } from '@agent-harness/core';
import { ActorCheck, type GitHubClient } from '@agent-harness/github';
import type { TaskEngineDeps } from '@agent-harness/pipeline';

/**
 * `[github]` and `[approvals]` as the engine takes them: the shape of the pull requests Harness
 * opens, CI watching (only with GitHub configured), the rounds and merges of the loop after it,
 * and the steps a person approves first (a project's own `approvals_before` replaces the global list).
 * People's reviews count when their author may start tasks (`[github] allowed_actors`, else write access).
 */
export function pullRequestSettings(
  config: HarnessConfig,
  github: GitHubClient | undefined,
  now: (() => Date) | undefined,
): NonNullable<TaskEngineDeps['pullRequests']> {
  const own = new Map(config.projects.map((p) => [p.name, p.approvals_before]));
  // The schema lets only the stages' names through.
  const approvalsBefore = (project: string) =>
    (own.get(project) ?? config.approvals.before) as readonly ApprovalStage[];
  const actors = new ActorCheck({
    allowedActors: config.github.allowed_actors,
    allowBots: config.github.allow_bots,
    permissionOf: github === undefined ? undefined : (repo, login) => github.collaboratorPermission(repo, login),
    now: () => (now ?? (() => new Date()))().getTime(),
  });
  const gh = config.github;
  return {
    draft: gh.draft,
    labels: gh.labels,
    reviewers: gh.reviewers,
    watchCi: gh.watch_ci && github !== undefined,
    approvalsBefore,
    loop: {
      autoMerge: gh.auto_merge,
      maxCiFixRounds: gh.max_ci_fix_rounds,
      maxFeedbackRounds: gh.max_feedback_rounds,
      noCi: gh.no_ci,
      noCiGraceMs: gh.no_ci_grace_secs * 1000,
      ciTimeoutMs: gh.ci_timeout_mins * 60_000,
      approvalsBefore,
      approvalTimeoutMs: config.approvals.timeout_hours * 3_600_000,
      onApprovalTimeout: config.approvals.on_timeout,
      pollMs: gh.ci_poll_interval_secs * 1000,
      deleteMergedBranches: gh.delete_merged_branches,
      actorAllowed: async (repo, login) =>
        (await actors.check(repo, { login, isBot: /\[bot\]$/i.test(login) })).allowed,
    },
  };
}

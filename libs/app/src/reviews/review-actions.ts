import type { HarnessConfig } from '@agent-harness/core';
import type { CreatedIssue, GitHubClient, RepoRef } from '@agent-harness/github';
import { projectRepository, type TaskEngine } from '@agent-harness/pipeline';
import { isTerminal, TASK_STATUSES, type Project, type TaskRepository } from '@agent-harness/queue';
import {
  REVIEW_ACT_LIMITS,
  REVIEW_FIX_DESCRIPTION,
  REVIEW_ISSUE_LABEL,
  findingIssue,
  findingsAtOrAbove,
  issueFingerprint,
  reviewFixPrompt,
  type ReviewActContext,
  type ReviewFinding,
} from '@agent-harness/review';

/** What acting on a review's findings did (`[review] act`). @public */
export interface ReviewActReport {
  readonly act: 'issues' | 'pr';
  /** Findings at `act_min_severity` or worse. */
  readonly qualifying: number;
  /** `issues`: the issues filed, by number. */
  readonly filed: readonly number[];
  /** `issues`: findings already in an open `harness-review` issue (or twice in this review). */
  readonly alreadyFiled: number;
  /** `issues`: findings not filed now (past the cap of 10 per review, or after GitHub failed), left for the next review. */
  readonly left: number;
  /** `pr`: the fix task queued, or the unfinished one of an earlier review that kept another from being queued. */
  readonly taskId?: string | undefined;
  /** Why it did less than asked: no token, no repository, a GitHub or admission error. */
  readonly problem?: string | undefined;
  /** One line for the log and the review's note. */
  readonly summary: string;
}

/** @public */
export interface ReviewActionsDeps {
  readonly settings: Pick<HarnessConfig['review'], 'act' | 'act_min_severity'>;
  /** Absent without a GitHub token: no issue is filed. */
  readonly github?: Pick<GitHubClient, 'listOpenIssues' | 'createIssue'> | undefined;
  readonly originUrl: (root: string) => Promise<string | undefined>;
  readonly engine: Pick<TaskEngine, 'admit'>;
  readonly tasks: Pick<TaskRepository, 'withStatus'>;
  /** Hides secret values in everything sent (the redactor of what Harness posts on GitHub). */
  readonly redact: (text: string) => string;
}

/** The review a report is about. */
interface ActedReview {
  readonly runId: string;
  readonly head: string;
  readonly findings: readonly ReviewFinding[];
}

const UNFINISHED = TASK_STATUSES.filter((s) => !isTerminal(s));

const messageOf = (error: unknown): string => (error instanceof Error ? error.message : String(error));

/**
 * `[review] act`: what a done periodic review does with its findings at `act_min_severity` or worse.
 * `issues` files one GitHub issue per finding (labelled `harness-review`, its fingerprint hidden at
 * the top of the body), skipping findings already in an open issue of that label, at most 10 per
 * review; `pr` queues one prompt task that fixes them all, unless the fix task of an earlier review
 * is still unfinished. Everything sent is the agent's text cleaned, redacted and cut; the
 * repository, labels and task come from Harness. Never throws: what went wrong is in the report.
 * @public
 */
export class ReviewActions {
  constructor(private readonly deps: ReviewActionsDeps) {}

  /** Nothing when `act` is `none`. */
  async act(project: Project, review: ActedReview): Promise<ReviewActReport | undefined> {
    const { act, act_min_severity: min } = this.deps.settings;
    if (act === 'none') return undefined;
    const qualifying = findingsAtOrAbove(review.findings, min);
    const base = { act, qualifying: qualifying.length, filed: [], alreadyFiled: 0, left: 0 } as const;
    const rated = `${String(qualifying.length)} finding(s) ${min === 'critical' ? 'critical' : `${min} or worse`}`;
    if (qualifying.length === 0)
      return { ...base, summary: `act=${act}: ${rated}: ${act === 'issues' ? 'no issue filed' : 'no fix task'}` };
    const context: ReviewActContext = {
      project: project.name,
      head: review.head,
      runId: review.runId,
      redact: this.deps.redact,
    };
    try {
      if (act === 'pr') return await this.submitFix(project, qualifying, { ...context, minSeverity: min }, rated);
      return await this.fileIssues(project, qualifying, context, rated);
    } catch (error) {
      const problem = this.deps.redact(messageOf(error));
      const what = act === 'pr' ? 'the fix task was not queued' : 'no issue filed';
      return { ...base, problem, summary: `act=${act}: ${rated}: ${what}: ${problem}` };
    }
  }

  private async fileIssues(
    project: Project,
    qualifying: readonly ReviewFinding[],
    context: ReviewActContext,
    rated: string,
  ): Promise<ReviewActReport> {
    const base = { act: 'issues', qualifying: qualifying.length, filed: [], alreadyFiled: 0, left: 0 } as const;
    const refused = (problem: string): ReviewActReport => ({
      ...base,
      problem,
      summary: `act=issues: ${rated}: no issue filed: ${problem}`,
    });
    const github = this.deps.github;
    if (github === undefined) return refused('no GitHub token on this server (set GITHUB_TOKEN)');
    const repo = await projectRepository(project, this.deps.originUrl);
    if (repo === undefined)
      return refused(
        `project ${project.name} has no GitHub repository (set [[projects]] repo, or an origin remote on GitHub)`,
      );

    const known = new Set(
      (await github.listOpenIssues(repo, REVIEW_ISSUE_LABEL)).flatMap((issue) => issueFingerprint(issue.body) ?? []),
    );
    const filed: number[] = [];
    let alreadyFiled = 0;
    let left = 0;
    let problem: string | undefined;
    for (const finding of qualifying) {
      const issue = findingIssue(finding, context);
      if (known.has(issue.fingerprint)) alreadyFiled += 1;
      else if (filed.length >= REVIEW_ACT_LIMITS.issuesPerCycle || problem !== undefined) left += 1;
      else {
        const before = filed.length;
        problem = await this.fileOne(github, repo, issue, filed);
        // Only a filed issue counts as open: one that failed is left for the next review.
        if (filed.length > before) known.add(issue.fingerprint);
      }
    }
    const numbers = filed.length === 0 ? '' : ` (${filed.map((n) => `#${String(n)}`).join(', ')})`;
    const capped = filed.length >= REVIEW_ACT_LIMITS.issuesPerCycle;
    const parts = [
      `${String(filed.length)} issue(s) filed in ${repo.owner}/${repo.repo}${numbers}`,
      `${String(alreadyFiled)} already open`,
      ...(left === 0
        ? []
        : [
            `${String(left)} left for the next review${capped ? ` (at most ${String(REVIEW_ACT_LIMITS.issuesPerCycle)} per review)` : ''}`,
          ]),
      ...(problem === undefined ? [] : [problem]),
    ];
    return { ...base, filed, alreadyFiled, left, problem, summary: `act=issues: ${rated}: ${parts.join(', ')}` };
  }

  /** Files one issue (its number into `filed`); what stops the filing, if anything. */
  private async fileOne(
    github: NonNullable<ReviewActionsDeps['github']>,
    repo: RepoRef,
    issue: { readonly title: string; readonly body: string },
    filed: number[],
  ): Promise<string | undefined> {
    let created: CreatedIssue;
    try {
      created = await github.createIssue(repo, { title: issue.title, body: issue.body, labels: [REVIEW_ISSUE_LABEL] });
    } catch (error) {
      return `filing stopped: ${this.deps.redact(messageOf(error))}`;
    }
    filed.push(created.number);
    // Unlabelled, the next review could not tell its findings filed and would file them again.
    if (!created.labels.includes(REVIEW_ISSUE_LABEL))
      return `filing stopped: GitHub did not label issue #${String(created.number)} ${REVIEW_ISSUE_LABEL} (labelling needs push access)`;
    return undefined;
  }

  private async submitFix(
    project: Project,
    qualifying: readonly ReviewFinding[],
    context: Parameters<typeof reviewFixPrompt>[1],
    rated: string,
  ): Promise<ReviewActReport> {
    const base = { act: 'pr', qualifying: qualifying.length, filed: [], alreadyFiled: 0, left: 0 } as const;
    // One fix task at a time per project: the next review's findings wait for it to end.
    const earlier = (await this.deps.tasks.withStatus(UNFINISHED, true)).find(
      (t) => t.project === project.name && t.kind === 'prompt' && t.description === REVIEW_FIX_DESCRIPTION,
    );
    if (earlier !== undefined)
      return {
        ...base,
        taskId: earlier.id,
        summary: `act=pr: ${rated}: fix task ${earlier.id} of an earlier review is still ${earlier.status}, so no new one`,
      };
    const admission = await this.deps.engine.admit({
      project: project.name,
      kind: 'prompt',
      prompt: reviewFixPrompt(qualifying, context),
      description: REVIEW_FIX_DESCRIPTION,
    });
    return { ...base, taskId: admission.task.id, summary: `act=pr: ${rated}: fix task ${admission.task.id} queued` };
  }
}

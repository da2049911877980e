import type { GitHubClient, RepoRef } from '@agent-harness/github';
import type { Task } from '@agent-harness/queue';
import type { Verdict } from '@agent-harness/review';
import type { PullRequestSettings } from './run-context.js';
import { cutText, errorLine, taskTitle } from './task-title.js';

/**
 * Everything Harness writes on GitHub for a task: the pull request it opens, the review rounds and
 * its comments. Agent text goes public there, so all of it is redacted like what Harness stores.
 * Every request ends at the run's abort (a cancel never waits on GitHub).
 */
export class PullRequestWriter {
  private readonly request: { readonly signal?: AbortSignal | undefined };

  constructor(
    private readonly github: GitHubClient,
    private readonly repo: RepoRef,
    private readonly redact: (text: string) => string,
    signal?: AbortSignal,
    private readonly shape?: Pick<PullRequestSettings, 'draft' | 'labels' | 'reviewers'>,
  ) {
    this.request = { signal };
  }

  /**
   * Opens (or finds the open) PR of a task branch; its body carries the agent's summary. A new one
   * is a draft when `[github] draft`, with the configured labels and reviewers; what GitHub refuses of
   * those (a reviewer who is no collaborator) is answered in `problems`, never a failed task.
   */
  async open(
    task: Task,
    summary: string,
    head: string,
    base: string,
  ): Promise<Awaited<ReturnType<GitHubClient['openPullRequest']>> & { problems: string[] }> {
    const title = taskTitle(task);
    const body = [
      '## Summary',
      '',
      cutText(summary, 20_000) || title,
      '',
      ...(task.kind === 'issue' ? [`Closes #${String(task.issue ?? 0)}`, ''] : []),
      `Opened by Harness (task ${task.id}, agent ${task.agentUsed ?? 'unknown'}); validated, and reviewed by an independent agent.`,
    ].join('\n');
    const draft = this.shape?.draft === true;
    const pr = await this.github.openPullRequest(
      this.repo,
      { title: this.redact(title), body: this.redact(body), head, base, draft },
      this.request,
    );
    const problems: string[] = [];
    if (!pr.created) return { ...pr, problems };
    const labels = this.shape?.labels ?? [];
    if (labels.length > 0)
      await this.github.addLabels(this.repo, pr.number, labels, this.request).catch((error: unknown) => {
        problems.push(`labels not added: ${errorLine(error)}`);
      });
    const wanted = this.shape?.reviewers ?? [];
    if (wanted.length > 0) {
      const who = {
        reviewers: wanted.filter((r) => !r.includes('/')),
        teamReviewers: wanted.filter((r) => r.includes('/')).map((r) => r.slice(r.indexOf('/') + 1)),
      };
      await this.github.requestReviewers(this.repo, pr.number, who, this.request).catch((error: unknown) => {
        problems.push(`reviewers not requested: ${errorLine(error)}`);
      });
    }
    return { ...pr, problems };
  }

  /** A draft pull request becomes ready for review (its validation and review passed). */
  async markReady(prNumber: number): Promise<boolean> {
    const state = await this.github.pullRequestState(this.repo, prNumber, this.request);
    if (!state.draft || state.state !== 'open') return false;
    await this.github.markReadyForReview(this.repo, state.nodeId, this.request);
    return true;
  }

  async comment(prNumber: number, text: string): Promise<void> {
    await this.github.comment(this.repo, prNumber, this.redact(text), this.request);
  }

  /** One review round: a summary, and line comments where GitHub accepts them. */
  async review(prNumber: number, round: number, reviewer: string, verdict: Verdict): Promise<void> {
    const heading = `**Harness review, round ${String(round)}** (${reviewer}): ${verdict.verdict === 'approve' ? 'approved' : 'changes requested'}`;
    const lines = verdict.issues.map(
      (i) => `- [${i.severity}] \`${i.file}${i.line === null ? '' : `:${String(i.line)}`}\` ${i.message}`,
    );
    const body = this.redact([heading, '', verdict.summary, ...(lines.length > 0 ? ['', ...lines] : [])].join('\n'));
    const onLines = verdict.issues.flatMap((i) =>
      i.line === null || i.file === ''
        ? []
        : [{ path: i.file, line: i.line, body: this.redact(`[${i.severity}] ${i.message}`) }],
    );
    try {
      await this.github.review(this.repo, prNumber, body, onLines, this.request);
    } catch (error) {
      if (this.request.signal?.aborted === true) throw error;
      // Line comments on lines outside the diff are refused by GitHub: post the summary alone.
      await this.github.review(this.repo, prNumber, body, [], this.request);
    }
  }
}

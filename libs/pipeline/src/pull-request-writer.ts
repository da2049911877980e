import type { GitHubClient, RepoRef } from '@agent-harness/github';
import type { Task } from '@agent-harness/queue';
import type { Verdict } from '@agent-harness/review';
import { cutText, taskTitle } from './task-title.js';

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
  ) {
    this.request = { signal };
  }

  /** Opens (or finds the open) PR of a task branch; its body carries the agent's summary. */
  open(task: Task, summary: string, head: string, base: string): ReturnType<GitHubClient['openPullRequest']> {
    const title = taskTitle(task);
    const body = [
      '## Summary',
      '',
      cutText(summary, 20_000) || title,
      '',
      ...(task.kind === 'issue' ? [`Closes #${String(task.issue ?? 0)}`, ''] : []),
      `Opened by Harness (task ${task.id}, agent ${task.agentUsed ?? 'unknown'}); validated, and reviewed by an independent agent; merging is up to you.`,
    ].join('\n');
    return this.github.openPullRequest(
      this.repo,
      { title: this.redact(title), body: this.redact(body), head, base },
      this.request,
    );
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

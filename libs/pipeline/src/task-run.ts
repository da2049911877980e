import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { TASK_MARKER_ENV, type AgentPhase, type AgentRegistry, type AgentRunner } from '@agent-harness/agents';
import { AppError, failureClassOfAgentEnd, type AgentEvent } from '@agent-harness/core';
import type { GitHubClient, RepoRef } from '@agent-harness/github';
import {
  MAX_ATTEMPTS,
  rateLimitRetryAt,
  type NewTaskEvent,
  type Project,
  type ProjectCatalog,
  type Task,
  type TaskChanges,
  type TaskRepository,
  type TaskStatus,
} from '@agent-harness/queue';
import type { Verdict } from '@agent-harness/review';
import {
  fixPrompt,
  runChecks,
  validationCommands,
  type CommandOutcome,
  type CommandRunner,
} from '@agent-harness/validation';
import type { GitWorktreeManager, Worktree } from '@agent-harness/workspace';
import { issuePrompt, pullRequestPrompt } from './prompts.js';
import { runReview, type ReviewResult, type ReviewSteps } from './review-phase.js';
import { agentFailure, type RunOutcome } from './run-outcome.js';
import { projectRepository } from './project-repository.js';
import { PullRequestWriter } from './pull-request-writer.js';
import { classifyTask } from './task-classifier.js';
import { cutText } from './task-title.js';

/** What the phases of a run use; the engine's dependencies. */
export interface TaskRunDeps {
  readonly tasks: TaskRepository;
  readonly projects: ProjectCatalog;
  readonly worktrees: GitWorktreeManager;
  readonly agents: AgentRegistry;
  readonly commands: CommandRunner;
  readonly validation: {
    readonly preCommit: readonly string[];
    readonly prePush: readonly string[];
    readonly timeoutMs: number;
    readonly maxRetries: number;
  };
  /** Present when a GitHub token is configured. */
  readonly github?: GitHubClient | undefined;
  readonly review: { readonly enabled: boolean; readonly reviewerAgent: string; readonly maxRounds: number };
  readonly now: () => Date;
  /** Hides secret values in text that goes into a prompt (validation output). */
  readonly redact: (text: string) => string;
}

/** What commitAndPublish answers when a PR task's agent changed nothing. */
const NOTHING_TO_CHANGE = Symbol('nothing to change');

export type { RunOutcome } from './run-outcome.js';
export type { ReviewResult } from './review-phase.js';

/** Runs one task's phases; the engine records the outcome. */
export class TaskRun {
  private task: Task;
  /** The implementer's last final answer: the summary of the PR. */
  private summary = '';
  private worktree: Worktree | undefined;
  private project: Project | undefined;
  /** The repository whose shared git state this run guards (released by the engine at the end). */
  private guardedRoot: string | undefined;

  constructor(
    started: Task,
    private readonly deps: TaskRunDeps,
    private readonly signal: AbortSignal,
    private readonly write: {
      update(task: Task, changes: TaskChanges, event?: NewTaskEvent): Promise<Task>;
      log(taskId: string, kind: NewTaskEvent['kind'], data: unknown): Promise<void>;
    },
  ) {
    this.task = started;
  }

  /** The repository whose shared git state the engine releases once the run is over. */
  get guardedRepository(): string | undefined {
    return this.guardedRoot;
  }

  /** The worktree to remove and its repository, once the run is over. */
  get cleanup(): { repoRoot: string; path: string } | undefined {
    return this.worktree === undefined || this.project === undefined
      ? undefined
      : { repoRoot: this.project.root, path: this.worktree.path };
  }

  get current(): Task {
    return this.task;
  }

  private async refresh(): Promise<Task> {
    this.task = (await this.deps.tasks.get(this.task.id)) ?? this.task;
    return this.task;
  }

  private async move(status: TaskStatus, reason?: string): Promise<void> {
    const task = await this.refresh();
    if (task.status === status) return;
    this.task = await this.write.update(
      task,
      { status },
      {
        kind: 'status',
        data: { from: task.status, to: status, attempt: task.attempt, ...(reason === undefined ? {} : { reason }) },
      },
    );
  }

  private async set(changes: TaskChanges, event?: NewTaskEvent): Promise<void> {
    this.task = await this.write.update(await this.refresh(), changes, event);
  }

  private log(message: string): Promise<void> {
    return this.write.log(this.task.id, 'log', { message });
  }

  async run(title: string, commitMessage: (task: Task) => string): Promise<RunOutcome> {
    const project = await this.deps.projects.get(this.task.project);
    if (project === undefined) throw new AppError('NOT_FOUND', `project "${this.task.project}" no longer exists`);
    if (!project.active) throw new AppError('CONFLICT', `project "${this.task.project}" is inactive`);
    this.project = project;
    const repo = await projectRepository(project, (root) => this.deps.worktrees.originUrl(root));
    const github = this.deps.github;
    if (this.task.kind !== 'prompt') {
      if (github === undefined)
        throw new AppError('UNSUPPORTED', `${this.task.kind} tasks need a GitHub token: set GITHUB_TOKEN`);
      if (repo === undefined)
        throw new AppError(
          'INVALID_ARGUMENT',
          `project "${project.name}" has no GitHub repository: set repo = "owner/name" or an origin remote on GitHub`,
        );
    }

    // Prepare: the worktree, and what the agent is asked.
    await this.deps.worktrees.guardSharedState(project.root);
    this.guardedRoot = project.root;
    // The stored checkpoint says whether the change is already published: then only the review remains.
    const resumed = this.task.checkpoint === 'published' && this.task.branch !== undefined;
    let prompt = this.task.prompt ?? '';
    let reviewBase: string;
    // What the classifier reads: the work as asked (never the built prompt with project instructions).
    let asked: { title: string; text: string; labels?: readonly string[] } = { title, text: this.task.prompt ?? '' };
    if (this.task.kind === 'pr' && github !== undefined && repo !== undefined) {
      const pr = await github.getPullRequest(repo, this.task.pr ?? 0);
      asked = { title: pr.title, text: [pr.body, ...pr.reviewComments.map((c) => `${c.path} ${c.body}`)].join('\n') };
      this.worktree = await this.deps.worktrees.checkoutRemoteBranch(project.root, this.task.id, pr.headRef);
      reviewBase = `origin/${pr.baseRef}`;
      await this.set({ prNumber: pr.number, prUrl: pr.url });
      prompt = pullRequestPrompt(`${repo.owner}/${repo.repo}`, pr, this.instructions(), this.checks());
    } else if (resumed && this.task.branch !== undefined) {
      // The branch was pushed and its PR opened before a restart: continue from there, never redo.
      this.worktree = await this.deps.worktrees.checkoutRemoteBranch(project.root, this.task.id, this.task.branch);
      reviewBase = `origin/${project.baseBranch ?? (await this.deps.worktrees.defaultBranch(project.root))}`;
    } else {
      this.worktree = await this.deps.worktrees.create(project.root, this.task.id, title, project.baseBranch);
      reviewBase = this.worktree.base;
      if (this.task.kind === 'issue' && github !== undefined && repo !== undefined) {
        const issue = await github.getIssue(repo, this.task.issue ?? 0);
        prompt = issuePrompt(`${repo.owner}/${repo.repo}`, issue, this.instructions(), this.checks());
        asked = {
          title: issue.title,
          text: [issue.body, ...issue.comments.map((c) => c.body)].join('\n'),
          labels: issue.labels,
        };
        if (this.task.description === undefined) await this.set({ description: cutText(issue.title, 500) });
      }
    }
    const worktree = this.worktree;
    await this.set(
      { worktree: worktree.path, branch: worktree.branch },
      {
        kind: 'log',
        data: { message: `worktree ${worktree.path} on branch ${worktree.branch} from ${worktree.base}` },
      },
    );
    const classified = classifyTask(asked);
    await this.set(
      { complexity: classified.complexity },
      {
        kind: 'log',
        data: {
          message: `complexity: ${classified.complexity}${classified.reasons.length > 0 ? ` (${classified.reasons.join('; ')})` : ''}`,
        },
      },
    );
    const implementer = this.deps.agents.select({
      agent: this.task.agent,
      projectDefault: project.defaultAgent,
      complex: classified.complexity === 'complex',
    });
    await this.set({ agentUsed: implementer.name });
    // A published change goes straight to its review (preparing → reviewing, the table's `resume`).
    if (!resumed) await this.move('running', `agent ${implementer.name}`);

    let commit = this.task.commit ?? '';
    if (resumed) {
      await this.log(
        `resuming after a restart: ${this.task.branch ?? ''} is pushed${this.task.prNumber === undefined ? '' : ` and PR #${String(this.task.prNumber)} is open`}`,
      );
    } else {
      const implemented = await this.implement(implementer, prompt, undefined);
      if (implemented !== 'ok') return implemented;
      const committed = await this.commitAndPublish(commitMessage, repo, 'implementation');
      if (committed === NOTHING_TO_CHANGE) return this.nothingToChange(repo);
      if (typeof committed !== 'string') return committed;
      commit = committed;
    }

    const review = await this.review(implementer, repo, reviewBase, title, prompt, commitMessage);
    if ('kind' in review) return review;
    commit = (await this.refresh()).commit ?? commit;
    return { kind: 'done', commit, review };
  }

  /**
   * A pull request whose agent found nothing to change: that is an answer, not a failure. It is
   * reported on the PR, and there is nothing of Harness's to review.
   */
  private async nothingToChange(repo: RepoRef | undefined): Promise<RunOutcome> {
    const worktree = this.worktree;
    if (worktree === undefined) throw new AppError('INTERNAL', 'no worktree');
    const summary = this.summary === '' ? 'The agent made no change.' : this.summary;
    await this.log('the agent found nothing to change on the pull request');
    await this.postOnPr(
      repo,
      `Harness looked at this pull request and found nothing to change (task ${this.task.id}).\n\n${cutText(summary, 20_000)}`,
    );
    return {
      kind: 'done',
      commit: await this.deps.worktrees.head(worktree.path),
      review: { outcome: 'not_needed', rounds: 0, unresolved: [] },
    };
  }

  /** Project instructions for agents (AGENTS.md, else CLAUDE.md), cut at 20,000 characters. */
  private instructions(): string | undefined {
    const dir = this.worktree?.path ?? this.project?.root;
    if (dir === undefined) return undefined;
    for (const name of ['AGENTS.md', 'CLAUDE.md']) {
      const file = join(dir, name);
      if (existsSync(file)) return readFileSync(file, 'utf8').slice(0, 20_000);
    }
    return undefined;
  }

  private checks(): string[] {
    return this.worktree === undefined
      ? [...this.deps.validation.preCommit]
      : validationCommands(this.deps.validation.preCommit, readdirSync(this.worktree.path)).commands;
  }

  /** The agent works, then validation runs with fixes fed back to the same session. */
  private async implement(
    runner: AgentRunner,
    prompt: string,
    resumeSessionId: string | undefined,
  ): Promise<'ok' | RunOutcome> {
    // With `reasoning_budget`, complex work is planned by the planning tier's model.
    const phase: AgentPhase =
      this.task.complexity === 'complex' && resumeSessionId === undefined ? 'planning' : 'execution';
    const ran = await this.runAgent(runner, 'implementer', prompt, resumeSessionId, phase);
    if (ran !== 'ok') return ran;
    return this.validate(runner);
  }

  private async validate(runner: AgentRunner): Promise<'ok' | RunOutcome> {
    const worktree = this.worktree;
    if (worktree === undefined) throw new AppError('INTERNAL', 'no worktree');
    await this.move('validating');
    const { preCommit, maxRetries } = this.deps.validation;
    const plan = validationCommands(preCommit, readdirSync(worktree.path));
    if (plan.commands.length === 0) {
      await this.log('validation: nothing to run (no [validation] pre_commit and no known language detected)');
      return 'ok';
    }
    for (let retry = 0; ; retry++) {
      const checks = await this.runChecks(plan.commands);
      await this.write.log(this.task.id, 'validation', {
        retry,
        ok: checks.ok,
        source: plan.source,
        outcomes: checks.outcomes,
      });
      if (checks.ok) return 'ok';
      const failure = checks.outcomes.at(-1);
      if (failure === undefined || this.signal.aborted)
        return { kind: 'failed', error: 'validation stopped', failureClass: 'interrupted' };
      if (retry >= maxRetries) {
        const how = failure.timedOut ? 'timed out' : `exited with code ${String(failure.exitCode)}`;
        return {
          kind: 'failed',
          error: `validation failed after ${String(retry)} fix attempt(s): \`${failure.command}\` ${how}`,
          failureClass: 'validation_failed',
        };
      }
      await this.set({ validationRetries: (await this.refresh()).validationRetries + 1 });
      const fixed = await this.runAgent(
        runner,
        'implementer',
        fixPrompt(failure, retry + 1, maxRetries),
        this.task.sessionId,
        'execution',
      );
      if (fixed !== 'ok') return fixed;
    }
  }

  /**
   * Runs checks in the worktree with the task's marker, then undoes what they did to the shared
   * repository. Outputs come back with secrets redacted: they are stored, streamed and prompted.
   */
  private async runChecks(commands: readonly string[]): Promise<{ ok: boolean; outcomes: CommandOutcome[] }> {
    const worktree = this.worktree;
    if (worktree === undefined) throw new AppError('INTERNAL', 'no worktree');
    const checks = await runChecks(this.deps.commands, commands, worktree.path, this.deps.validation.timeoutMs, {
      [TASK_MARKER_ENV]: this.task.id,
    });
    await this.guardSharedGit('validation');
    return {
      ok: checks.ok,
      outcomes: checks.outcomes.map((o) => ({
        ...o,
        command: this.deps.redact(o.command),
        output: this.deps.redact(o.output),
      })),
    };
  }

  /** Puts back the repository's shared config and hooks if what just ran changed them, and says so. */
  private async guardSharedGit(who: string): Promise<void> {
    const changed =
      this.guardedRoot === undefined ? [] : await this.deps.worktrees.restoreSharedState(this.guardedRoot);
    if (changed.length > 0)
      await this.log(
        `warning: ${who} changed the repository's shared ${changed.join(', ')}; restored as it was before the task (Harness never lets a task change git config or hooks)`,
      );
  }

  /** Runs an agent in the worktree; its events are stored and streamed as they come. */
  private async runAgent(
    runner: AgentRunner,
    role: 'implementer' | 'reviewer',
    prompt: string,
    resumeSessionId: string | undefined,
    phase: AgentPhase,
  ): Promise<'ok' | RunOutcome> {
    const result = await this.runAgentRaw(
      runner,
      role,
      prompt,
      resumeSessionId,
      role === 'implementer' ? this.task.model : undefined,
      phase,
    );
    if (result.ok) return 'ok';
    if (this.signal.aborted) return { kind: 'cancelled' };
    if (result.reason === 'rate_limited' && this.task.attempt < MAX_ATTEMPTS) {
      return {
        kind: 'requeue',
        attempt: this.task.attempt + 1,
        notBefore: rateLimitRetryAt(this.deps.now().getTime(), this.task.attempt, result.rateLimitResetAt),
        reason: `rate limited: ${result.message ?? ''}`,
      };
    }
    return {
      kind: 'failed',
      error: `${runner.name} ${agentFailure(result)}`,
      failureClass: failureClassOfAgentEnd(result.reason),
    };
  }

  private async runAgentRaw(
    runner: AgentRunner,
    role: 'implementer' | 'reviewer',
    prompt: string,
    resumeSessionId: string | undefined,
    model: string | undefined,
    phase: AgentPhase,
  ) {
    const worktree = this.worktree;
    if (worktree === undefined) throw new AppError('INTERNAL', 'no worktree');
    const env = { [TASK_MARKER_ENV]: this.task.id };
    const run = runner.run({ prompt, cwd: worktree.path, model, phase, signal: this.signal, resumeSessionId, env });
    let stored: Promise<void> = Promise.resolve();
    const subscription = run.events$.subscribe((event: AgentEvent) => {
      stored = stored.then(() => this.write.log(this.task.id, 'agent', { role, agent: runner.name, ...event }));
    });
    const result = await run.result;
    subscription.unsubscribe();
    await stored;
    await this.guardSharedGit(`the ${role} (${runner.name})`);
    if (role === 'implementer' && result.ok && result.finalText.trim() !== '') this.summary = result.finalText.trim();
    const task = await this.refresh();
    await this.set({
      ...(role === 'implementer' ? { sessionId: result.sessionId ?? task.sessionId } : {}),
      inputTokens: task.inputTokens + result.usage.inputTokens + result.usage.cachedInputTokens,
      outputTokens: task.outputTokens + result.usage.outputTokens,
      costUsd: result.costUsd === undefined ? task.costUsd : (task.costUsd ?? 0) + result.costUsd,
    });
    return result;
  }

  /**
   * Harness commits the agent's change (none is a failure on the first implementation), runs
   * `pre_push`, pushes when there is an origin, and opens the PR (once) when GitHub is configured.
   */
  private async commitAndPublish(
    commitMessage: (task: Task) => string,
    repo: RepoRef | undefined,
    stage: 'implementation' | 'review fix',
  ): Promise<string | typeof NOTHING_TO_CHANGE | RunOutcome> {
    const worktree = this.worktree;
    const project = this.project;
    if (worktree === undefined || project === undefined) throw new AppError('INTERNAL', 'no worktree');
    await this.move('committing');
    const commit = await this.deps.worktrees.commitAll(
      project.root,
      worktree.path,
      commitMessage(await this.refresh()),
    );
    if (commit === undefined) {
      if (stage === 'implementation')
        return this.task.kind === 'pr'
          ? NOTHING_TO_CHANGE
          : { kind: 'failed', error: 'agent made no changes', failureClass: 'no_changes' };
      await this.log('the review fix changed nothing');
      return this.task.commit ?? '';
    }
    await this.set({ commit });
    if ((await this.deps.worktrees.originUrl(project.root)) === undefined) return commit;
    if (this.deps.validation.prePush.length > 0) {
      const checks = await this.runChecks(this.deps.validation.prePush);
      await this.write.log(this.task.id, 'validation', {
        stage: 'pre_push',
        ok: checks.ok,
        source: 'config',
        outcomes: checks.outcomes,
      });
      const failure = checks.outcomes.at(-1);
      if (!checks.ok && failure !== undefined)
        return {
          kind: 'failed',
          error: `pre_push failed: \`${failure.command}\` exited with code ${String(failure.exitCode)}`,
          failureClass: 'validation_failed',
        };
    }
    // A pull request's own branch is never force-pushed; Harness's task branches may be rebuilt.
    await this.deps.worktrees.push(project.root, worktree.path, worktree.branch, this.task.kind !== 'pr');
    await this.log(`pushed ${worktree.branch} to origin`);
    const writer = this.prWriter(repo);
    if (writer !== undefined) await this.openOrCommentPr(writer, commit, stage);
    if (stage === 'implementation')
      await this.set(
        { checkpoint: 'published' },
        { kind: 'log', data: { message: 'checkpoint: published (a restart resumes with the review)' } },
      );
    return commit;
  }

  /** What Harness writes on the task's GitHub repository, when GitHub is configured. */
  private prWriter(repo: RepoRef | undefined): PullRequestWriter | undefined {
    return this.deps.github === undefined || repo === undefined
      ? undefined
      : new PullRequestWriter(this.deps.github, repo, this.deps.redact);
  }

  /** After a push: the first PR of a task branch, or a comment on the PR a PR task works on. */
  private async openOrCommentPr(
    writer: PullRequestWriter,
    commit: string,
    stage: 'implementation' | 'review fix',
  ): Promise<void> {
    const worktree = this.worktree;
    const project = this.project;
    if (worktree === undefined || project === undefined) throw new AppError('INTERNAL', 'no worktree');
    const task = await this.refresh();
    if (task.kind === 'pr') {
      if (stage === 'implementation' && task.prNumber !== undefined)
        await writer.comment(
          task.prNumber,
          `Harness pushed ${commit.slice(0, 12)} addressing the open review comments and checks (task ${task.id}).`,
        );
      return;
    }
    if (task.prNumber === undefined) {
      const pr = await writer.open(
        task,
        this.summary,
        worktree.branch,
        project.baseBranch ?? (await this.deps.worktrees.defaultBranch(project.root)),
      );
      await this.set(
        { prNumber: pr.number, prUrl: pr.url },
        {
          kind: 'log',
          data: {
            message: `${pr.created ? 'opened' : 'found the open'} pull request #${String(pr.number)}: ${pr.url}`,
            pr: pr.number,
            url: pr.url,
          },
        },
      );
    }
  }

  /** The independent review (see review-phase.ts), with this run's steps. */
  private review(
    implementer: AgentRunner,
    repo: RepoRef | undefined,
    base: string,
    title: string,
    request: string,
    commitMessage: (task: Task) => string,
  ): Promise<ReviewResult | RunOutcome> {
    const worktree = this.worktree;
    if (worktree === undefined) throw new AppError('INTERNAL', 'no worktree');
    const steps: ReviewSteps = {
      move: (status, reason) => this.move(status, reason),
      set: (changes, event) => this.set(changes, event),
      log: (message) => this.log(message),
      roundsDone: async () => (await this.refresh()).reviewRounds,
      diff: () => this.deps.worktrees.diff(worktree.path, base, 60_000),
      runReviewer: (reviewer, prompt, resumeSessionId) =>
        this.runAgentRaw(reviewer, 'reviewer', prompt, resumeSessionId, undefined, 'validation'),
      fix: async (prompt) => {
        const fixed = await this.implement(implementer, prompt, this.task.sessionId);
        if (fixed !== 'ok') return fixed;
        const published = await this.commitAndPublish(commitMessage, repo, 'review fix');
        return typeof published === 'string' || typeof published === 'symbol' ? 'ok' : published;
      },
      postReview: (round, reviewer, verdict) => this.postReview(repo, round, reviewer, verdict),
      postOnPr: (text) => this.postOnPr(repo, text),
      aborted: () => this.signal.aborted,
    };
    return runReview({ ...this.deps.review, agents: this.deps.agents }, steps, implementer.name, title, request);
  }

  private async postReview(
    repo: RepoRef | undefined,
    round: number,
    reviewer: string,
    verdict: Verdict,
  ): Promise<void> {
    const prNumber = this.task.prNumber;
    if (prNumber !== undefined) await this.prWriter(repo)?.review(prNumber, round, reviewer, verdict);
  }

  private async postOnPr(repo: RepoRef | undefined, text: string): Promise<void> {
    const prNumber = this.task.prNumber;
    if (prNumber !== undefined) await this.prWriter(repo)?.comment(prNumber, text);
  }
}

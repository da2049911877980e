import { TASK_MARKER_ENV, type AgentRegistry } from '@agent-harness/agents';
import { AppError, type ApprovalStage, type OutputCountsJson } from '@agent-harness/core';
import type { GitHubClient, RepoRef } from '@agent-harness/github';
import {
  applyTransition,
  type NewTaskEvent,
  type Project,
  type ProjectCatalog,
  type Task,
  type TaskChanges,
  type TaskRepository,
  type TaskTransition,
} from '@agent-harness/queue';
import { runChecks, type CommandOutcome, type CommandRunner } from '@agent-harness/validation';
import type { GitWorktreeManager, Worktree } from '@agent-harness/workspace';
import { PullRequestWriter } from './pull-request-writer.js';
import { storedBytes, TaskOutputBudget, type StoredOutput } from './task-output-budget.js';
import type { SpendMeter } from './spend-meter.js';
import type { TaskTracing } from './task-tracing.js';
import type { WorkspaceSettings } from './workspace-setup.js';

/** `[validation]`: commands (empty pre_commit: language-detected), per-command timeout, fix attempts. */
export interface ValidationSettings {
  readonly preCommit: readonly string[];
  readonly prePush: readonly string[];
  readonly timeoutMs: number;
  readonly maxRetries: number;
}

/** `[agents.review]`: the independent review. */
export interface ReviewSettings {
  readonly enabled: boolean;
  readonly reviewerAgent: string;
  readonly maxRounds: number;
  /** A GC adoption's rounds (`[gc] adopt_max_rounds`) instead of `maxRounds`; an adoption is the task with a seed. */
  readonly adoptionMaxRounds?: number | undefined;
}

/** `[github]` and `[approvals]`: the shape of the pull requests Harness opens and what it waits for. */
export interface PullRequestSettings {
  /** Open drafts, marked ready once validation and the review pass. */
  readonly draft: boolean;
  readonly labels: readonly string[];
  /** Logins, and teams as `org/team`. */
  readonly reviewers: readonly string[];
  /** After the review, the task waits for its pull request's CI (`waiting_ci`). */
  readonly watchCi: boolean;
  /** The steps a person approves first, for a project (its own list, else `[approvals] before`). */
  readonly approvalsBefore: (project: string) => readonly ApprovalStage[];
}

/** A task's prompt as the skills see it, and the skills it gets. */
export interface SkillRequest {
  readonly taskId: string;
  readonly project: string;
  readonly projectRoot: string;
  /** The work as asked (title and text), never the built prompt with project instructions. */
  readonly text: string;
}

/**
 * Skills for task prompts (`@agent-harness/skills`, wired by the runtime): the "Relevant skills"
 * section for a task, its use recorded as `skill_used` telemetry.
 */
export interface TaskSkills {
  forTask(request: SkillRequest): Promise<{ readonly section: string; readonly used: readonly string[] }>;
}

/** What the phases of a run use; the engine's dependencies. */
export interface TaskRunDeps {
  readonly tasks: TaskRepository;
  readonly projects: ProjectCatalog;
  readonly worktrees: GitWorktreeManager;
  readonly agents: AgentRegistry;
  readonly commands: CommandRunner;
  readonly validation: ValidationSettings;
  /** Present when a GitHub token is configured. */
  readonly github?: GitHubClient | undefined;
  readonly review: ReviewSettings;
  readonly now: () => Date;
  /** Hides secret values in text that goes into a prompt (validation output). */
  readonly redact: (text: string) => string;
  /** Skills injected into implementers' prompts; none when absent. */
  readonly skills?: TaskSkills | undefined;
  /** Where agent runs are traced (see TaskTracing); none when absent. */
  readonly tracing?: TaskTracing | undefined;
  /** `[limits] task_output_mb` in bytes: the agents' output one task stores (see TaskOutputBudget). */
  readonly outputLimitBytes: number;
  /** Measures spend and holds the spend limits; none when absent (nothing metered). */
  readonly spend?: SpendMeter | undefined;
  /** Said in every task's log when its agents and commands run without the OS sandbox (`danger-full-access`). */
  readonly sandboxWarning?: string | undefined;
  /** `[workspace]`: setup commands before the agent; none when absent. */
  readonly workspace?: WorkspaceSettings | undefined;
  /** Pull request shape, CI watching and approvals; absent: ready PRs, no watching, no approvals. */
  readonly pullRequests?: PullRequestSettings | undefined;
}

/** How `RunContext.runChecks` runs its commands, when not as validation does. */
export interface CheckOptions {
  /** Default: the validation runner (`commands`). */
  readonly runner?: CommandRunner | undefined;
  /** Default: `[validation] timeout_secs`. */
  readonly timeoutMs?: number | undefined;
  /** More environment for these commands only (setup's secrets). */
  readonly env?: Readonly<Record<string, string>> | undefined;
  /** Cleanup that runs even once the run was stopped (a cancel does not end it). */
  readonly evenAfterStop?: boolean | undefined;
}

/** How a run writes: through the recorder (state table, SQL guard, redaction, then live events). */
export interface RunWriter {
  update(task: Task, changes: TaskChanges, event?: NewTaskEvent): Promise<Task>;
  log(taskId: string, kind: NewTaskEvent['kind'], data: unknown): Promise<void>;
  /** Events stored in order in one write (an agent's burst of output). */
  logMany(taskId: string, events: readonly NewTaskEvent[]): Promise<void>;
}

/**
 * One run's state, shared by its phases: the task as last written, its project, worktree and
 * repository, the implementer's summary, and the small steps every phase takes.
 */
export class RunContext {
  task: Task;
  project: Project | undefined;
  worktree: Worktree | undefined;
  /** The GitHub repository of the project, when it has one. */
  repo: RepoRef | undefined;
  /** The implementer's last final answer: the summary of the PR. */
  summary = '';
  /** The repository whose shared git state this run guards (released by the engine at the end). */
  guardedRoot: string | undefined;
  /** The setup key the worktree's dependency folders answer to, once its setup finished (see setUpWorkspace). */
  setupKey: string | undefined;
  /** The task's output limit, once an agent ran in this run (it starts from what earlier runs stored). */
  private budget: TaskOutputBudget | undefined;

  constructor(
    started: Task,
    readonly deps: TaskRunDeps,
    readonly signal: AbortSignal,
    private readonly write: RunWriter,
  ) {
    this.task = started;
  }

  /** The worktree, once prepare made it; a phase that runs before is a bug. */
  get workspace(): { readonly project: Project; readonly worktree: Worktree } {
    if (this.project === undefined || this.worktree === undefined) throw new AppError('INTERNAL', 'no worktree yet');
    return { project: this.project, worktree: this.worktree };
  }

  async refresh(): Promise<Task> {
    this.task = (await this.deps.tasks.get(this.task.id)) ?? this.task;
    return this.task;
  }

  /**
   * A named move of the state table (with its status event): the table decides the status, and
   * the recorder checks it again as it writes.
   */
  async apply(transition: TaskTransition, reason?: string): Promise<void> {
    const task = await this.refresh();
    const status = applyTransition(task.id, task.status, transition);
    this.task = await this.write.update(
      task,
      { status },
      {
        kind: 'status',
        data: { from: task.status, to: status, attempt: task.attempt, ...(reason === undefined ? {} : { reason }) },
      },
    );
  }

  async set(changes: TaskChanges, event?: NewTaskEvent): Promise<void> {
    this.task = await this.write.update(await this.refresh(), changes, event);
  }

  log(message: string): Promise<void> {
    return this.write.log(this.task.id, 'log', { message });
  }

  event(kind: NewTaskEvent['kind'], data: unknown): Promise<void> {
    return this.write.log(this.task.id, kind, data);
  }

  /** Events stored in order, in one write. */
  events(events: readonly NewTaskEvent[]): Promise<void> {
    return this.write.logMany(this.task.id, events);
  }

  /** The task's output limit for this run, counting what its earlier runs stored. */
  async outputBudget(): Promise<TaskOutputBudget> {
    this.budget ??= new TaskOutputBudget(this.deps.outputLimitBytes, await storedOutput(this.deps.tasks, this.task.id));
    return this.budget;
  }

  /** The counts of this run's output once it was cut; undefined otherwise. */
  get outputCounts(): OutputCountsJson | undefined {
    return this.budget?.counts();
  }

  /**
   * Runs checks in the worktree with the task's marker, then undoes what they did to the shared
   * repository. Outputs come back with secrets redacted: they are stored, streamed and prompted.
   * The run's abort ends the running check at once: `cancelled`, which is no validation failure.
   */
  async runChecks(
    commands: readonly string[],
    options: CheckOptions = {},
  ): Promise<{ ok: boolean; cancelled: boolean; outcomes: CommandOutcome[] }> {
    const { worktree } = this.workspace;
    const checks = await runChecks(
      options.runner ?? this.deps.commands,
      commands,
      worktree.path,
      options.timeoutMs ?? this.deps.validation.timeoutMs,
      { ...options.env, [TASK_MARKER_ENV]: this.task.id },
      options.evenAfterStop === true ? undefined : this.signal,
    );
    await this.guardSharedGit('validation');
    return {
      ok: checks.ok,
      cancelled: checks.cancelled,
      outcomes: checks.outcomes.map((o) => ({
        ...o,
        command: this.deps.redact(o.command),
        output: this.deps.redact(o.output),
      })),
    };
  }

  /** Puts back the repository's shared config and hooks if what just ran changed them, and says so. */
  async guardSharedGit(who: string): Promise<void> {
    const changed =
      this.guardedRoot === undefined ? [] : await this.deps.worktrees.restoreSharedState(this.guardedRoot);
    if (changed.length > 0)
      await this.log(
        `warning: ${who} changed the repository's shared ${changed.join(', ')}; restored as it was before the task (Harness never lets a task change git config or hooks)`,
      );
  }

  /** What Harness writes on the task's GitHub repository, when GitHub is configured. */
  prWriter(): PullRequestWriter | undefined {
    return this.deps.github === undefined || this.repo === undefined
      ? undefined
      : new PullRequestWriter(this.deps.github, this.repo, this.deps.redact, this.signal, this.deps.pullRequests);
  }

  /** Whether a person approves `stage` of this task's project first. */
  approves(stage: ApprovalStage): boolean {
    return this.deps.pullRequests?.approvalsBefore(this.task.project).includes(stage) === true;
  }

  /** A comment on the task's pull request, when it has one. */
  async postOnPr(text: string): Promise<void> {
    const prNumber = this.task.prNumber;
    if (prNumber !== undefined) await this.prWriter()?.comment(prNumber, text);
  }
}

/** Pages read when a run starts from what earlier runs of its task stored. */
const STORED_OUTPUT_PAGE = 500;

/** What earlier runs of a task stored of its agents' output (a fresh task: one empty read). */
async function storedOutput(tasks: TaskRepository, taskId: string): Promise<StoredOutput> {
  let bytes = 0;
  let cut = false;
  let after = 0;
  for (;;) {
    const page = await tasks.eventsAfter(taskId, after, STORED_OUTPUT_PAGE, ['agent', 'output_truncated']);
    for (const event of page) {
      if (event.kind === 'output_truncated') cut = true;
      else bytes += storedBytes(event.data);
    }
    after = page.at(-1)?.seq ?? after;
    if (page.length < STORED_OUTPUT_PAGE) return { bytes, cut };
  }
}

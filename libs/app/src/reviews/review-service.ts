import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import type { AgentRegistry, AgentRunner } from '@agent-harness/agents';
import { AppError, type HarnessConfig } from '@agent-harness/core';
import { READ_ONLY_TOOLS, type DraftAgentAnswer } from '@agent-harness/gc';
import type { EventStore, TelemetryEventDraft, TelemetrySink } from '@agent-harness/observe';
import type { Project, ProjectCatalog } from '@agent-harness/queue';
import {
  parseReviewReport,
  reviewPrompt,
  synthesisPrompt,
  type ParsedReviewReport,
  type PromptViolation,
  type ReviewFinding,
  type ReviewListFilter,
  type ReviewRun,
  type ReviewStore,
  type ReviewStrategy,
} from '@agent-harness/review';
import { isCommitId, type ReviewGit, type ReviewRepositoryFacts } from '@agent-harness/workspace';
import { runReadOnly, type GcObserver } from '../gc/draft-agent-runner.js';
import type { RulesService } from '../rules/rules-service.js';
import type { ReviewActions, ReviewActReport } from './review-actions.js';

/** The event kind of a periodic review run (done or failed); its `detail` JSON carries the reviewed head. @public */
export const PERIODIC_REVIEW_HOOK = 'periodic_review';

/** Why a review did not run. @public */
export type ReviewSkipReason = 'no_new_commits' | 'disabled';

/** What `ReviewService.run` did. @public */
export type ReviewRunOutcome =
  | {
      readonly status: 'skipped';
      readonly project: string;
      /** `disabled`: the project is inactive; `no_new_commits`: its head is the last reviewed one. */
      readonly reason: ReviewSkipReason;
      readonly head?: string | undefined;
    }
  | {
      readonly status: 'done' | 'failed';
      readonly project: string;
      readonly runId: string;
      readonly head: string;
      /** Findings stored (0 for a failed run, which is never "no findings": `error` says why). */
      readonly findings: number;
      readonly strategy: ReviewStrategy;
      readonly agents: readonly string[];
      readonly error?: string | undefined;
      readonly note?: string | undefined;
      /** What `[review] act` did with the findings of a done review (absent for `none`). */
      readonly acted?: ReviewActReport | undefined;
    };

/** @public */
export interface ReviewRunOptions {
  /** Review even when nothing was committed since the last review. */
  readonly force?: boolean | undefined;
  /** This run's strategy, instead of `[review] strategy` (JSON-RPC `cross_review` asks for `cross`). */
  readonly strategy?: ReviewStrategy | undefined;
}

/** One reviewer's answer, read. */
type Reviewed =
  { readonly ok: true; readonly report: ParsedReviewReport } | { readonly ok: false; readonly error: string };

const messageOf = (error: unknown): string => (error instanceof Error ? error.message : String(error));
const short = (head: string): string => head.slice(0, 12);

/**
 * The periodic whole-repo review (`harness review run`, the server's review scheduler): when the
 * project's head moved since its last review (or when forced), a read-only agent reviews the
 * repository, `cross` adds a second agent and a merge; `[review] act` files issues or queues a fix
 * task from the findings (ReviewActions); the run and its findings are stored and a
 * `periodic_review` event is emitted. A review that cannot be read is a failed run, never "no
 * findings".
 */
export class ReviewService {
  /** Each project's running review, which the next one waits for. */
  private readonly running = new Map<string, Promise<void>>();

  constructor(
    private readonly deps: {
      readonly config: HarnessConfig;
      readonly projects: ProjectCatalog;
      readonly agents: AgentRegistry;
      readonly store: ReviewStore;
      readonly events: EventStore;
      readonly telemetry: TelemetrySink;
      readonly rules: RulesService;
      /** Reads the repository read-only (`ReviewGit` of @agent-harness/workspace). */
      readonly git: Pick<ReviewGit, 'head' | 'facts' | 'checkout' | 'removeCheckout'>;
      /** Hides secret values in what agents answer, before it is stored. */
      readonly redact: (text: string) => string;
      /** `[review] act`: issues or a fix task from a done review's findings; without it, findings are only stored. */
      readonly actions?: Pick<ReviewActions, 'act'> | undefined;
      readonly now?: (() => Date) | undefined;
      readonly newId?: (() => string) | undefined;
    },
  ) {}

  /** Stored reviews with their findings, newest first. */
  list(filter: ReviewListFilter): Promise<ReviewRun[]> {
    return this.deps.store.list(filter);
  }

  get(id: string): Promise<ReviewRun | undefined> {
    return this.deps.store.get(id);
  }

  /** Reviews the project now, unless it is inactive or (without `force`) nothing was committed since its last review. */
  async run(projectName: string, options: ReviewRunOptions = {}, observer: GcObserver = {}): Promise<ReviewRunOutcome> {
    // One review of a project at a time in this process (the scheduler, `cross_review`, the CLI's
    // in-process run): what a review acts on (issues, a fix task) is checked, then done.
    const previous = this.running.get(projectName) ?? Promise.resolve();
    const run = previous.then(() => this.runNow(projectName, options, observer));
    const settled = run.then(
      () => undefined,
      () => undefined,
    );
    this.running.set(projectName, settled);
    void settled.then(() => {
      if (this.running.get(projectName) === settled) this.running.delete(projectName);
    });
    return run;
  }

  private async runNow(
    projectName: string,
    options: ReviewRunOptions,
    observer: GcObserver,
  ): Promise<ReviewRunOutcome> {
    const progress = (message: string): void => observer.progress?.(message);
    const project = await this.deps.projects.get(projectName);
    if (project === undefined)
      throw new AppError(
        'NOT_FOUND',
        `no project ${JSON.stringify(projectName)} (add it to the config or register it)`,
      );
    if (!project.active) return { status: 'skipped', project: project.name, reason: 'disabled' };
    const head = await this.deps.git.head(project.root, project.baseBranch);
    const previous = await this.lastReviewedHead(project.name);
    if (previous === head && options.force !== true)
      return { status: 'skipped', project: project.name, reason: 'no_new_commits', head };
    // No agent to review with is the user's to fix: said before anything is scanned or run.
    const primary = this.availableAgent(this.deps.config.review.agent, project);
    const startedAt = this.now();
    const strategy = options.strategy ?? this.deps.config.review.strategy;
    const second = strategy === 'cross' ? this.secondAgent(primary) : undefined;
    const notes: string[] = [];
    if (strategy === 'cross' && second === undefined)
      notes.push(`cross review: no second agent is available besides ${primary.name}, so one agent reviewed`);

    progress(
      `reviewing ${project.name} at ${short(head)}${previous === undefined ? '' : ` (last reviewed ${short(previous)})`}`,
    );
    const facts = await this.deps.git.facts(project.root, head, previous);
    const runId = (this.deps.newId ?? randomUUID)();
    // The review reads a detached worktree of the reviewed head, never the user's checkout.
    const checkout = join(this.deps.config.server.data_dir, 'review-worktrees', runId);
    await this.deps.git.checkout(project.root, head, checkout);
    try {
      return await this.review(
        { project, head, previous, runId, checkout, facts, primary, second, strategy, notes, startedAt },
        progress,
        observer,
      );
    } finally {
      await this.deps.git.removeCheckout(project.root, checkout);
    }
  }

  /** Scans and reviews the checkout of `head`, stores the run and emits its event. */
  private async review(
    input: {
      readonly project: Project;
      readonly head: string;
      readonly previous: string | undefined;
      readonly runId: string;
      readonly checkout: string;
      readonly facts: ReviewRepositoryFacts;
      readonly primary: AgentRunner;
      readonly second: AgentRunner | undefined;
      readonly strategy: ReviewStrategy;
      readonly notes: string[];
      readonly startedAt: Date;
    },
    progress: (message: string) => void,
    observer: GcObserver,
  ): Promise<ReviewRunOutcome> {
    const { project, head, previous, runId, checkout, facts, primary, second, strategy, notes, startedAt } = input;
    const violations = await this.violations({ name: project.name, root: checkout }, progress);
    const prompt = reviewPrompt({ project: project.name, head, ...facts, ...violations });

    let costUsd: number | undefined;
    const ask = async (runner: AgentRunner, text: string): Promise<Reviewed> => {
      progress(`${runner.name} is reviewing`);
      const answer = await this.ask(runner, text, checkout, observer);
      if (answer.costUsd !== undefined) costUsd = (costUsd ?? 0) + answer.costUsd;
      if (!answer.ok) return { ok: false, error: `${runner.name} failed: ${answer.message ?? 'no reason given'}` };
      const parsed = parseReviewReport(answer.text, { project: project.name, projectRoot: checkout });
      return parsed.ok ? { ok: true, report: parsed.value } : { ok: false, error: `${runner.name}: ${parsed.error}` };
    };

    const agents = [primary.name];
    let result = await ask(primary, prompt);
    if (result.ok && second !== undefined) {
      agents.push(second.name);
      const other = await ask(second, prompt);
      if (!other.ok) notes.push(`cross review: the second review failed (${other.error}); the first one is kept alone`);
      else {
        const reports = [
          { agent: primary.name, report: result.report },
          { agent: second.name, report: other.report },
        ];
        progress(`${primary.name} is merging the two reviews`);
        const merged = await ask(primary, synthesisPrompt({ project: project.name, head, reports }));
        if (merged.ok) result = merged;
        else {
          notes.push(
            `cross review: the merge failed (${merged.error}); the findings of both reviews are kept unmerged`,
          );
          result = { ok: true, report: unmerged(result.report, other.report) };
        }
      }
    }
    if (result.ok && result.report.dropped > 0)
      notes.push(
        `${String(result.report.dropped)} finding(s) past the first ${String(result.report.findings.length)} left out`,
      );

    // Acted on before the run is stored, so its note says what was filed or queued.
    const acted = result.ok
      ? await this.deps.actions?.act(project, { runId, head, findings: result.report.findings })
      : undefined;
    if (acted !== undefined) {
      notes.push(acted.summary);
      progress(acted.summary);
    }

    const finishedAt = this.now();
    const run: ReviewRun = {
      id: runId,
      project: project.name,
      head,
      previousHead: previous,
      strategy,
      agents,
      status: result.ok ? 'done' : 'failed',
      summary: result.ok ? result.report.summary : '',
      error: result.ok ? undefined : result.error,
      note: notes.length === 0 ? undefined : notes.join('; '),
      costUsd,
      startedAt: startedAt.toISOString(),
      finishedAt: finishedAt.toISOString(),
      durationMs: finishedAt.getTime() - startedAt.getTime(),
      findings: result.ok ? result.report.findings : [],
    };
    await this.deps.store.save(run);
    this.deps.telemetry.emit(periodicReviewEvent(run));
    progress(
      run.status === 'done'
        ? `review ${run.id} of ${project.name}: ${String(run.findings.length)} finding(s)`
        : `review ${run.id} of ${project.name} failed: ${run.error ?? ''}`,
    );
    return {
      status: run.status,
      project: run.project,
      runId: run.id,
      head,
      findings: run.findings.length,
      strategy,
      agents,
      error: run.error,
      note: run.note,
      ...(acted === undefined ? {} : { acted }),
    };
  }

  /** The head of the last done review: the store's, else (a database from before it) the last `periodic_review` event's. */
  private async lastReviewedHead(project: string): Promise<string | undefined> {
    const stored = await this.deps.store.lastReviewedHead(project);
    if (stored !== undefined) return stored;
    const event = await this.deps.events.latest({ project, hook: PERIODIC_REVIEW_HOOK, decision: 'complete' });
    if (event?.detail === undefined) return undefined;
    try {
      const detail: unknown = JSON.parse(event.detail);
      const head = typeof detail === 'object' && detail !== null && 'head' in detail ? detail.head : undefined;
      return typeof head === 'string' && isCommitId(head) ? head : undefined;
    } catch {
      return undefined;
    }
  }

  /** The project's guard violations (a fresh scan, stored as usual); a failing scan leaves the prompt without them. */
  private async violations(
    project: { readonly name: string; readonly root: string },
    progress: (message: string) => void,
  ): Promise<{ violations: PromptViolation[]; violationCount: number }> {
    try {
      const scan = await this.deps.rules.scan({ name: project.name, root: project.root });
      const all = scan.result.violations;
      return {
        violations: all.slice(0, 20).map((v) => ({
          severity: v.severity,
          ruleId: v.ruleId,
          message: v.message,
          file: v.file,
          ...(v.line === 0 ? {} : { line: v.line }),
        })),
        violationCount: all.length,
      };
    } catch (error) {
      progress(`guard scan skipped: ${messageOf(error)}`);
      return { violations: [], violationCount: 0 };
    }
  }

  private ask(runner: AgentRunner, prompt: string, cwd: string, observer: GcObserver): Promise<DraftAgentAnswer> {
    return runReadOnly(
      runner,
      {
        prompt,
        cwd,
        phase: 'validation',
        allowedTools: READ_ONLY_TOOLS,
        timeoutMs: this.deps.config.review.timeout_secs * 1000,
      },
      observer,
      this.deps.redact,
    );
  }

  /** `[review] agent`, else the project's, else the default; refused at once when it is not installed. */
  private availableAgent(agent: string | undefined, project: Project): AgentRunner {
    const runner = this.deps.agents.select({ agent, projectDefault: project.defaultAgent });
    const found = this.deps.agents.availability().find((a) => a.name === runner.name);
    if (found !== undefined && !found.available)
      throw new AppError(
        'AGENT_UNAVAILABLE',
        `agent ${runner.name} (the reviewer: [review] agent, else the default agent) is not installed: install it or set [agents.${runner.name}] cli_path`,
      );
    return runner;
  }

  /** The first available agent other than the primary one, in registration order. */
  private secondAgent(primary: AgentRunner): AgentRunner | undefined {
    const available = this.deps.agents.availability().filter((a) => a.available && a.name !== primary.name);
    const [first] = available;
    return first === undefined ? undefined : this.deps.agents.get(first.name);
  }

  private now(): Date {
    return (this.deps.now ?? (() => new Date()))();
  }
}

/** Both reviews' findings, the first's first, each issue once (by id). */
function unmerged(first: ParsedReviewReport, second: ParsedReviewReport): ParsedReviewReport {
  const seen = new Set<string>();
  const findings: ReviewFinding[] = [];
  for (const finding of [...first.findings, ...second.findings]) {
    if (seen.has(finding.id)) continue;
    seen.add(finding.id);
    findings.push(finding);
  }
  return { summary: first.summary, findings, dropped: 0, duplicates: 0 };
}

/**
 * The `periodic_review` event of a run: `complete` when done, `warn` when failed (a person should
 * look); `tool` = strategy; `reason` = `findings=N strategy=S head=<12>` or the failure; `detail` =
 * JSON `{runId, head, previousHead, findings, strategy, agents, status}`.
 */
export function periodicReviewEvent(run: ReviewRun): TelemetryEventDraft {
  return {
    ts: run.finishedAt,
    project: run.project,
    hook: PERIODIC_REVIEW_HOOK,
    decision: run.status === 'done' ? 'complete' : 'warn',
    tool: run.strategy,
    reason:
      run.status === 'done'
        ? `findings=${String(run.findings.length)} strategy=${run.strategy} head=${short(run.head)}`
        : `failed: ${run.error ?? ''}`,
    detail: JSON.stringify({
      runId: run.id,
      head: run.head,
      previousHead: run.previousHead ?? null,
      findings: run.findings.length,
      strategy: run.strategy,
      agents: run.agents,
      status: run.status,
    }),
    durationMs: Math.max(0, Math.round(run.durationMs)),
  };
}

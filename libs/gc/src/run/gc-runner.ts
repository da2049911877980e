import type { EventStore, TelemetrySink } from '@agent-harness/observe';
import { confineToRoot, parseArtifacts } from '../artifacts/index.js';
import type { Draft, DraftArtifact, Signal } from '../gc.types.js';
import type { Drafts } from '../drafts/index.js';
import { gcDraftEvent, gcExpireEvent, gcRunEvent } from '../events/index.js';
import { draftPrompt } from '../prompts/index.js';
import { detectSignals } from '../signals/index.js';
import type { DraftAgent, GcProgress } from './draft-agent.js';
import { BUDGET_EPSILON_USD, type GcSettings } from './gc-settings.js';

/** A project GC looks at: the name its events are filed under, and its root (the agent reads it). @public */
export interface GcProject {
  readonly name: string;
  readonly root: string;
}

/** Why a signal got no draft this run. @public */
export type SkipReason = 'max_drafts' | 'budget' | 'already_drafted' | 'over_budget_stop';

/** @public */
export interface SkippedSignal {
  readonly signal: Signal;
  readonly reason: SkipReason;
  readonly detail: string;
}

/** What one GC run found, drafted, skipped and spent. @public */
export interface GcRunReport {
  readonly project: string;
  /** The window: events since the last run's checkpoint (absent: all) until the run started. */
  readonly since?: string | undefined;
  readonly until: string;
  readonly signals: readonly Signal[];
  readonly drafts: readonly Draft[];
  readonly skipped: readonly SkippedSignal[];
  /** Drafts that passed their TTL and were marked expired at the start of the run. */
  readonly expired: readonly string[];
  /** Agents that failed, an agent over its cap: the run did not do all it should. */
  readonly errors: readonly string[];
  /** What was refused from the answers (an artifact path outside the project…): the drafts hold the rest. */
  readonly problems: readonly string[];
  readonly spentUsd: number;
}

/** @public */
export interface GcRunnerDeps {
  readonly events: EventStore;
  readonly drafts: Drafts;
  readonly agent: DraftAgent;
  readonly settings: GcSettings;
  readonly telemetry?: TelemetrySink | undefined;
  readonly now?: (() => Date) | undefined;
}

const money = (usd: number): string => `$${usd.toFixed(2)}`;

/**
 * One GC run over a project: pending drafts past their TTL expire; the signals of the events since
 * the last run's checkpoint (its `gc_run` event) are detected; the first `max_drafts_per_run` get a
 * read-only agent run each, under `budget_per_signal_usd` and never past `total_budget_usd`; the
 * artifacts of each answer are parsed, confined to the project and stored as a pending draft.
 * The `gc_run` event written at the end is the next run's checkpoint: a run that fails half way
 * leaves the old one, so nothing is missed.
 * @public
 */
export class GcRunner {
  constructor(private readonly deps: GcRunnerDeps) {}

  async run(project: GcProject, progress: GcProgress = () => undefined): Promise<GcRunReport> {
    const { events, drafts, settings } = this.deps;
    const started = this.now();
    const until = started.toISOString();
    const expired = await drafts.expireStale(settings.draftTtlHours);
    for (const draft of expired) {
      this.deps.telemetry?.emit(gcExpireEvent({ draft }));
      progress(`draft ${draft.id} expired (pending more than ${String(settings.draftTtlHours)} h)`);
    }
    const since = (await events.latest({ hook: 'gc_run', project: project.name }))?.ts;
    const signals = await detectSignals(events, {
      project: project.name,
      since,
      until,
      thresholds: settings.thresholds,
      now: started,
    });
    progress(`${String(signals.length)} signals in ${project.name} since ${since ?? 'the first event'}`);

    const made: Draft[] = [];
    const skipped: SkippedSignal[] = [];
    const errors: string[] = [];
    const problems: string[] = [];
    let spent = 0;
    let stopped: string | undefined;
    for (const signal of signals) {
      const skip = (reason: SkipReason, detail: string): void => {
        skipped.push({ signal, reason, detail });
      };
      if (stopped !== undefined) {
        skip('over_budget_stop', stopped);
        continue;
      }
      if (made.length >= settings.maxDraftsPerRun) {
        skip('max_drafts', `max_drafts_per_run = ${String(settings.maxDraftsPerRun)}`);
        continue;
      }
      const pending = await drafts.pendingForSignal(project.name, signal.id);
      if (pending !== undefined) {
        skip('already_drafted', `pending draft ${pending.id}`);
        continue;
      }
      const remaining = settings.totalBudgetUsd - spent;
      if (remaining < BUDGET_EPSILON_USD) {
        skip('budget', `total_budget_usd ${money(settings.totalBudgetUsd)} spent`);
        continue;
      }
      const budget = Math.min(settings.budgetPerSignalUsd, remaining);
      progress(
        `drafting a fix for ${signal.type} (${signal.key}) with ${this.deps.agent.name}, budget ${money(budget)}`,
      );
      const answer = await this.deps.agent.run({
        prompt: draftPrompt(signal, project.name),
        cwd: project.root,
        budgetUsd: budget,
        allowedTools: settings.allowedTools,
      });
      // An agent that reports nothing is counted at its whole cap: GC never underestimates spending.
      const cost = answer.costUsd ?? budget;
      spent += cost;
      if (cost > budget + BUDGET_EPSILON_USD) {
        // The agent did not hold its cap: spending no more this run is the only safe answer.
        stopped = `${this.deps.agent.name} reported ${money(cost)} for one signal, over its cap of ${money(budget)}`;
        errors.push(`${stopped}: no more drafts this run`);
      }
      if (!answer.ok) {
        errors.push(`${signal.type} (${signal.key}): ${answer.message ?? 'the agent failed'}`);
        progress(`no draft for ${signal.type}: ${answer.message ?? 'the agent failed'}`);
        continue;
      }
      const parsed = parseArtifacts(answer.text);
      const artifacts: DraftArtifact[] = [];
      const refused = [...parsed.problems];
      for (const artifact of parsed.artifacts) {
        const confined = await confineToRoot(project.root, artifact.path);
        if (confined.ok) artifacts.push(artifact);
        else refused.push(`${artifact.path}: ${confined.error}`);
      }
      for (const problem of refused) problems.push(`${signal.type} (${signal.key}): ${problem}`);
      const draft = await drafts.create({
        project: project.name,
        signal,
        rationale: parsed.rationale,
        artifacts,
        agent: this.deps.agent.name,
        model: answer.model,
        costUsd: answer.costUsd,
      });
      made.push(draft);
      this.deps.telemetry?.emit(gcDraftEvent({ draft }));
      progress(`draft ${draft.id}: ${String(artifacts.length)} artifacts (${artifacts.map((a) => a.path).join(', ')})`);
    }

    const report: GcRunReport = {
      project: project.name,
      since,
      until,
      signals,
      drafts: made,
      skipped,
      expired: expired.map((d) => d.id),
      errors,
      problems,
      spentUsd: spent,
    };
    this.deps.telemetry?.emit(
      gcRunEvent({
        project: project.name,
        signals: signals.length,
        drafts: made.length,
        skipped: skipped.length,
        spentUsd: spent,
        errors: errors.length,
        durationMs: this.now().getTime() - started.getTime(),
        ts: until,
      }),
    );
    return report;
  }

  private now(): Date {
    return (this.deps.now ?? (() => new Date()))();
  }
}

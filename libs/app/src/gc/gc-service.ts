import { join } from 'node:path';
import type { AgentRegistry, AgentRunner } from '@agent-harness/agents';
import { AppError, type HarnessConfig } from '@agent-harness/core';
import {
  DraftDecisions,
  Drafts,
  GcRunner,
  Learner,
  READ_ONLY_TOOLS,
  type Draft,
  type DraftIndexEntry,
  type DraftListFilter,
  type DraftStatus,
  type GcRunReport,
  type GcSettings,
  type LearnReport,
} from '@agent-harness/gc';
import type { EventStore, TelemetrySink } from '@agent-harness/observe';
import { TypeOrmDraftIndex, type Database } from '@agent-harness/persistence';
import type { TaskEngine } from '@agent-harness/pipeline';
import { draftAgent, type GcObserver } from './draft-agent-runner.js';
import type { RulesService, ScannedProject } from '../rules/rules-service.js';
import type { SkillsService } from '../skills/skills-service.js';

/** `[gc]` as the GC runner reads it. */
export function gcSettings(config: HarnessConfig): GcSettings {
  const { gc } = config;
  return {
    maxDraftsPerRun: gc.max_drafts_per_run,
    budgetPerSignalUsd: gc.budget_per_signal_usd,
    totalBudgetUsd: gc.total_budget_usd,
    draftTtlHours: gc.draft_ttl_hours,
    allowedTools: gc.allowed_tools.length === 0 ? READ_ONLY_TOOLS : gc.allowed_tools,
    thresholds: {
      repeatedWarnMin: gc.signals.repeated_warn_min,
      chronicBlockMin: gc.signals.chronic_block_min,
      hotFileEditsMin: gc.signals.hot_file_edits_min,
      slowOpThresholdMs: gc.signals.slow_op_threshold_ms,
      slowOpCountMin: gc.signals.slow_op_count_min,
      escalationRatio: gc.signals.escalation_ratio,
      violationMin: gc.signals.violation_min,
    },
  };
}

/**
 * The GC learn pipeline for the CLI and the server: a run (a fresh rule scan, then signals and
 * drafts), the drafts (`<data_dir>/drafts/*.json`, indexed in the database), adopt (a normal task
 * on `harness/gc-<id>`) and reject, and learning rules and skills from adopted drafts.
 */
export class GcService {
  readonly drafts: Drafts;
  private readonly decisions: DraftDecisions;
  private readonly settings: GcSettings;

  constructor(
    private readonly deps: {
      readonly config: HarnessConfig;
      readonly dataSource: Database['dataSource'];
      readonly events: EventStore;
      readonly telemetry: TelemetrySink;
      readonly agents: AgentRegistry;
      readonly engine: TaskEngine;
      readonly rules: RulesService;
      readonly skills: SkillsService;
      /** Hides secret values in what agents answer, before it is stored. */
      readonly redact: (text: string) => string;
      readonly now?: (() => Date) | undefined;
    },
  ) {
    this.settings = gcSettings(deps.config);
    this.drafts = new Drafts({
      dir: join(deps.config.server.data_dir, 'drafts'),
      index: new TypeOrmDraftIndex(deps.dataSource),
      now: deps.now,
    });
    this.decisions = new DraftDecisions({
      drafts: this.drafts,
      telemetry: deps.telemetry,
      submit: (request) => deps.engine.submit(request),
    });
  }

  /** Repairs the index from the draft files after a crash between the two writes. */
  async open(): Promise<void> {
    await this.drafts.reconcile();
  }

  /** One GC run over a project: a rule scan first (fresh `linter_violations`), then signals and drafts. */
  async run(project: ScannedProject, observer: GcObserver = {}): Promise<GcRunReport> {
    const progress = (message: string): void => observer.progress?.(message);
    // No agent to draft with is the user's to fix: said before anything is scanned or written.
    const agent = draftAgent(this.availableAgent(), observer, this.deps.redact);
    progress(`scanning ${project.name} with its guards`);
    await this.deps.rules.scan(project);
    const runner = new GcRunner({
      events: this.deps.events,
      drafts: this.drafts,
      agent,
      settings: this.settings,
      telemetry: this.deps.telemetry,
      now: this.deps.now,
    });
    return runner.run(project, progress);
  }

  counts(project?: string): Promise<Record<DraftStatus, number>> {
    return this.drafts.counts(project);
  }

  list(filter: DraftListFilter): Promise<DraftIndexEntry[]> {
    return this.drafts.list(filter);
  }

  get(id: string): Promise<Draft> {
    return this.drafts.get(id);
  }

  adopt(id: string): Promise<{ readonly draft: Draft; readonly taskId: string }> {
    return this.decisions.adopt(id);
  }

  reject(id: string, reason?: string): Promise<Draft> {
    return this.decisions.reject(id, reason);
  }

  learnRules(project: ScannedProject, observer: GcObserver = {}): Promise<LearnReport> {
    return this.learner(observer).learnRules(project, (m) => observer.progress?.(m));
  }

  learnSkills(project: ScannedProject, observer: GcObserver = {}): Promise<LearnReport> {
    return this.learner(observer).learnSkills(project, (m) => observer.progress?.(m));
  }

  /** The default agent, refused at once when it is not installed (every draft would fail alike). */
  private availableAgent(): AgentRunner {
    const runner = this.deps.agents.select({});
    const found = this.deps.agents.availability().find((a) => a.name === runner.name);
    if (found !== undefined && !found.available)
      throw new AppError(
        'AGENT_UNAVAILABLE',
        `agent ${runner.name} ([agents] default_agent) is not installed: install it or set [agents.${runner.name}] cli_path`,
      );
    return runner;
  }

  private learner(observer: GcObserver): Learner {
    const { rules, skills } = this.deps;
    return new Learner({
      events: this.deps.events,
      drafts: this.drafts,
      agent: draftAgent(this.availableAgent(), observer, this.deps.redact),
      rules: rules.learned,
      existingRules: async (project) =>
        (await rules.loadRules(project)).rules.map((r) => ({ id: r.id, title: r.title })),
      skills: {
        names: async () => (await skills.discover()).skills.map((s) => s.name),
        create: async (name, content) => {
          await skills.create(name, content);
        },
      },
      budgetUsd: this.settings.budgetPerSignalUsd,
      allowedTools: this.settings.allowedTools,
      telemetry: this.deps.telemetry,
      now: this.deps.now,
    });
  }
}

import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import type { CommandSandbox, HarnessConfig } from '@agent-harness/core';
import {
  buildHealthReport,
  buildHealthReports,
  emptySeverityCounts,
  ruleCheckEvent,
  ruleScanEvent,
  type EventStore,
  type HealthReport,
  type HealthReports,
} from '@agent-harness/observe';
import {
  discoverRules,
  FileLearnedRuleStore,
  runGuards,
  type GuardScanResult,
  type RuleCatalogue,
} from '@agent-harness/rules';

/** A project to load rules for and scan: its name (what events are filed under) and root. */
export interface ScannedProject {
  readonly name: string;
  readonly root: string;
}

/** One scan: the catalogue it used, what the guards found, and the id its events carry. */
export interface RuleScan {
  readonly scanId: string;
  readonly project: string;
  readonly catalogue: RuleCatalogue;
  readonly result: GuardScanResult;
}

/** How old the dashboard's health reports may be: they read the event store, the dashboard must not. */
const DASHBOARD_HEALTH_MAX_AGE_MS = 5_000;

/** Guard output lines kept as `rule_check` events per scan (the scan's summary counts them all). */
const MAX_STORED_VIOLATIONS = 1000;

/**
 * Rules, guard scans and the health report: what `harness rule load|check`, `harness health`, the
 * dashboard's grade and the health scheduler share. A scan persists one `rule_scan` event and one
 * `rule_check` event per violation, written before it answers.
 */
export class RulesService {
  private healthCache: { readonly at: number; readonly reports: HealthReports } | undefined;
  private healthRefresh: Promise<HealthReports> | undefined;

  constructor(
    private readonly deps: {
      readonly config: HarnessConfig;
      readonly events: EventStore;
      readonly env: Readonly<Record<string, string | undefined>>;
      readonly homeDir?: string | undefined;
      readonly now?: (() => Date) | undefined;
      /** Guards run read-only in it, without network. */
      readonly sandbox?: CommandSandbox | undefined;
    },
  ) {
    this.learned = new FileLearnedRuleStore(join(deps.config.server.data_dir, 'rules', 'learned'));
  }

  /** The rules learned from adopted GC drafts (`<data_dir>/rules/learned`), kept across restarts. */
  readonly learned: FileLearnedRuleStore;

  /** The rule catalogue of a project: its own, the user's, `[rules] discovery_paths`, learned, built-in. */
  loadRules(project: ScannedProject): Promise<RuleCatalogue> {
    const { config } = this.deps;
    return discoverRules({
      projectRoot: project.root,
      homeDir: this.deps.homeDir,
      discoveryPaths: config.rules.discovery_paths,
      builtin: config.rules.builtin,
      learned: this.learned,
    });
  }

  /** Runs the project's guards against its rules and stores what they found. */
  async scan(project: ScannedProject): Promise<RuleScan> {
    const catalogue = await this.loadRules(project);
    const { sandbox } = this.deps;
    const result = await runGuards({
      projectRoot: project.root,
      catalogue,
      env: this.deps.env,
      sandbox: sandbox === undefined ? undefined : (command) => sandbox.wrapCommand(command, 'read-only'),
    });
    const scanId = randomUUID();
    const ts = this.now().toISOString();
    const violations = emptySeverityCounts();
    for (const v of result.violations) violations[v.severity] += 1;
    const scanEvent = ruleScanEvent({
      project: project.name,
      scanId,
      ts,
      durationMs: Math.round(result.durationMs),
      summary: {
        violations,
        rulesLoaded: catalogue.rules.length,
        guardsRun: result.guards.length,
        guardsFailed: result.problems.length,
      },
    });
    const checks = result.violations.slice(0, MAX_STORED_VIOLATIONS).map((v) =>
      ruleCheckEvent({
        project: project.name,
        scanId,
        ts,
        ruleId: v.ruleId,
        severity: v.severity,
        message: v.message,
        file: v.file,
        line: v.line === 0 ? undefined : v.line,
      }),
    );
    await this.deps.events.append([...checks, scanEvent].map((e) => ({ ...e, ts })));
    return { scanId, project: project.name, catalogue, result };
  }

  /** The health report of one project, or of all of them, over the last `windowMs` (default 30 days). */
  health(project?: string, windowMs?: number): Promise<HealthReport> {
    return buildHealthReport(this.deps.events, { project, now: this.now(), windowMs });
  }

  /**
   * The reports the dashboard shows (all projects, and each), at most 5 s old. Stale reports
   * answer at once while fresh ones are computed: only the very first request waits on the store.
   */
  async recentHealth(): Promise<HealthReports> {
    const now = this.now().getTime();
    const cached = this.healthCache;
    if (cached !== undefined && now - cached.at < DASHBOARD_HEALTH_MAX_AGE_MS) return cached.reports;
    const refreshing = (this.healthRefresh ??= buildHealthReports(this.deps.events, { now: this.now() })
      .then((reports) => {
        this.healthCache = { at: now, reports };
        return reports;
      })
      .finally(() => {
        this.healthRefresh = undefined;
      }));
    if (cached === undefined) return refreshing;
    // A failed refresh keeps the stale reports; the next request tries again.
    refreshing.catch(() => undefined);
    return cached.reports;
  }

  private now(): Date {
    return (this.deps.now ?? (() => new Date()))();
  }
}

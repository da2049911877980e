import type { EventStore, TelemetrySink } from '@agent-harness/observe';
import type { LearnedRuleStore } from '@agent-harness/rules';
import type { Draft } from '../gc.types.js';
import type { Drafts } from '../drafts/index.js';
import { learnEvent } from '../events/index.js';
import { learnRulesPrompt, learnSkillsPrompt, parseLearnedRules, parseLearnedSkills } from '../learning/index.js';
import type { DraftAgent, GcProgress } from './draft-agent.js';
import type { GcProject } from './gc-runner.js';

/** Where learned skills go (the data tier of `@agent-harness/skills`). @public */
export interface SkillWriter {
  names(): Promise<readonly string[]>;
  create(name: string, content: string): Promise<void>;
}

/** @public */
export interface LearnerDeps {
  readonly events: EventStore;
  readonly drafts: Drafts;
  readonly agent: DraftAgent;
  /** Learned rules, persisted (`<data_dir>/rules/learned`): scans load them at once. */
  readonly rules: LearnedRuleStore;
  /** Every rule the project has now (id and title), so learned ones are not duplicates. */
  readonly existingRules: (project: GcProject) => Promise<readonly { readonly id: string; readonly title: string }[]>;
  readonly skills: SkillWriter;
  readonly budgetUsd: number;
  readonly allowedTools: readonly string[];
  readonly telemetry?: TelemetrySink | undefined;
  readonly now?: (() => Date) | undefined;
}

/** What one learning run read, learned and skipped. @public */
export interface LearnReport {
  readonly kind: 'rules' | 'skills';
  readonly project: string;
  /** Adopted drafts read (those adopted since the last run of this kind). */
  readonly drafts: number;
  /** Rule ids or skill names now in effect. */
  readonly learned: readonly string[];
  readonly duplicates: readonly string[];
  readonly problems: readonly string[];
  readonly costUsd?: number | undefined;
}

/** Adopted drafts read per learning run, newest first. */
const MAX_DRAFTS_PER_LEARN = 50;

/**
 * `learn_rules` / `learn_skills`: an agent reads the drafts adopted since the last run of the same
 * kind (its `learn_rules`/`learn_skills` event is the checkpoint) and proposes rules or skills;
 * they are parsed, checked, deduplicated and persisted, so the next scan and the next task's
 * prompt use them, and a restart keeps them.
 * @public
 */
export class Learner {
  constructor(private readonly deps: LearnerDeps) {}

  async learnRules(project: GcProject, progress: GcProgress = () => undefined): Promise<LearnReport> {
    return this.learn('rules', project, progress, async (drafts) => {
      const existing = await this.deps.existingRules(project);
      const answer = await this.ask(
        learnRulesPrompt(
          drafts,
          existing.map((r) => r.id),
        ),
        project,
      );
      if (!answer.ok) return { learned: [], duplicates: [], problems: [answer.message], costUsd: answer.costUsd };
      const parsed = parseLearnedRules(answer.text, existing);
      const learned: string[] = [];
      const problems = [...parsed.problems];
      for (const rule of parsed.rules) {
        try {
          learned.push((await this.deps.rules.save(rule)).id);
        } catch (error) {
          problems.push(error instanceof Error ? error.message : String(error));
        }
      }
      return { learned, duplicates: parsed.duplicates, problems, costUsd: answer.costUsd };
    });
  }

  async learnSkills(project: GcProject, progress: GcProgress = () => undefined): Promise<LearnReport> {
    return this.learn('skills', project, progress, async (drafts) => {
      const existing = await this.deps.skills.names();
      const answer = await this.ask(learnSkillsPrompt(drafts, existing), project);
      if (!answer.ok) return { learned: [], duplicates: [], problems: [answer.message], costUsd: answer.costUsd };
      const parsed = parseLearnedSkills(answer.text, existing);
      const learned: string[] = [];
      const problems = [...parsed.problems];
      for (const skill of parsed.skills) {
        try {
          await this.deps.skills.create(skill.name, skill.content);
          learned.push(skill.name);
        } catch (error) {
          problems.push(error instanceof Error ? error.message : String(error));
        }
      }
      return { learned, duplicates: parsed.duplicates, problems, costUsd: answer.costUsd };
    });
  }

  private async learn(
    kind: 'rules' | 'skills',
    project: GcProject,
    progress: GcProgress,
    work: (drafts: readonly Draft[]) => Promise<Omit<LearnReport, 'kind' | 'project' | 'drafts'>>,
  ): Promise<LearnReport> {
    const started = this.now().toISOString();
    const drafts = await this.adoptedSince(kind, project.name);
    if (drafts.length === 0) {
      progress(`no drafts adopted in ${project.name} since the last learn ${kind}: nothing to learn`);
      return { kind, project: project.name, drafts: 0, learned: [], duplicates: [], problems: [] };
    }
    progress(`learning ${kind} from ${String(drafts.length)} adopted drafts with ${this.deps.agent.name}`);
    const result = await work(drafts);
    // The checkpoint of the next run: awaited, so a second run right after never reads these drafts again.
    await this.deps.events.append([
      {
        ...learnEvent({
          kind,
          project: project.name,
          learned: result.learned,
          drafts: drafts.length,
          costUsd: result.costUsd,
        }),
        ts: started,
      },
    ]);
    return { kind, project: project.name, drafts: drafts.length, ...result };
  }

  /** Drafts of the project adopted after the last learning run of this kind. */
  private async adoptedSince(kind: 'rules' | 'skills', project: string): Promise<Draft[]> {
    const last = await this.deps.events.latest({ hook: kind === 'rules' ? 'learn_rules' : 'learn_skills', project });
    const adopted = await this.deps.drafts.list({ project, status: 'adopted', limit: 1000 });
    const fresh = adopted
      .filter((entry) => last === undefined || (entry.statusChangedAt ?? entry.generatedAt) > last.ts)
      .slice(0, MAX_DRAFTS_PER_LEARN);
    return Promise.all(fresh.map((entry) => this.deps.drafts.get(entry.id)));
  }

  private async ask(
    prompt: string,
    project: GcProject,
  ): Promise<
    | { ok: true; text: string; costUsd?: number | undefined }
    | { ok: false; message: string; costUsd?: number | undefined }
  > {
    const answer = await this.deps.agent.run({
      prompt,
      cwd: project.root,
      budgetUsd: this.deps.budgetUsd,
      allowedTools: this.deps.allowedTools,
    });
    return answer.ok
      ? { ok: true, text: answer.text, costUsd: answer.costUsd }
      : { ok: false, message: `the agent failed: ${answer.message ?? 'no answer'}`, costUsd: answer.costUsd };
  }

  private now(): Date {
    return (this.deps.now ?? (() => new Date()))();
  }
}

import { join } from 'node:path';
import { AppError, type HarnessConfig } from '@agent-harness/core';
import type { EventStore, TelemetrySink } from '@agent-harness/observe';
import type { SkillRequest, TaskSkills } from '@agent-harness/pipeline';
import type { TaskRepository } from '@agent-harness/queue';
import {
  discoverSkills,
  FileGovernanceStore,
  matchSkills,
  relevantSkillsSection,
  runGovernanceTick,
  SkillStore,
  skillUsedEvent,
  type Skill,
  type SkillGovernanceState,
} from '@agent-harness/skills';

/** A skill as `harness skill list` shows it: where it comes from, its governance, how often it was used. */
export interface ListedSkill {
  readonly skill: Skill;
  readonly governance?: SkillGovernanceState | undefined;
  readonly uses: number;
}

/**
 * Skills for Harness: discovery by tier (project, `~/.harness/skills`, `<data_dir>/skills`,
 * built-in), the "Relevant skills" section of task prompts with each use recorded as a
 * `skill_used` event, create/delete in `<data_dir>/skills`, and daily governance scoring.
 */
export class SkillsService implements TaskSkills {
  private readonly governance: FileGovernanceStore;
  readonly store: SkillStore;

  constructor(
    private readonly deps: {
      readonly config: HarnessConfig;
      readonly events: EventStore;
      readonly telemetry: TelemetrySink;
      readonly tasks: TaskRepository;
      readonly homeDir?: string | undefined;
      readonly now?: (() => Date) | undefined;
    },
  ) {
    this.governance = new FileGovernanceStore(join(deps.config.server.data_dir, 'skill-governance.json'));
    // Deleting a skill, or creating it anew, resets its governance (how a retired skill comes back).
    this.store = new SkillStore(join(deps.config.server.data_dir, 'skills'), { governance: this.governance });
  }

  /** Every skill a project sees (the highest tier wins a name), and what could not be read. */
  discover(projectRoot?: string): ReturnType<typeof discoverSkills> {
    return discoverSkills({
      projectRoot,
      homeDir: this.deps.homeDir,
      dataDir: this.deps.config.server.data_dir,
      builtin: this.deps.config.skills.builtin,
    });
  }

  async forTask(request: SkillRequest): Promise<{ section: string; used: readonly string[] }> {
    const [{ skills }, states] = await Promise.all([this.discover(request.projectRoot), this.governance.load()]);
    const matched = matchSkills(skills, request.text, {
      governance: (id) => states.get(id),
      canaryKey: request.taskId,
    });
    const section = relevantSkillsSection(matched, this.deps.config.skills.max_prompt_chars);
    const ts = this.now().toISOString();
    for (const skill of section.included)
      this.deps.telemetry.emit(
        skillUsedEvent({
          project: request.project,
          taskId: request.taskId,
          skillId: skill.id,
          skillName: skill.name,
          ts,
        }),
      );
    return { section: section.text, used: section.included.map((s) => s.name) };
  }

  /** The skills a project sees, optionally those whose name or description holds `query`. */
  async list(options: { projectRoot?: string | undefined; query?: string | undefined } = {}): Promise<ListedSkill[]> {
    const [{ skills }, states, uses] = await Promise.all([
      this.discover(options.projectRoot),
      this.governance.load(),
      this.deps.events.countBy({ hook: 'skill_used' }, ['tool']),
    ]);
    const usesOf = new Map(uses.map((u) => [u.tool, u.count]));
    const query = options.query?.toLowerCase();
    return skills
      .filter(
        (s) =>
          query === undefined || s.name.toLowerCase().includes(query) || s.description.toLowerCase().includes(query),
      )
      .map((skill) => ({ skill, governance: states.get(skill.id), uses: usesOf.get(skill.id) ?? 0 }));
  }

  /** Creates (or with `replace`, replaces) a skill in `<data_dir>/skills`. */
  create(name: string, content: string, replace = false): Promise<Skill> {
    return this.store.create(name, content, { replace });
  }

  /** Deletes a skill of `<data_dir>/skills`; other tiers are files the user owns. */
  async delete(name: string): Promise<void> {
    if (!(await this.store.delete(name))) {
      const other = (await this.discover()).skills.find((s) => s.name === name);
      throw new AppError(
        'NOT_FOUND',
        other === undefined
          ? `no skill named ${JSON.stringify(name)}`
          : `skill ${JSON.stringify(name)} is a ${other.tier} skill${other.path === undefined ? '' : ` (${other.path})`}: only skills created with harness skill create or learned can be deleted here`,
      );
    }
  }

  /** One governance tick: scores skills from `skill_used` events and the outcomes of their tasks. */
  governanceTick(): ReturnType<typeof runGovernanceTick> {
    return runGovernanceTick({
      events: this.deps.events,
      store: this.governance,
      telemetry: this.deps.telemetry,
      now: this.now(),
      taskOutcomes: async (ids) => {
        const outcomes = new Map<string, 'success' | 'fail' | 'unknown'>();
        for (const id of ids) {
          const task = await this.deps.tasks.get(id);
          outcomes.set(id, task?.status === 'done' ? 'success' : task?.status === 'failed' ? 'fail' : 'unknown');
        }
        return outcomes;
      },
    });
  }

  private now(): Date {
    return (this.deps.now ?? (() => new Date()))();
  }
}

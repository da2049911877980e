import type { SkillGovernanceState } from './governance.types.js';
import { recordSkillUse } from './record-use.js';

/**
 * Where governance state lives between ticks, keyed by skill id. `update`, `recordUse` and `reset`
 * run one at a time per store object (load, change, save), so a use recorded while a tick scores
 * is not lost. Separate processes sharing one store are not serialized.
 * @public
 */
export abstract class GovernanceStore {
  private queue: Promise<unknown> = Promise.resolve();

  /** Every state. Throws (never returns an empty map) when stored state cannot be read. */
  abstract load(): Promise<Map<string, SkillGovernanceState>>;

  /** Replaces every state. */
  abstract save(states: ReadonlyMap<string, SkillGovernanceState>): Promise<void>;

  /** Loads, applies `change`, saves what it returns, and resolves to that. */
  update(
    change: (states: Map<string, SkillGovernanceState>) => ReadonlyMap<string, SkillGovernanceState>,
  ): Promise<ReadonlyMap<string, SkillGovernanceState>> {
    const run = this.queue.then(async () => {
      const next = change(await this.load());
      await this.save(next);
      return next;
    });
    // The next update waits for this one, whether it worked or not.
    this.queue = run.catch(() => undefined);
    return run;
  }

  /** Counts one injection of each skill at `at` (`usageCount`, `lastUsedAt`). */
  async recordUse(skillIds: readonly string[], at: Date): Promise<void> {
    if (skillIds.length === 0) return;
    await this.update((states) => recordSkillUse(states, skillIds, at));
  }

  /**
   * Forgets the skills' records, so they start again as `active` with the initial score: how a
   * person revives a retired skill (`SkillStore.delete` and re-creating do it for data-tier skills).
   */
  async reset(skillIds: readonly string[]): Promise<void> {
    if (skillIds.length === 0) return;
    await this.update((states) => {
      for (const skillId of skillIds) states.delete(skillId);
      return states;
    });
  }
}

/** A GovernanceStore in memory, for tests and one-shot runs. @public */
export class InMemoryGovernanceStore extends GovernanceStore {
  private states: Map<string, SkillGovernanceState>;

  constructor(initial: Iterable<SkillGovernanceState> = []) {
    super();
    this.states = new Map([...initial].map((state) => [state.skillId, { ...state }]));
  }

  load(): Promise<Map<string, SkillGovernanceState>> {
    return Promise.resolve(new Map([...this.states].map(([id, state]) => [id, { ...state }])));
  }

  save(states: ReadonlyMap<string, SkillGovernanceState>): Promise<void> {
    this.states = new Map([...states].map(([id, state]) => [id, { ...state }]));
    return Promise.resolve();
  }
}

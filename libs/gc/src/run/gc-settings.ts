import type { SignalThresholds } from '../gc.types.js';

/** `[gc]`: how much a run drafts and spends, how long drafts stay pending, what the agent may use. @public */
export interface GcSettings {
  readonly maxDraftsPerRun: number;
  readonly budgetPerSignalUsd: number;
  readonly totalBudgetUsd: number;
  readonly draftTtlHours: number;
  readonly allowedTools: readonly string[];
  readonly thresholds: SignalThresholds;
}

/** The tools a draft or learning run may use: it reads the project, it never changes it. @public */
export const READ_ONLY_TOOLS: readonly string[] = ['Read', 'Grep', 'Glob'];

/** Costs below a hundredth of a cent are rounding: a budget that small is spent. */
export const BUDGET_EPSILON_USD = 0.0001;

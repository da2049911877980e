import { parsePlanUpdate, planProgress, planToJson, type ExecPlan, type ExecPlanJson } from '@agent-harness/plans';
import { projectOf } from '../input/project-input.js';
import { defineOperation } from '../operation.js';
import { projectName, type ProjectPorts } from '../project-ports.js';
import { PlanIdInput, PlanInitInput, PlanListInput, PlanUpdateInput } from './plan-inputs.js';
import type { PlansService } from './plans-service.js';

/** The ports of the plan operations. */
export interface PlanPorts extends ProjectPorts {
  readonly plans: Pick<PlansService, 'init' | 'get' | 'list' | 'update' | 'markdown'>;
}

/** A plan as the operations answer it: its JSON, its progress and its Markdown (what `plan init` writes). */
export interface PlanAnswer {
  readonly plan: ExecPlanJson;
  readonly progress: PlanProgress;
  readonly markdown: string;
}

/** Milestones done of all. */
export type PlanProgress = ReturnType<typeof planProgress>;

function answer(ports: PlanPorts, plan: ExecPlan): PlanAnswer {
  return { plan: planToJson(plan), progress: planProgress(plan), markdown: ports.plans.markdown(plan) };
}

export const planInit = defineOperation({
  name: 'exec_plan_init',
  summary: 'Make an exec plan from a spec (Markdown; its first # heading is the purpose)',
  input: PlanInitInput,
  async execute(ports: PlanPorts, input): Promise<PlanAnswer> {
    const plan = await ports.plans.init({ spec: input.spec, project: await projectName(ports, projectOf(input)) });
    return answer(ports, plan);
  },
});

export const planUpdate = defineOperation({
  name: 'exec_plan_update',
  summary: 'Change a plan: activate, complete or add a milestone, note a decision, …',
  input: PlanUpdateInput,
  async execute(ports: PlanPorts, input): Promise<PlanAnswer> {
    return answer(ports, await ports.plans.update(input.plan_id, parsePlanUpdate(input.update, 'update')));
  },
});

export const planStatus = defineOperation({
  name: 'exec_plan_status',
  summary: 'A plan with its progress and Markdown',
  input: PlanIdInput,
  async execute(ports: PlanPorts, input): Promise<PlanAnswer> {
    return answer(ports, await ports.plans.get(input.plan_id));
  },
});

export const planList = defineOperation({
  name: 'exec_plan_list',
  // Each plan's `progress` is its count of milestones done, not its progress log.
  summary: 'Plans, by project and status, each with its progress',
  input: PlanListInput,
  async execute(
    ports: PlanPorts,
    input,
  ): Promise<{ plans: (Omit<ExecPlanJson, 'progress'> & { progress: PlanProgress })[] }> {
    const plans = await ports.plans.list({ project: await projectName(ports, projectOf(input)), status: input.status });
    return { plans: plans.map((plan) => ({ ...planToJson(plan), progress: planProgress(plan) })) };
  },
});

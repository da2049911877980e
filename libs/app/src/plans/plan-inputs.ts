import { PLAN_LIMITS, PLAN_STATUSES, type PlanStatus } from '@agent-harness/plans';
import { IsIn, IsObject, IsString, Length, Matches } from 'class-validator';
import { Given, NoNulBytes } from '../input/input-rules.js';
import { ProjectInput } from '../input/project-input.js';
import { PLAN_ID } from '../tasks/task-inputs.js';

/** `exec_plan_status`. */
export class PlanIdInput {
  /** A plan's id or a unique prefix of it. */
  @IsString()
  @Matches(PLAN_ID, { message: 'plan_id must be a plan id (hex characters)' })
  plan_id!: string;
}

/** `exec_plan_init`: a plan made from a spec. */
export class PlanInitInput extends ProjectInput {
  /** The spec's Markdown: its first `#` heading is the plan's purpose. */
  @IsString()
  @Length(1, PLAN_LIMITS.specChars, {
    message: `spec must be 1 to ${String(PLAN_LIMITS.specChars)} characters of Markdown`,
  })
  @NoNulBytes()
  spec!: string;
}

/** `exec_plan_update`. */
export class PlanUpdateInput extends PlanIdInput {
  /** `{action, ...}`: checked by `parsePlanUpdate` (@agent-harness/plans). */
  @IsObject({ message: 'update must be an object such as {"action": "activate"}' })
  update!: Record<string, unknown>;
}

/** `exec_plan_list`. */
export class PlanListInput extends ProjectInput {
  @Given()
  @IsIn([...PLAN_STATUSES], { message: `status must be one of ${PLAN_STATUSES.join(', ')}` })
  status?: PlanStatus | undefined;
}

import { Given, IntInRange, ProjectInput, TaskIdInput } from '@agent-harness/app';
import { IsBoolean, IsString, Length, Matches } from 'class-validator';

// The params of the methods that only JSON-RPC has (following a task, jobs); the other methods
// take their operation's input class (@agent-harness/app).

export class TaskSubscribeParams extends TaskIdInput {
  /** Replay stored events after this sequence number first (0: all). */
  @Given()
  @IntInRange(0, Number.MAX_SAFE_INTEGER, 'after_seq must be a non-negative integer')
  after_seq?: number;
}

export class JobIdParams {
  @IsString()
  @Matches(/^[0-9a-f-]{36}$/, { message: 'job_id must be a job id' })
  job_id!: string;
}

/** `gc_run`, `learn_rules`, `learn_skills`: they answer when done, or at once with a job id (`async`). */
export class LongCallParams extends ProjectInput {
  @Given()
  @IsBoolean({ message: 'async must be true or false' })
  async?: boolean;
}

/**
 * `cross_review`, with the original's params: `target` and `max_rounds` are read from its callers and
 * not used (the review is of the project's head: two independent reviews and one merge).
 */
export class CrossReviewParams extends LongCallParams {
  @Given()
  @IsString()
  @Length(1, 500)
  target?: string;

  @Given()
  @IntInRange(1, 10, 'max_rounds must be an integer from 1 to 10')
  max_rounds?: number;
}

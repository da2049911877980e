import {
  boundOperation,
  crossReviewAnswer,
  NoInput,
  OPERATIONS,
  projectOf,
  scannedProject,
  TaskIdInput,
  type OperationName,
  type OperationOutput,
} from '@agent-harness/app';
import { AppError, type TaskStreamEvent } from '@agent-harness/core';
import { resolveTaskId } from '@agent-harness/queue';
import type { Harness } from '@agent-harness/runtime';
import type { RpcJobs } from './rpc-jobs.js';
import { CrossReviewParams, JobIdParams, LongCallParams, TaskSubscribeParams } from './rpc-params.js';
import type { RpcSession } from './rpc-session.js';
import { taskStreamEvent } from '../tasks/task-stream.js';

/** One method: the DTO its params must satisfy, and what it does with them. */
export interface RpcMethod {
  readonly params: new () => object;
  handle(params: object, session: RpcSession): Promise<unknown>;
  /** A long call: answered when its job ends, so a transport does not hold later messages for it. */
  readonly long?: true | undefined;
}

function method<P extends object>(
  params: new () => P,
  handle: (params: P, session: RpcSession) => Promise<unknown>,
): RpcMethod {
  return { params, handle };
}

/** A long call's method (see `RpcMethod.long`). */
function longMethod<P extends object>(
  params: new () => P,
  handle: (params: P, session: RpcSession) => Promise<unknown>,
): RpcMethod {
  return { params, handle, long: true };
}

/**
 * Answers kept for clients of older releases, added to the operation's own: `task_cancel` answered
 * `{task_id, status}` before it answered the task (`status` is in both).
 */
const RPC_ANSWER_EXTRAS: { readonly [N in OperationName]?: (output: OperationOutput<N>) => object } = {
  task_cancel: (task) => ({ task_id: task.id }),
};

/**
 * The one method table of every JSON-RPC transport (`POST /rpc`, `/ws`, stdio): one method per
 * operation of @agent-harness/app (its name, its input class, its answer), and the few that only
 * JSON-RPC has: following a task's events, and the long calls (`gc_run`, `learn_*`), which run as
 * jobs (answered at their end, or by job id with `async`).
 */
export class RpcMethodTable {
  private readonly methods: ReadonlyMap<string, RpcMethod>;

  constructor(
    private readonly harness: Harness,
    private readonly jobs: RpcJobs,
    extra: Readonly<Record<string, RpcMethod>> = {},
  ) {
    this.methods = new Map(Object.entries({ ...this.build(), ...extra }));
  }

  get(name: string): RpcMethod | undefined {
    return this.methods.get(name);
  }

  names(): string[] {
    return [...this.methods.keys()].sort();
  }

  /**
   * Follows a task's events (`TaskEngine.follow`: stored after `afterSeq`, then live, until its
   * `end`); the function it returns stops following. Undefined when it ended at once.
   */
  followTask(
    taskId: string,
    afterSeq: number,
    onEvent: (event: TaskStreamEvent) => void,
    onEnd: () => void,
  ): (() => void) | undefined {
    const state = { ended: false };
    const ended = (): void => {
      state.ended = true;
      onEnd();
    };
    const subscription = this.harness.engine.follow(taskId, afterSeq).subscribe({
      next: (event) => {
        onEvent(taskStreamEvent(event));
      },
      complete: ended,
      // The database closed under a shutdown: nothing more to follow.
      error: ended,
    });
    return state.ended
      ? undefined
      : () => {
          subscription.unsubscribe();
        };
  }

  /**
   * Runs a long call as a job. By default the answer waits for its end, as the original harness's
   * did (its usage guide: "learn_rules is synchronous"): the job's result, or its error; progress
   * still goes to a session that can be pushed to, as `job/progress`. With `async`, the answer is
   * the job id at once and the end comes as `job/completed` (or from `job_status`).
   */
  private async runJob(
    session: RpcSession,
    kind: string,
    project: string,
    async: boolean,
    work: (progress: (message: string) => void) => Promise<unknown>,
  ): Promise<unknown> {
    const { job, ended } = this.jobs.start(
      kind,
      project,
      {
        progress: (j, message) => {
          session.notify('job/progress', { job_id: j.job_id, kind: j.kind, message });
        },
        finished: (j) => {
          if (!async) return;
          session.notify('job/completed', {
            job_id: j.job_id,
            kind: j.kind,
            status: j.status,
            ...(j.status === 'done' ? { result: j.result } : { error: j.error }),
          });
        },
      },
      work,
    );
    if (async) return { job_id: job.job_id, status: job.status };
    await ended;
    if (job.status === 'done') return job.result;
    const error = job.error ?? { code: 'INTERNAL' as const, message: `${kind} failed` };
    throw new AppError(error.code, error.message, { details: { job_id: job.job_id } });
  }

  /**
   * A method for each operation of @agent-harness/app, with the operation's name and input class:
   * the same checks and answers as REST. A session that can push follows the task it starts.
   */
  private operationMethods(): Record<string, RpcMethod> {
    const names = Object.keys(OPERATIONS) as OperationName[];
    return Object.fromEntries(
      names.map((name) => {
        const call = boundOperation(this.harness.operations, name);
        const extra = RPC_ANSWER_EXTRAS[name] as ((output: unknown) => object) | undefined;
        const handle = async (params: object, session: RpcSession): Promise<unknown> => {
          const follow = (taskId: string, afterSeq: number): void => {
            session.follow(taskId, afterSeq);
          };
          const output = await call(params, { follow });
          return extra === undefined ? output : { ...extra(output), ...(output as object) };
        };
        return [name, { params: OPERATIONS[name].input, handle }];
      }),
    );
  }

  private build(): Record<string, RpcMethod> {
    const { harness } = this;
    return {
      ...this.operationMethods(),
      task_subscribe: method(TaskSubscribeParams, async ({ task_id, after_seq }, session) => {
        if (!session.canPush)
          throw new AppError(
            'UNSUPPORTED',
            'this transport cannot send notifications: use the WebSocket (/ws) or stdio, or GET /tasks/:id/stream',
          );
        const id = await resolveTaskId(harness.tasks, task_id);
        session.follow(id, after_seq ?? 0);
        return { task_id: id, subscribed: true };
      }),
      task_unsubscribe: method(TaskIdInput, async ({ task_id }, session) => {
        const id = await resolveTaskId(harness.tasks, task_id);
        return { task_id: id, unsubscribed: session.unfollow(id) };
      }),
      // GC and learning are jobs: the answer waits for the end unless `async` asks for the job id.
      gc_run: longMethod(LongCallParams, async (input, session) => {
        const target = await scannedProject(harness, projectOf(input));
        return this.runJob(session, 'gc_run', target.name, input.async === true, (progress) =>
          harness.gc.run(target, { progress }),
        );
      }),
      learn_rules: longMethod(LongCallParams, async (input, session) => {
        const target = await scannedProject(harness, projectOf(input));
        return this.runJob(session, 'learn_rules', target.name, input.async === true, (progress) =>
          harness.gc.learnRules(target, { progress }),
        );
      }),
      learn_skills: longMethod(LongCallParams, async (input, session) => {
        const target = await scannedProject(harness, projectOf(input));
        return this.runJob(session, 'learn_skills', target.name, input.async === true, (progress) =>
          harness.gc.learnSkills(target, { progress }),
        );
      }),
      // The original's cross review: the periodic review of the head now, by two agents and a merge.
      cross_review: longMethod(CrossReviewParams, async (input, session) => {
        const target = await scannedProject(harness, projectOf(input));
        return this.runJob(session, 'cross_review', target.name, input.async === true, async (progress) => {
          const outcome = await harness.reviews.run(target.name, { force: true, strategy: 'cross' }, { progress });
          const run = outcome.status === 'skipped' ? undefined : await harness.reviews.get(outcome.runId);
          return crossReviewAnswer(outcome, run);
        });
      }),
      job_status: method(JobIdParams, ({ job_id }) => Promise.resolve(this.jobs.get(job_id))),
      methods: method(NoInput, () => Promise.resolve({ methods: this.names() })),
    };
  }
}

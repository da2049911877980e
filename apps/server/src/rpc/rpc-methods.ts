import { boundOperation, OPERATIONS, ProjectInput, TaskIdInput, type OperationName } from '@agent-harness/app';
import { AppError, type TaskStreamEvent } from '@agent-harness/core';
import { resolveTaskId, type Project } from '@agent-harness/queue';
import type { Harness, ScannedProject } from '@agent-harness/runtime';
import type { RpcJob, RpcJobs } from './rpc-jobs.js';
import {
  DraftIdParams,
  DraftListParams,
  DraftRejectParams,
  EventQueryParams,
  JobIdParams,
  NoParams,
  SkillCreateParams,
  SkillDeleteParams,
  SkillIdParams,
  SkillListParams,
  TaskSubscribeParams,
} from './rpc-params.js';
import type { RpcSession } from './rpc-session.js';
import { taskStreamEvent } from '../tasks/task-stream.js';

/** One method: the DTO its params must satisfy, and what it does with them. */
export interface RpcMethod {
  readonly params: new () => object;
  handle(params: object, session: RpcSession): Promise<unknown>;
}

function method<P extends object>(
  params: new () => P,
  handle: (params: P, session: RpcSession) => Promise<unknown>,
): RpcMethod {
  return { params, handle };
}

/**
 * Answers kept for clients of older releases, added to the operation's own: `task_cancel` answered
 * `{task_id, status}` before it answered the task (`status` is in both).
 */
const RPC_ANSWER_EXTRAS: Partial<Record<OperationName, (output: { id: string }) => object>> = {
  task_cancel: (task) => ({ task_id: task.id }),
};

const MAX_VIOLATIONS_SHOWN = 1000;

/**
 * The one method table of every JSON-RPC transport (`POST /rpc`, `/ws`, stdio). Each method calls
 * the same application services the REST controllers and the CLI do; params are checked like REST
 * bodies. Long calls (`gc_run`, `learn_*`) answer a job id at once and report by notification.
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

  private async project(given: string | undefined): Promise<Project> {
    return this.harness.engine.resolveProject(given);
  }

  private async scanned(given: string | undefined): Promise<ScannedProject> {
    const { name, root } = await this.project(given);
    return { name, root };
  }

  /** Starts a long call; its progress and end go to the session as `job/progress` and `job/completed`. */
  private startJob(
    session: RpcSession,
    kind: string,
    project: string,
    work: (progress: (message: string) => void) => Promise<unknown>,
  ): { job_id: string; status: RpcJob['status'] } {
    const job = this.jobs.start(
      kind,
      project,
      {
        progress: (j, message) => {
          session.notify('job/progress', { job_id: j.job_id, kind: j.kind, message });
        },
        finished: (j) => {
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
    return { job_id: job.job_id, status: job.status };
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
        const extra = RPC_ANSWER_EXTRAS[name];
        const handle = async (params: object, session: RpcSession): Promise<unknown> => {
          const follow = (taskId: string, afterSeq: number): void => {
            session.follow(taskId, afterSeq);
          };
          const output = await call(params, { follow });
          return extra === undefined ? output : { ...extra(output as { id: string }), ...(output as object) };
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
      agent_list: method(NoParams, () =>
        Promise.resolve({ default_agent: harness.agents.defaultAgent, agents: harness.agents.availability() }),
      ),

      // Rules and health.
      rule_load: method(ProjectInput, async ({ project }) => {
        const catalogue = await harness.rules.loadRules(await this.scanned(project));
        return {
          rules_count: catalogue.rules.length,
          rules: catalogue.rules.map((r) => ({ id: r.id, title: r.title, severity: r.severity, source: r.source })),
          problems: catalogue.problems,
        };
      }),
      rule_check: method(ProjectInput, async ({ project }) => {
        const scan = await harness.rules.scan(await this.scanned(project));
        const { violations, problems } = scan.result;
        return {
          scan_id: scan.scanId,
          project: scan.project,
          violation_count: violations.length,
          violations: violations.slice(0, MAX_VIOLATIONS_SHOWN),
          problems,
        };
      }),
      health_check: method(ProjectInput, async ({ project }) =>
        harness.rules.health(project === undefined ? undefined : (await this.project(project)).name),
      ),
      event_query: method(EventQueryParams, async (p) => {
        const events = await harness.events.query({
          project: p.project,
          taskId: p.task_id,
          sessionId: p.session_id,
          hook: p.hook,
          tool: p.tool,
          decision: p.decision,
          severity: p.severity,
          since: p.since,
          until: p.until,
          beforeId: p.before_id,
          limit: p.limit ?? 100,
          includeContent: p.include_content ?? false,
        });
        return { events };
      }),

      // Skills.
      skill_list: method(SkillListParams, async ({ project, query }) => {
        const root = project === undefined ? undefined : (await this.project(project)).root;
        const skills = await harness.skills.list({ projectRoot: root, query });
        return {
          skills: skills.map(({ skill, governance, uses }) => ({
            id: skill.id,
            name: skill.name,
            tier: skill.tier,
            description: skill.description,
            version: skill.version,
            trigger_patterns: skill.triggerPatterns,
            status: governance?.status ?? 'active',
            uses,
          })),
        };
      }),
      skill_get: method(SkillIdParams, async ({ skill_id }) => {
        const skills = await harness.skills.list();
        const found = skills.find((s) => s.skill.id === skill_id) ?? skills.find((s) => s.skill.name === skill_id);
        if (found === undefined) throw new AppError('NOT_FOUND', `no skill ${skill_id}`);
        const { skill, governance, uses } = found;
        return {
          id: skill.id,
          name: skill.name,
          tier: skill.tier,
          description: skill.description,
          version: skill.version,
          content_hash: skill.contentHash,
          trigger_patterns: skill.triggerPatterns,
          content: skill.content,
          status: governance?.status ?? 'active',
          uses,
        };
      }),
      skill_create: method(SkillCreateParams, async ({ name, content, replace }) => {
        const skill = await harness.skills.create(name, content, replace ?? false);
        return { id: skill.id, name: skill.name, tier: skill.tier, content_hash: skill.contentHash };
      }),
      skill_delete: method(SkillDeleteParams, async ({ name }) => {
        await harness.skills.delete(name);
        return { deleted: true, name };
      }),

      // GC and learning: the long ones are jobs.
      gc_run: method(ProjectInput, async ({ project }, session) => {
        const target = await this.scanned(project);
        return this.startJob(session, 'gc_run', target.name, (progress) => harness.gc.run(target, { progress }));
      }),
      learn_rules: method(ProjectInput, async ({ project }, session) => {
        const target = await this.scanned(project);
        return this.startJob(session, 'learn_rules', target.name, (progress) =>
          harness.gc.learnRules(target, { progress }),
        );
      }),
      learn_skills: method(ProjectInput, async ({ project }, session) => {
        const target = await this.scanned(project);
        return this.startJob(session, 'learn_skills', target.name, (progress) =>
          harness.gc.learnSkills(target, { progress }),
        );
      }),
      job_status: method(JobIdParams, ({ job_id }) => Promise.resolve(this.jobs.get(job_id))),
      gc_status: method(ProjectInput, async ({ project }) => ({
        counts: await harness.gc.counts(project === undefined ? undefined : (await this.project(project)).name),
      })),
      gc_drafts: method(DraftListParams, async ({ project, status, limit }) => ({
        drafts: await harness.gc.list({
          project: project === undefined ? undefined : (await this.project(project)).name,
          status,
          limit: limit ?? 100,
        }),
      })),
      gc_adopt: method(DraftIdParams, async ({ draft_id }, session) => {
        const { draft, taskId } = await harness.gc.adopt(draft_id);
        session.follow(taskId, 0);
        return { adopted: true, draft_id: draft.id, task_id: taskId };
      }),
      gc_reject: method(DraftRejectParams, async ({ draft_id, reason }) => {
        const draft = await harness.gc.reject(draft_id, reason);
        return { rejected: true, draft_id: draft.id };
      }),
      methods: method(NoParams, () => Promise.resolve({ methods: this.names() })),
    };
  }
}

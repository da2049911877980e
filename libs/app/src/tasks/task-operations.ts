import {
  AppError,
  type BatchEntryResult,
  type CreateTaskBatchResponse,
  type CreateTaskResponse,
  type TaskDetail,
  type TaskListResponse,
  type TaskStatus,
} from '@agent-harness/core';
import type { Admission } from '@agent-harness/pipeline';
import { isTerminal, resolveTaskId, taskRequestFrom, type TaskRequestFields } from '@agent-harness/queue';
import { defineOperation } from '../operation.js';
import { decodeListCursor, encodeListCursor } from './list-cursor.js';
import {
  TaskApproveInput,
  TaskBatchInput,
  TaskFollowUpInput,
  TaskIdInput,
  TaskListInput,
  TaskRejectInput,
  TaskSubmitInput,
} from './task-inputs.js';
import type { TaskPorts } from './task-ports.js';
import { taskDetail, taskSummary } from './task-presenter.js';

/** Status changes shown per task: far more than a task makes. */
const MAX_HISTORY = 10_000;

/**
 * A submit's status says whether the task waits (`queued`) or started (`running`, whatever its
 * step: `GET /tasks/:id` gives that), as the original harness answered; a task that already ended
 * says how.
 */
function submitStatus(status: TaskStatus): TaskStatus {
  return status === 'queued' || isTerminal(status) ? status : 'running';
}

/** A new task's answer, or the unfinished task already doing the same work (`existing`). */
function created({ task, existing }: Admission): CreateTaskResponse {
  const status = submitStatus(task.status);
  return existing ? { task_id: task.id, status, existing: true } : { task_id: task.id, status };
}

function requestOf(fields: TaskRequestFields, where: string) {
  const result = taskRequestFrom(fields);
  if (!result.ok) throw new AppError('INVALID_ARGUMENT', `${where}${result.error}`);
  return result.value;
}

async function detailOf(ports: TaskPorts, id: string, withWaiting: boolean): Promise<TaskDetail> {
  const task = await ports.tasks.get(id);
  if (task === undefined) throw new AppError('NOT_FOUND', `no task ${id}`);
  const history = await ports.tasks.eventsAfter(id, 0, MAX_HISTORY, ['status']);
  return taskDetail(task, history, withWaiting ? await ports.engine.waiting(task) : undefined);
}

export const taskSubmit = defineOperation({
  name: 'task_submit',
  summary: 'Queue a task: exactly one of prompt, issue or pr; an unfinished task of the same work is the answer',
  input: TaskSubmitInput,
  async execute(ports: TaskPorts, input, context): Promise<CreateTaskResponse> {
    const { plan_id, milestone, project, ...fields } = input;
    const request = requestOf(fields, '');
    if ((plan_id === undefined) !== (milestone === undefined))
      throw new AppError('INVALID_ARGUMENT', 'give plan_id and milestone together, or neither');
    // The link is checked before the task is queued: a bad link queues nothing.
    if (plan_id !== undefined && milestone !== undefined) await ports.plans.checkLink(plan_id, milestone);
    const linking = plan_id !== undefined && milestone !== undefined;
    // A task to link starts only once it is linked: its rollback then cancels a queued task, never a running one.
    const admission = await ports.engine.admit({ ...request, project }, { look: !linking });
    if (linking) {
      try {
        await ports.plans.linkTask(plan_id, admission.task.id, milestone);
      } catch (error) {
        // The plan changed in between (closed, or its links full): the new task goes too, so the
        // answer is the error and no task runs for it. A task that was already there stays.
        if (!admission.existing) await ports.engine.cancel(admission.task.id).catch(() => undefined);
        throw error;
      }
    }
    context.follow?.(admission.task.id, 0);
    const task = linking && !admission.existing ? await ports.engine.afterLook(admission.task) : admission.task;
    return created({ ...admission, task });
  },
});

export const taskSubmitBatch = defineOperation({
  name: 'task_submit_batch',
  summary: 'Queue several tasks (issue numbers, or task fields); a bad entry queues none, a refused one is reported',
  input: TaskBatchInput,
  async execute(ports: TaskPorts, input, context): Promise<CreateTaskBatchResponse> {
    if ((input.issues === undefined) === (input.tasks === undefined))
      throw new AppError('INVALID_ARGUMENT', 'give exactly one of issues or tasks');
    const entries: (TaskRequestFields & { project?: string | undefined })[] =
      input.issues?.map((issue) => ({ issue, project: input.project })) ??
      input.tasks?.map(({ project, ...fields }) => ({ ...fields, project: project ?? input.project })) ??
      [];
    // Every entry is checked before any is queued, so a bad batch queues nothing.
    const requests = entries.map((entry, i) => ({
      ...requestOf(entry, `tasks[${String(i)}]: `),
      project: entry.project,
    }));
    const results: BatchEntryResult[] = [];
    for (const request of requests) {
      try {
        const admission = await ports.engine.admit(request);
        context.follow?.(admission.task.id, 0);
        results.push(created(admission));
      } catch (error) {
        if (!(error instanceof AppError)) throw error;
        results.push({ task_id: null, status: 'rejected', error: error.message });
      }
    }
    return results;
  },
});

export const taskGet = defineOperation({
  name: 'task_get',
  summary: 'Everything about a task: its request, outcome, why it waits, and its status history',
  input: TaskIdInput,
  async execute(ports: TaskPorts, input): Promise<TaskDetail> {
    return detailOf(ports, await resolveTaskId(ports.tasks, input.task_id), true);
  },
});

export const taskList = defineOperation({
  name: 'task_list',
  summary: 'Tasks newest first, by status and project; paged by offset or by cursor',
  input: TaskListInput,
  async execute(ports: TaskPorts, input): Promise<TaskListResponse> {
    if (input.cursor !== undefined && input.offset !== undefined)
      throw new AppError('INVALID_ARGUMENT', 'give cursor or offset, not both');
    const limit = input.limit ?? 50;
    const offset = input.offset ?? 0;
    const after = input.cursor === undefined ? undefined : decodeListCursor(input.cursor);
    // One more than asked tells whether a next page exists.
    const { tasks, total } = await ports.tasks.list({
      status: input.status,
      project: input.project,
      agent: input.agent,
      search: input.q,
      limit: limit + 1,
      offset,
      after,
    });
    const page = tasks.slice(0, limit);
    const last = page.at(-1);
    const next_cursor =
      tasks.length > limit && last !== undefined ? encodeListCursor({ createdAt: last.createdAt, id: last.id }) : null;
    return { tasks: page.map(taskSummary), total, limit, offset, next_cursor };
  },
});

export const taskCancel = defineOperation({
  name: 'task_cancel',
  summary: "Cancel a queued or running task: its agent's processes end and its worktree is removed",
  input: TaskIdInput,
  async execute(ports: TaskPorts, input): Promise<TaskDetail> {
    const task = await ports.engine.cancel(await resolveTaskId(ports.tasks, input.task_id));
    return detailOf(ports, task.id, false);
  },
});

/** Who decided, as the task's log says it: the API has no user accounts, only its token. */
const BY_API = 'a person (API)';

export const taskFollowUp = defineOperation({
  name: 'task_follow_up',
  summary:
    'Send a task more work: the same agent session goes on, on the same branch, and pushes to the same pull request (an ended task is reopened)',
  input: TaskFollowUpInput,
  async execute(ports: TaskPorts, input): Promise<TaskDetail> {
    const id = await resolveTaskId(ports.tasks, input.task_id);
    await ports.engine.pullRequests.followUp(id, input.prompt, BY_API);
    return detailOf(ports, id, false);
  },
});

export const taskApprove = defineOperation({
  name: 'task_approve',
  summary: 'Approve the step a task is held at ([approvals] before): its push, its pull request, or its merge',
  input: TaskApproveInput,
  async execute(ports: TaskPorts, input): Promise<TaskDetail> {
    const id = await resolveTaskId(ports.tasks, input.task_id);
    await ports.engine.pullRequests.approve(id, BY_API);
    return detailOf(ports, id, false);
  },
});

export const taskReject = defineOperation({
  name: 'task_reject',
  summary:
    'Reject the step a task is held at: a push or pull request rejected cancels the task; a merge rejected leaves the pull request open',
  input: TaskRejectInput,
  async execute(ports: TaskPorts, input): Promise<TaskDetail> {
    const id = await resolveTaskId(ports.tasks, input.task_id);
    await ports.engine.pullRequests.reject(id, BY_API, input.reason);
    return detailOf(ports, id, false);
  },
});

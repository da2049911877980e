import { randomUUID } from 'node:crypto';
import { AppError, type CreateTaskResponse, type HarnessConfig } from '@agent-harness/core';
import type { TaskRequest, TaskRepository } from '@agent-harness/queue';
import { createHarness, type Harness, type HarnessLogger } from '@agent-harness/runtime';
import { TaskBackend, type TaskListFilter } from './task-backend.js';
import { taskStatusOfTask, taskViewOfTask, type TaskListView, type TaskStatusView } from './task-views.js';

/** The shortest id prefix accepted: the 8 characters of branch names `harness/<8>-slug`. */
const MIN_TASK_ID_PREFIX = 8;
/** Ids are lower-case UUIDs; a prefix of one holds only these characters. */
const ID_PREFIX = /^[0-9a-f-]+$/;
/** Matches counted when a prefix is ambiguous. */
const AMBIGUOUS_SAMPLE = 100;
/** Status changes shown per task: far more than a task makes. */
const MAX_HISTORY = 10_000;

/**
 * The id of the task `given` names: its whole id, or a unique prefix of at least 8 characters,
 * with the server's rules and messages (apps/server tasks/task-id.ts).
 */
async function resolveTaskId(tasks: TaskRepository, given: string): Promise<string> {
  if ((await tasks.get(given)) !== undefined) return given;
  const prefix = given.toLowerCase();
  if (!ID_PREFIX.test(prefix) || prefix.length > 36) throw new AppError('NOT_FOUND', `no task ${given}`);
  if (prefix.length < MIN_TASK_ID_PREFIX)
    throw new AppError(
      'INVALID_ARGUMENT',
      `task id prefix ${given} is too short: give at least ${String(MIN_TASK_ID_PREFIX)} characters`,
    );
  const ids = await tasks.findIdsByPrefix(prefix, AMBIGUOUS_SAMPLE);
  const [only, ...others] = ids;
  if (only === undefined) throw new AppError('NOT_FOUND', `no task ${given}`);
  if (others.length > 0) {
    const count = ids.length === AMBIGUOUS_SAMPLE ? `${String(AMBIGUOUS_SAMPLE)} or more` : String(ids.length);
    throw new AppError('CONFLICT', `task id prefix ${given} matches ${count} tasks; give more characters`);
  }
  return only;
}

/**
 * Tasks run by a Harness built in this process: its engine dispatches while the MCP server lives,
 * leasing tasks under its own id (`mcp-<uuid>`), so a server sharing the database never takes
 * them back as its own. Closing it puts running tasks back in the queue.
 */
export class InProcessTaskBackend extends TaskBackend {
  readonly description: string;

  private constructor(private readonly harness: Harness) {
    super();
    this.description = `tasks run in this process (data directory ${harness.config.server.data_dir}, lease id ${harness.engine.serverId})`;
  }

  /** Opens the database, syncs the configured projects, recovers expired leases and starts dispatching. */
  static async start(
    config: HarnessConfig,
    options: { env: Readonly<Record<string, string | undefined>>; homeDir: string; logger: HarnessLogger },
  ): Promise<InProcessTaskBackend> {
    const harness = await createHarness(config, {
      env: options.env,
      homeDir: options.homeDir,
      logger: options.logger,
      serverId: `mcp-${randomUUID()}`,
    });
    try {
      await harness.start();
    } catch (error) {
      await harness.close();
      throw error;
    }
    return new InProcessTaskBackend(harness);
  }

  async submit(request: TaskRequest, project: string | undefined): Promise<CreateTaskResponse> {
    const task = await this.harness.engine.submit({ ...request, project });
    return { task_id: task.id, status: task.status };
  }

  async status(given: string): Promise<TaskStatusView> {
    const id = await resolveTaskId(this.harness.tasks, given);
    const task = await this.harness.tasks.get(id);
    if (task === undefined) throw new AppError('NOT_FOUND', `no task ${id}`);
    return taskStatusOfTask(task, await this.harness.tasks.eventsAfter(id, 0, MAX_HISTORY, ['status']));
  }

  async list(filter: TaskListFilter): Promise<TaskListView> {
    const { tasks, total } = await this.harness.tasks.list({
      status: filter.status,
      project: filter.project,
      limit: filter.limit,
      offset: 0,
    });
    return { tasks: tasks.map(taskViewOfTask), total };
  }

  async cancel(given: string): Promise<TaskStatusView> {
    const task = await this.harness.engine.cancel(await resolveTaskId(this.harness.tasks, given));
    return taskStatusOfTask(task, await this.harness.tasks.eventsAfter(task.id, 0, MAX_HISTORY, ['status']));
  }

  close(): Promise<void> {
    return this.harness.close();
  }
}

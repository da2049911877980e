import { randomUUID } from 'node:crypto';
import { AppError, type CreateTaskResponse, type HarnessConfig } from '@agent-harness/core';
import { resolveTaskId, type TaskRequest } from '@agent-harness/queue';
import { createHarness, type Harness, type HarnessLogger } from '@agent-harness/runtime';
import { TaskBackend, type TaskListFilter } from './task-backend.js';
import { taskStatusOfTask, taskViewOfTask, type TaskListView, type TaskStatusView } from './task-views.js';

/** Status changes shown per task: far more than a task makes. */
const MAX_HISTORY = 10_000;

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
    const { task, existing } = await this.harness.engine.admit({ ...request, project });
    return existing ? { task_id: task.id, status: task.status, existing } : { task_id: task.id, status: task.status };
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

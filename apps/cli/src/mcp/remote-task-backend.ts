import {
  AppError,
  type CreateTaskRequest,
  type CreateTaskResponse,
  type TaskDetail,
  type TaskListResponse,
} from '@agent-harness/core';
import type { TaskRequest } from '@agent-harness/queue';
import { HarnessClient } from '../client/harness-client.js';
import { TaskBackend, type TaskListFilter } from './task-backend.js';
import { taskStatusOfDetail, taskViewOfSummary, type TaskListView, type TaskStatusView } from './task-views.js';

/** Tasks on a running Harness server, through its REST API (`harness mcp-server --url`). */
export class RemoteTaskBackend extends TaskBackend {
  readonly description: string;
  private readonly client: HarnessClient;

  constructor(url: string, token: string | undefined) {
    super();
    this.client = new HarnessClient(url, token);
    this.description = `tasks go to the Harness server at ${url}`;
  }

  async submit(request: TaskRequest, project: string | undefined): Promise<CreateTaskResponse> {
    const body: CreateTaskRequest = {
      project,
      prompt: request.prompt,
      issue: request.issue,
      pr: request.pr,
      description: request.description,
      agent: request.agent,
      model: request.model,
    };
    return this.request<CreateTaskResponse>('POST', '/tasks', body);
  }

  async status(id: string): Promise<TaskStatusView> {
    return taskStatusOfDetail(await this.request<TaskDetail>('GET', `/tasks/${encodeURIComponent(id)}`));
  }

  async list(filter: TaskListFilter): Promise<TaskListView> {
    const query = new URLSearchParams({ limit: String(filter.limit) });
    if (filter.status !== undefined) query.set('status', filter.status);
    if (filter.project !== undefined) query.set('project', filter.project);
    const page = await this.request<TaskListResponse>('GET', `/tasks?${query.toString()}`);
    return { tasks: page.tasks.map(taskViewOfSummary), total: page.total };
  }

  async cancel(id: string): Promise<TaskStatusView> {
    return taskStatusOfDetail(await this.request<TaskDetail>('POST', `/tasks/${encodeURIComponent(id)}/cancel`));
  }

  close(): Promise<void> {
    return Promise.resolve();
  }

  private async request<T>(method: string, path: string, body?: unknown): Promise<T> {
    try {
      return await this.client.request<T>(method, path, body);
    } catch (error) {
      // The client's hint names the flag of `harness tasks`; this command's is --url.
      if (error instanceof AppError && error.message.startsWith('cannot reach '))
        throw new AppError(
          error.code,
          error.message.replace('(--server or HARNESS_SERVER)', '(--url or HARNESS_URL)'),
          {
            cause: error,
          },
        );
      throw error;
    }
  }
}

import type { CreateTaskResponse, TaskStatus } from '@agent-harness/core';
import type { TaskRequest } from '@agent-harness/queue';
import type { TaskListView, TaskStatusView } from './task-views.js';

/** A filter and page size for `list_tasks`. */
export interface TaskListFilter {
  readonly status?: TaskStatus | undefined;
  readonly project?: string | undefined;
  readonly limit: number;
}

/**
 * Where the MCP tools' tasks live: a Harness server over its REST API (`--url`), or a Harness
 * built in this process. Ids may be whole or a unique prefix of at least 8 characters.
 */
export abstract class TaskBackend {
  /** Said once on stderr at start: where tasks go. */
  abstract readonly description: string;
  /** `project`: a project name or root path; default the default project. */
  abstract submit(request: TaskRequest, project: string | undefined): Promise<CreateTaskResponse>;
  abstract status(id: string): Promise<TaskStatusView>;
  abstract list(filter: TaskListFilter): Promise<TaskListView>;
  abstract cancel(id: string): Promise<TaskStatusView>;
  /** Stops what it runs (running tasks go back to the queue) and lets go of the database. */
  abstract close(): Promise<void>;
}

import type { ApiResponseName, ApiResponseNameOf } from '@agent-harness/core';
import { AppError } from '@agent-harness/core/errors';
import type { OperationName, OperationOutput } from './operations.js';

/**
 * Where each operation is on the REST API: the method, the path (a `:field` segment is that input
 * field) and where the other fields go. Plain data, so a REST client (the CLI, `mcp-server --url`)
 * reads it without loading the operations; the server makes its routes from it.
 */
export interface OperationRoute {
  readonly method: 'GET' | 'POST' | 'PATCH' | 'DELETE';
  readonly path: string;
  /**
   * The fields not in the path: a JSON body, or the query string. A route whose input has only
   * path fields reads nothing else, and one whose input has no fields reads nothing at all.
   */
  readonly rest: 'body' | 'query';
  /** The answer's HTTP status when it is not Nest's default (200, and 201 for POST). */
  readonly status?: 200 | 201 | 202;
  /** The status when the answer is an unfinished task already doing the same work (`existing: true`). */
  readonly existingStatus?: 200;
  /** Other paths answering the same (the original harness's names), with the same path fields. */
  readonly aliases?: readonly string[];
  /** The answer's type in the API contract (its schema in `GET /openapi.json`). */
  readonly response: ApiResponseName;
  /** Error statuses the route answers beyond those every route may (400, 404, 503): for its API description. */
  readonly errors?: readonly (409 | 429)[];
}

export const OPERATION_ROUTES = {
  task_submit: {
    method: 'POST',
    path: '/tasks',
    rest: 'body',
    status: 202,
    existingStatus: 200,
    response: 'CreateTaskResponse',
    errors: [409, 429],
  },
  task_submit_batch: {
    method: 'POST',
    path: '/tasks/batch',
    rest: 'body',
    status: 202,
    response: 'CreateTaskBatchResponse',
  },
  task_get: { method: 'GET', path: '/tasks/:task_id', rest: 'query', response: 'TaskDetail', errors: [409] },
  task_list: { method: 'GET', path: '/tasks', rest: 'query', response: 'TaskListResponse' },
  task_cancel: {
    method: 'POST',
    path: '/tasks/:task_id/cancel',
    rest: 'body',
    status: 200,
    response: 'TaskDetail',
    errors: [409],
  },
  task_follow_up: {
    method: 'POST',
    path: '/tasks/:task_id/follow-up',
    rest: 'body',
    status: 202,
    response: 'TaskDetail',
    errors: [409],
  },
  task_approve: {
    method: 'POST',
    path: '/tasks/:task_id/approve',
    rest: 'body',
    status: 200,
    response: 'TaskDetail',
    errors: [409],
  },
  task_reject: {
    method: 'POST',
    path: '/tasks/:task_id/reject',
    rest: 'body',
    status: 200,
    response: 'TaskDetail',
    errors: [409],
  },
  task_artifacts: {
    method: 'GET',
    path: '/tasks/:task_id/artifacts',
    rest: 'query',
    response: 'TaskArtifactsResponse',
    errors: [409],
  },
  queue_stats: {
    method: 'GET',
    path: '/api/queue-stats',
    rest: 'query',
    aliases: ['/projects/queue-stats'],
    response: 'QueueStatsResponse',
  },
  usage_report: {
    method: 'GET',
    path: '/api/usage',
    rest: 'query',
    aliases: ['/api/token-usage'],
    response: 'UsageResponse',
  },
  project_list: { method: 'GET', path: '/api/projects', rest: 'query', response: 'ProjectListResponse' },
  project_register: { method: 'POST', path: '/api/projects', rest: 'body', response: 'ProjectJson', errors: [409] },
  project_update: {
    method: 'PATCH',
    path: '/api/projects/:name',
    rest: 'body',
    response: 'ProjectJson',
    errors: [409],
  },
  project_remove: {
    method: 'DELETE',
    path: '/api/projects/:name',
    rest: 'body',
    response: 'RemoveProjectResponse',
    errors: [409],
  },
  review_list: { method: 'GET', path: '/api/reviews', rest: 'query', response: 'ReviewListResponse' },
  fleet_status: { method: 'GET', path: '/api/fleet', rest: 'query', response: 'FleetResponse' },
  agent_list: { method: 'GET', path: '/api/agents', rest: 'query', response: 'AgentListResponse' },
} as const satisfies {
  // Each route's `response` names its operation's output type: a wrong name fails the type-check.
  readonly [N in OperationName]?: OperationRoute & { readonly response: ApiResponseNameOf<OperationOutput<N>> };
};

/** The operations that are on the REST API (the exec plan ones are JSON-RPC's and the CLI's). */
export type RestOperationName = keyof typeof OPERATION_ROUTES;

/** A value that goes into a path or a query string as it is: text or a number. */
function scalar(field: string, value: unknown): string {
  if (typeof value === 'string' || typeof value === 'number') return String(value);
  throw new AppError('INVALID_ARGUMENT', `${field} must be a string or a number`);
}

/**
 * A REST request for an operation's input: path fields encoded into the path, the rest as the
 * route says; unset fields are left out. A path field of `.` or `..` is refused: the URL would
 * resolve it to another route.
 */
export function operationRequest(
  name: RestOperationName,
  input: Readonly<Record<string, unknown>>,
): { method: string; path: string; body?: Record<string, unknown> } {
  const route: OperationRoute = OPERATION_ROUTES[name];
  const inPath = new Set<string>();
  const path = route.path.replace(/:([a-z_]+)/g, (_match, field: string) => {
    inPath.add(field);
    const value = scalar(field, input[field]);
    if (value === '.' || value === '..') throw new AppError('INVALID_ARGUMENT', `${field} must not be "${value}"`);
    return encodeURIComponent(value);
  });
  const given = Object.entries(input).filter(([field, value]) => !inPath.has(field) && value !== undefined);
  if (route.rest === 'body')
    return given.length === 0
      ? { method: route.method, path }
      : { method: route.method, path, body: Object.fromEntries(given) };
  const query = new URLSearchParams(given.map(([field, value]): [string, string] => [field, scalar(field, value)]));
  return { method: route.method, path: query.size === 0 ? path : `${path}?${query.toString()}` };
}

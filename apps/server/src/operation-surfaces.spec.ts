import {
  inputFields,
  OPERATION_ROUTES,
  OPERATIONS,
  type OperationName,
  type RestOperationName,
} from '@agent-harness/app';
import { RequestMethod } from '@nestjs/common';
import { RouteParamtypes } from '@nestjs/common/enums/route-paramtypes.enum.js';
import {
  CUSTOM_ROUTE_ARGS_METADATA,
  HTTP_CODE_METADATA,
  METHOD_METADATA,
  PATH_METADATA,
  ROUTE_ARGS_METADATA,
} from '@nestjs/common/constants.js';
import type { Harness } from '@agent-harness/runtime';
import { describe, expect, it } from 'vitest';
import { REST_CONTROLLERS } from './app.module.js';
import { RpcJobs } from './rpc/rpc-jobs.js';
import { RpcMethodTable } from './rpc/rpc-methods.js';

/** A route's path with its parameters unnamed: `/tasks/:id/cancel` → `/tasks/:/cancel`. */
const shape = (path: string): string =>
  `/${path}`
    .replace(/\/+/g, '/')
    .replace(/\/$/, '')
    .replace(/:[^/]+/g, ':');

/** Where a handler's input comes from, read from Nest's parameter metadata. */
type InputSource = 'body' | 'query' | 'path' | 'path+body' | 'none';

function inputSource(controller: object, key: string): InputSource {
  const args = (Reflect.getMetadata(ROUTE_ARGS_METADATA, controller, key) ?? {}) as Record<string, unknown>;
  // A custom decorator's key holds `__customRouteArgs__`: here only the one reading path and body.
  if (Object.keys(args).some((arg) => arg.includes(CUSTOM_ROUTE_ARGS_METADATA))) return 'path+body';
  const types = Object.keys(args).map((arg) => Number(arg.split(':')[0]));
  if (types.includes(RouteParamtypes.BODY)) return 'body';
  if (types.includes(RouteParamtypes.QUERY)) return 'query';
  if (types.includes(RouteParamtypes.PARAM)) return 'path';
  return 'none';
}

/** Every REST route of the controllers: method, path shape, and the classes its handler takes. */
function restRoutes(): { method: string; path: string; takes: unknown[]; source: InputSource; status: number }[] {
  return REST_CONTROLLERS.flatMap((controller) => {
    const base = String(Reflect.getMetadata(PATH_METADATA, controller) ?? '');
    const prototype = controller.prototype as unknown as Record<string, unknown>;
    return Object.getOwnPropertyNames(prototype).flatMap((key) => {
      const handler = prototype[key];
      if (typeof handler !== 'function' || key === 'constructor') return [];
      const method = Reflect.getMetadata(METHOD_METADATA, handler) as RequestMethod | undefined;
      if (method === undefined) return [];
      // A handler with aliases has several paths.
      const paths = [Reflect.getMetadata(PATH_METADATA, handler) ?? ''].flat() as string[];
      const takes = (Reflect.getMetadata('design:paramtypes', prototype, key) ?? []) as unknown[];
      const status = (Reflect.getMetadata(HTTP_CODE_METADATA, handler) ??
        (method === RequestMethod.POST ? 201 : 200)) as number;
      return paths.map((path) => ({
        method: RequestMethod[method],
        path: shape(`${base}/${path}`),
        takes,
        source: inputSource(controller, key),
        status,
      }));
    });
  });
}

describe('every surface adapts the operation table', () => {
  const names = Object.keys(OPERATIONS) as OperationName[];

  it('REST: each operation has its route, and the route checks the operation input class', () => {
    const routes = restRoutes();
    for (const name of Object.keys(OPERATION_ROUTES) as RestOperationName[]) {
      const { method, path, rest } = OPERATION_ROUTES[name];
      const route = routes.find((r) => r.method === method && r.path === shape(path));
      expect(route, `${name}: no ${method} ${path} route`).toBeDefined();
      // Path, body or query: the handler's parameter is the input class (an operation without input takes none).
      if (inputFields(OPERATIONS[name].input).length > 0)
        expect(route?.takes, `${name}: ${method} ${path} must take ${OPERATIONS[name].input.name} (${rest})`).toContain(
          OPERATIONS[name].input,
        );
    }
  });

  it('REST: each route keeps the method, path, input source and status its hand-written controller had', () => {
    // Written out, not read from OPERATION_ROUTES: the routes are made from that table.
    const expected: Record<RestOperationName, [string, string, InputSource, number]> = {
      task_submit: ['POST', '/tasks', 'body', 202],
      task_submit_batch: ['POST', '/tasks/batch', 'body', 202],
      task_get: ['GET', '/tasks/:', 'path', 200],
      task_list: ['GET', '/tasks', 'query', 200],
      // A body route reads its body even with every field in the path: unknown fields are refused.
      task_cancel: ['POST', '/tasks/:/cancel', 'path+body', 200],
      task_follow_up: ['POST', '/tasks/:/follow-up', 'path+body', 202],
      task_approve: ['POST', '/tasks/:/approve', 'path+body', 200],
      task_reject: ['POST', '/tasks/:/reject', 'path+body', 200],
      task_artifacts: ['GET', '/tasks/:/artifacts', 'path', 200],
      queue_stats: ['GET', '/api/queue-stats', 'none', 200],
      usage_report: ['GET', '/api/usage', 'query', 200],
      project_list: ['GET', '/api/projects', 'none', 200],
      project_register: ['POST', '/api/projects', 'body', 201],
      project_update: ['PATCH', '/api/projects/:', 'path+body', 200],
      project_remove: ['DELETE', '/api/projects/:', 'path+body', 200],
      review_list: ['GET', '/api/reviews', 'query', 200],
      fleet_status: ['GET', '/api/fleet', 'none', 200],
      agent_list: ['GET', '/api/agents', 'none', 200],
    };
    const routes = restRoutes();
    for (const [name, [method, path, source, status]] of Object.entries(expected)) {
      const route = routes.find((r) => r.method === method && r.path === path);
      expect(route && [route.source, route.status], `${name}: ${method} ${path}`).toEqual([source, status]);
    }
    expect(Object.keys(expected).sort()).toEqual(Object.keys(OPERATION_ROUTES).sort());
    // The original harness's paths answer as the current ones.
    for (const [path, source] of [
      ['/projects/queue-stats', 'none'],
      ['/api/token-usage', 'query'],
    ] as const)
      expect(routes.find((r) => r.method === 'GET' && r.path === path)?.source, path).toBe(source);
  });

  it('JSON-RPC: each operation is a method of its name that checks the operation input class', () => {
    // Only the table is read here: no method is called.
    const harness = { operations: {} } as unknown as Harness;
    const table = new RpcMethodTable(harness, new RpcJobs());
    for (const name of names) expect(table.get(name)?.params, name).toBe(OPERATIONS[name].input);
  });
});

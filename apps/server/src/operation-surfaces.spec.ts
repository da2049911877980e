import {
  inputFields,
  OPERATION_ROUTES,
  OPERATIONS,
  type OperationName,
  type RestOperationName,
} from '@agent-harness/app';
import { RequestMethod } from '@nestjs/common';
import { METHOD_METADATA, PATH_METADATA } from '@nestjs/common/constants.js';
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

/** Every REST route of the controllers: method, path shape, and the classes its handler takes. */
function restRoutes(): { method: string; path: string; takes: unknown[] }[] {
  return REST_CONTROLLERS.flatMap((controller) => {
    const base = String(Reflect.getMetadata(PATH_METADATA, controller) ?? '');
    const prototype = controller.prototype as unknown as Record<string, unknown>;
    return Object.getOwnPropertyNames(prototype).flatMap((key) => {
      const handler = prototype[key];
      if (typeof handler !== 'function' || key === 'constructor') return [];
      const method = Reflect.getMetadata(METHOD_METADATA, handler) as RequestMethod | undefined;
      if (method === undefined) return [];
      const path = String(Reflect.getMetadata(PATH_METADATA, handler) ?? '');
      const takes = (Reflect.getMetadata('design:paramtypes', prototype, key) ?? []) as unknown[];
      return [{ method: RequestMethod[method], path: shape(`${base}/${path}`), takes }];
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

  it('JSON-RPC: each operation is a method of its name that checks the operation input class', () => {
    // Only the table is read here: no method is called.
    const harness = { operations: {} } as unknown as Harness;
    const table = new RpcMethodTable(harness, new RpcJobs());
    for (const name of names) expect(table.get(name)?.params, name).toBe(OPERATIONS[name].input);
  });
});

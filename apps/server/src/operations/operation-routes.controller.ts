import { Body, Controller, Delete, Get, HttpCode, Inject, Param, Post, Query, Res } from '@nestjs/common';
import {
  boundOperation,
  inputFields,
  OPERATION_ROUTES,
  OPERATIONS as OPERATION_TABLE,
  type OperationRoute,
  type Operations,
  type RestOperationName,
} from '@agent-harness/app';
import type { Response } from 'express';
import { OPERATIONS } from '../core/tokens.js';

const METHODS = { GET: Get, POST: Post, DELETE: Delete } as const;

const isExisting = (answer: unknown): boolean =>
  typeof answer === 'object' && answer !== null && (answer as { existing?: unknown }).existing === true;

/**
 * The REST routes of the operation table: one handler per entry of `OPERATION_ROUTES`, made below.
 * Each takes its operation's input class where the route says (the path, else the body or the
 * query), so Nest's validation pipe checks it as it checks any other route, and answers what the
 * operation answers. Adding an operation to the REST API is adding its route to the table.
 */
@Controller()
export class OperationRoutesController {
  constructor(@Inject(OPERATIONS) readonly operations: Operations) {}
}

/** Adds the handler of one operation's route to the controller, with Nest's decorators applied as `@Get()` would. */
function addRoute(name: RestOperationName, route: OperationRoute): void {
  const input = OPERATION_TABLE[name].input;
  const handler = async function (
    this: OperationRoutesController,
    given: object | undefined,
    res: Response,
  ): Promise<unknown> {
    const answer = await boundOperation(this.operations, name)(given ?? {});
    if (route.existingStatus !== undefined && isExisting(answer)) res.status(route.existingStatus);
    return answer;
  };
  Object.defineProperty(handler, 'name', { value: name });
  const prototype = OperationRoutesController.prototype;
  Object.defineProperty(prototype, name, { value: handler, writable: true, configurable: true });
  const descriptor = Object.getOwnPropertyDescriptor(prototype, name) ?? { value: handler };
  // The parameter's type is what the validation pipe checks against (as TypeScript would emit it).
  Reflect.defineMetadata('design:paramtypes', [input, Object], prototype, name);
  const inPath = [...route.path.matchAll(/:([a-z_]+)/g)].map((match) => match[1]);
  // A route with path fields takes its input from the path alone: an input with other fields would
  // have them dropped without a word, so such a route is refused when the server loads.
  const outside = inputFields(input).filter((field) => !inPath.includes(field));
  if (inPath.length > 0 && outside.length > 0)
    throw new Error(
      `${name}: ${route.path} takes its input from the path, but ${input.name} has ${outside.join(', ')}`,
    );
  const where = inPath.length > 0 ? Param() : route.rest === 'body' ? Body() : Query();
  // An operation without input fields takes nothing from the request (as `fleet_status`'s route always did).
  if (inputFields(input).length > 0) where(prototype, name, 0);
  Res({ passthrough: true })(prototype, name, 1);
  METHODS[route.method](route.path)(prototype, name, descriptor);
  if (route.status !== undefined) HttpCode(route.status)(prototype, name, descriptor);
}

for (const [name, route] of Object.entries(OPERATION_ROUTES) as [RestOperationName, OperationRoute][])
  addRoute(name, route);

import {
  Body,
  Controller,
  createParamDecorator,
  Delete,
  Get,
  HttpCode,
  Inject,
  Param,
  Patch,
  Post,
  Query,
  Res,
  type ExecutionContext,
} from '@nestjs/common';
import { AppError } from '@agent-harness/core';
import {
  boundOperation,
  inputFields,
  OPERATION_ROUTES,
  OPERATIONS as OPERATION_TABLE,
  type OperationRoute,
  type Operations,
  type RestOperationName,
} from '@agent-harness/app';
import type { Request, Response } from 'express';
import { OPERATIONS } from '../core/tokens.js';
import { createValidationPipe } from '../http/validation.js';

const METHODS = { GET: Get, POST: Post, PATCH: Patch, DELETE: Delete } as const;

/**
 * An input from the path and the body (or query) together, as one object for the validation pipe:
 * `PATCH /api/projects/:name` with its new settings. A path field repeated in the body is refused
 * rather than overridden in silence.
 */
const PathAndRest = createParamDecorator((rest: OperationRoute['rest'], ctx: ExecutionContext): object => {
  const request = ctx.switchToHttp().getRequest<Request>();
  // The JSON body parser has refused anything but an object; no body is an empty one.
  const fields = ((rest === 'body' ? request.body : request.query) ?? {}) as object;
  for (const field of Object.keys(request.params))
    if (field in fields) throw new AppError('INVALID_ARGUMENT', `${field} is in the path; leave it out of the ${rest}`);
  return { ...fields, ...request.params };
});

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
  const fields = inputFields(input);
  const outside = fields.filter((field) => !inPath.includes(field));
  // Where the input is: the path alone, the path and the rest, or only the body or query. An input
  // without fields reads nothing from the request (as `fleet_status`'s route always did). A body
  // route reads its body even when every field is in the path: `{"x": 1}` sent to
  // `POST /tasks/:id/approve` is refused like any unknown field, never ignored.
  const where =
    inPath.length === 0
      ? route.rest === 'body'
        ? Body()
        : Query()
      : outside.length === 0 && route.rest !== 'body'
        ? Param()
        : PathAndRest(route.rest, createValidationPipe({ forCustomDecorator: true }));
  if (fields.length > 0) where(prototype, name, 0);
  Res({ passthrough: true })(prototype, name, 1);
  METHODS[route.method]([route.path, ...(route.aliases ?? [])])(prototype, name, descriptor);
  if (route.status !== undefined) HttpCode(route.status)(prototype, name, descriptor);
}

for (const [name, route] of Object.entries(OPERATION_ROUTES) as [RestOperationName, OperationRoute][])
  addRoute(name, route);

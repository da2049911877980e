import {
  ERROR_CODES,
  HARNESS_VERSION,
  type ApiResponseName,
  type ApiResponseNameOf,
  type ErrorCode,
} from '@agent-harness/core';
import { OPERATION_ROUTES, OPERATIONS, type OperationRoute, type RestOperationName } from '@agent-harness/app';
import { plainToInstance } from 'class-transformer';
import { getMetadataStorage, MAX, MIN, ValidationTypes } from 'class-validator';
import { targetConstructorToSchema } from 'class-validator-jsonschema';
import { OPEN_PATHS } from '../auth/bearer-auth.js';
import type { DashboardController } from '../dashboard/dashboard.controller.js';
import { httpStatusFor } from '../errors/app-error.filter.js';
import type { HealthController } from '../health/health.controller.js';
import type { WebhookController } from '../webhook/webhook.controller.js';
// Generated from the contract's types by tools/openapi/contract-schemas.mjs (a test fails when stale).
import contractSchemas from './contract-schemas.json' with { type: 'json' };

/**
 * `GET /openapi.json`: the REST API as an OpenAPI 3.1 document, made from the tables the server
 * itself is made from, so it cannot say something the server does not do:
 * - the operations' routes from `OPERATION_ROUTES`, their request schemas from the operations'
 *   class-validator input classes (what the validation pipe checks), their response schemas from the
 *   contract's TypeScript types (`ApiResponseTypes`, generated into contract-schemas.json);
 * - the hand-made routes (health, dashboard, streams, webhook, JSON-RPC) from `handMadeRoutes` below;
 * - which routes need the token from the bearer guard's own list of open paths;
 * - the error statuses and their codes from the error filter's mapping.
 * apps/server/test/openapi.spec.ts checks it with an OpenAPI validator, against the routes Nest
 * registers, and against real answers.
 */

/** A JSON Schema (2020-12, OpenAPI 3.1's dialect), as plain data. */
export type JsonSchema = Readonly<Record<string, unknown>>;

type Method = 'get' | 'post' | 'patch' | 'delete';
type InputClass = new () => object;
/** class-validator-jsonschema's converter table and the rule metadata a converter reads. */
type Converters = NonNullable<NonNullable<Parameters<typeof targetConstructorToSchema>[1]>['additionalConverters']>;
type RuleMetadata = Parameters<Extract<Converters[string], (...args: never[]) => unknown>>[0];

const SCHEMAS = '#/components/schemas/';
const ref = (name: string): JsonSchema => ({ $ref: `${SCHEMAS}${name}` });
const json = (schema: JsonSchema): Record<string, unknown> => ({ 'application/json': { schema } });

/** The routes registered but not described: the dashboard's page and static files are no API. */
export const UNDESCRIBED_ROUTES: readonly string[] = ['GET /', 'GET /web/:name'];

// ---- Requests: the operations' input classes ----------------------------------------------------

/**
 * The class a nested field's entries become: found by asking the input's own transform, so it is
 * whatever `NestedInput` or a hand-written `@Transform` makes of an object, never restated here.
 */
function nestedClass(input: InputClass, property: string, each: boolean): InputClass | undefined {
  const sample = plainToInstance(input, { [property]: each ? [{}] : {} }) as Record<string, unknown>;
  const value = each ? (sample[property] as unknown[] | undefined)?.[0] : sample[property];
  const made = (value as object | undefined)?.constructor;
  return made === undefined || made === Object ? undefined : (made as InputClass);
}

/**
 * Where class-validator-jsonschema's defaults do not fit the rules used here: `Min`/`Max` leave the
 * type to `IsInt` (its default says `number`, and overwrites `integer` when merged after it); a
 * custom rule (`IsListCursor`) adds nothing to its field's other rules; nested inputs are found as
 * `nestedClass` says (the library looks for `@Type`, which the inputs do not use).
 */
function converters(found: Set<InputClass>): Converters {
  return {
    [ValidationTypes.CUSTOM_VALIDATION]: {},
    [MIN]: (meta: RuleMetadata) => ({ minimum: meta.constraints[0] as number }),
    [MAX]: (meta: RuleMetadata) => ({ maximum: meta.constraints[0] as number }),
    [ValidationTypes.NESTED_VALIDATION]: (meta: RuleMetadata) => {
      const nested = nestedClass(meta.target as InputClass, meta.propertyName, meta.each);
      if (nested === undefined) return {};
      found.add(nested);
      return ref(nested.name);
    },
  };
}

/**
 * An input class's schema. `ValidateIf` conditions (`Given`, `IsOptional`, the original's nullable
 * `project_id`) are asked directly: a field whose rules are skipped for `undefined` is optional, one
 * skipped for `null` also takes `null`. Unknown fields are refused (the pipe's `forbidNonWhitelisted`).
 */
function inputSchema(input: InputClass, found: Set<InputClass>): JsonSchema {
  const generated = targetConstructorToSchema(input, {
    additionalConverters: converters(found),
    refPointerPrefix: SCHEMAS,
  }) as { properties?: Record<string, JsonSchema> };
  const rules = getMetadataStorage().getTargetValidationMetadatas(input, '', true, false);
  const skips = (property: string, value: unknown): boolean =>
    rules.some(
      (rule) =>
        rule.propertyName === property &&
        rule.type === ValidationTypes.CONDITIONAL_VALIDATION &&
        !(rule.constraints[0] as (object: object, value: unknown) => boolean)({}, value),
    );
  const entries = Object.entries(generated.properties ?? {});
  const properties = Object.fromEntries(
    entries.map(([name, schema]) => [name, skips(name, null) ? { anyOf: [schema, { type: 'null' }] } : schema]),
  );
  const required = entries.map(([name]) => name).filter((name) => !skips(name, undefined));
  return {
    type: 'object',
    properties,
    ...(required.length === 0 ? {} : { required }),
    additionalProperties: false,
  };
}

/** The schemas of input classes and of those nested in them, by class name (a class without fields has none). */
export function inputSchemas(inputs: readonly InputClass[]): Record<string, JsonSchema> {
  const found = new Set<InputClass>(inputs);
  const schemas: Record<string, JsonSchema> = {};
  // `found` grows while nested classes are met; a Set iterates over what is added meanwhile.
  for (const input of found) {
    const schema = inputSchema(input, found);
    if (Object.keys(schema['properties'] as object).length > 0) schemas[input.name] = schema;
  }
  return schemas;
}

// ---- Responses and errors -----------------------------------------------------------------------

/** The statuses every route may answer with an error, and the ones a route adds (`errors`). */
const COMMON_ERRORS = [400, 404, 503] as const;
const ERROR_RESPONSE_NAMES: Readonly<Record<number, string>> = {
  400: 'BadRequest',
  401: 'Unauthorized',
  404: 'NotFound',
  409: 'Conflict',
  429: 'QueueFull',
  503: 'Unavailable',
};

/** The error responses, each naming the codes the error filter answers with its status. */
function errorResponses(): Record<string, unknown> {
  const codesOf = (status: number): ErrorCode[] => ERROR_CODES.filter((code) => httpStatusFor(code) === status);
  const responses: Record<string, unknown> = Object.fromEntries(
    Object.entries(ERROR_RESPONSE_NAMES).map(([status, name]) => [
      name,
      { description: `Error: ${codesOf(Number(status)).join(', ')}`, content: json(ref('ErrorBody')) },
    ]),
  );
  responses['Error'] = {
    description:
      'Any other error in the same shape: 403 (Host and Origin checks), 413 (body too large), 415 (not JSON), 500',
    content: json(ref('ErrorBody')),
  };
  return responses;
}

/** A route's error responses: the common ones, its own, 401 when it needs the token, and the rest. */
function errorsOf(extra: readonly number[], secured: boolean): Record<string, unknown> {
  const statuses = [...COMMON_ERRORS, ...extra, ...(secured ? [401] : [])].sort((a, b) => a - b);
  return {
    ...Object.fromEntries(
      statuses.map((status) => [
        String(status),
        { $ref: `#/components/responses/${ERROR_RESPONSE_NAMES[status] ?? ''}` },
      ]),
    ),
    default: { $ref: '#/components/responses/Error' },
  };
}

// ---- Paths --------------------------------------------------------------------------------------

/** `/tasks/:task_id` → `/tasks/{task_id}`. */
const openApiPath = (path: string): string => path.replace(/:([A-Za-z_]+)/g, '{$1}');
const pathFields = (path: string): string[] => [...path.matchAll(/:([A-Za-z_]+)/g)].map((match) => match[1] ?? '');
/** The bearer guard lets these through without the token (it compares the path without a trailing slash). */
const isOpen = (path: string): boolean => OPEN_PATHS.has(path);

interface Operation {
  readonly operationId: string;
  readonly summary: string;
  readonly description?: string;
  readonly parameters?: readonly Record<string, unknown>[];
  readonly requestBody?: Record<string, unknown>;
  readonly responses: Record<string, unknown>;
  readonly security?: readonly never[];
}

const pathParameter = (name: string, schema: JsonSchema): Record<string, unknown> => ({
  name,
  in: 'path',
  required: true,
  schema,
});

/** The OpenAPI operation of one entry of `OPERATION_ROUTES` (on its path or an alias). */
function operationOf(
  name: RestOperationName,
  route: OperationRoute,
  path: string,
  inputs: Readonly<Record<string, JsonSchema>>,
  alias: number,
): Operation {
  const operation = OPERATIONS[name];
  const input = inputs[operation.input.name] as
    { properties: Record<string, JsonSchema>; required?: string[] } | undefined;
  const properties = input?.properties ?? {};
  const required = new Set(input?.required ?? []);
  const inPath = pathFields(path);
  const rest = Object.keys(properties).filter((field) => !inPath.includes(field));
  const parameters = [
    ...inPath.map((field) => pathParameter(field, properties[field] ?? { type: 'string' })),
    ...(route.rest === 'query'
      ? rest.map((field) => ({ name: field, in: 'query', required: required.has(field), schema: properties[field] }))
      : []),
  ];
  // A body without the path's fields is its own schema; the whole input is the class's component.
  const bodySchema =
    inPath.length === 0
      ? ref(operation.input.name)
      : {
          type: 'object',
          properties: Object.fromEntries(rest.map((field) => [field, properties[field]])),
          ...(rest.some((field) => required.has(field)) ? { required: rest.filter((f) => required.has(f)) } : {}),
          additionalProperties: false,
        };
  const success = route.status ?? (route.method === 'POST' ? 201 : 200);
  const answer = { content: json(ref(route.response)) };
  const secured = !isOpen(path);
  return {
    operationId: alias === 0 ? name : `${name}_alias_${String(alias)}`,
    summary: operation.summary,
    ...(alias === 0 ? {} : { description: `The same as ${route.method} ${openApiPath(route.path)}.` }),
    ...(parameters.length === 0 ? {} : { parameters }),
    ...(route.rest === 'body' && rest.length > 0
      ? { requestBody: { required: [...required].some((f) => rest.includes(f)), content: json(bodySchema) } }
      : {}),
    responses: {
      [String(success)]: { description: route.response, ...answer },
      ...(route.existingStatus === undefined
        ? {}
        : {
            [String(route.existingStatus)]: {
              description: `${route.response} with \`existing: true\`: an unfinished task already does this work`,
              ...answer,
            },
          }),
      ...errorsOf(route.errors ?? [], secured),
    },
    ...(secured ? {} : { security: [] }),
  };
}

/** What the hand-made JSON routes answer, each checked against its handler's return type. */
const HAND_MADE_ANSWERS: {
  readonly health: ApiResponseNameOf<Awaited<ReturnType<HealthController['health']>>>;
  readonly dashboard: ApiResponseNameOf<Awaited<ReturnType<DashboardController['dashboard']>>>;
  readonly webhook: ApiResponseNameOf<Awaited<ReturnType<WebhookController['receive']>>>;
} = { health: 'HealthResponse', dashboard: 'DashboardResponse', webhook: 'WebhookResponse' };

const TASK_ID_PARAMETER = pathParameter('id', {
  type: 'string',
  description: 'A whole task id or a unique prefix of at least 8 characters',
});

const eventStream = (description: string): Record<string, unknown> => ({
  description,
  content: { 'text/event-stream': { schema: { type: 'string' } } },
});

/** The routes of the hand-made controllers (health, dashboard, streams, webhook, JSON-RPC, this one). */
function handMadeRoutes(): { method: Method; path: string; operation: Omit<Operation, 'security'> }[] {
  const answer = (name: ApiResponseName, description: string): Record<string, unknown> => ({
    description,
    content: json(ref(name)),
  });
  return [
    {
      method: 'get',
      path: '/health',
      operation: {
        operationId: 'health',
        summary: 'The server is up: its version and uptime',
        responses: { '200': answer(HAND_MADE_ANSWERS.health, 'Up') },
      },
    },
    {
      method: 'get',
      path: '/openapi.json',
      operation: {
        operationId: 'openapi',
        summary: 'This description of the REST API (OpenAPI 3.1)',
        responses: { '200': { description: 'The OpenAPI document', content: json({ type: 'object' }) } },
      },
    },
    {
      method: 'get',
      path: '/api/dashboard',
      operation: {
        operationId: 'dashboard',
        summary: 'Task counts overall and per project, the health grades, the latest pull request',
        responses: { '200': answer(HAND_MADE_ANSWERS.dashboard, 'The dashboard') },
      },
    },
    {
      method: 'get',
      path: '/tasks/:id/stream',
      operation: {
        operationId: 'task_stream',
        summary: "A task's events as server-sent events: the stored ones, then live, ending with `end`",
        parameters: [
          TASK_ID_PARAMETER,
          {
            name: 'Last-Event-ID',
            in: 'header',
            required: false,
            description: 'Replay only the events after this `seq`',
            schema: { type: 'string', pattern: '^[0-9]+$' },
          },
        ],
        responses: {
          '200': eventStream(
            `Each event's \`id:\` is its \`seq\`, its \`event:\` its \`kind\`, its \`data:\` one ${SCHEMAS}TaskStreamEvent; comment lines are heartbeats`,
          ),
          '204': {
            description: 'The task has ended and no event follows `Last-Event-ID`: a client stops reconnecting',
          },
          ...errorsOf([409], true),
        },
      },
    },
    {
      method: 'get',
      path: '/tasks/:id/diff',
      operation: {
        operationId: 'task_diff',
        summary: "The task's latest stored change (`git diff --stat --patch` against its base) as plain text",
        parameters: [TASK_ID_PARAMETER],
        responses: {
          '200': {
            description:
              'The patch of its last commit step, cut at 256 KB with a last line saying so; 404 before a commit',
            content: { 'text/plain': { schema: { type: 'string' } } },
          },
          ...errorsOf([409], true),
        },
      },
    },
    {
      method: 'get',
      path: '/api/tasks/stream',
      operation: {
        operationId: 'task_feed',
        summary: 'Every task as server-sent events: `ready` (data `{}`), then `task` after each status change',
        responses: {
          '200': eventStream(`A \`task\` event's \`data:\` is one ${SCHEMAS}TaskSummary; comment lines are heartbeats`),
          ...errorsOf([], true),
        },
      },
    },
    {
      method: 'post',
      path: '/webhook',
      operation: {
        operationId: 'webhook',
        summary: 'A GitHub delivery, authenticated by its HMAC signature (no bearer token)',
        parameters: ['X-GitHub-Event', 'X-GitHub-Delivery', 'X-Hub-Signature-256'].map((name) => ({
          name,
          in: 'header',
          required: true,
          schema: { type: 'string' },
        })),
        requestBody: { required: true, content: json({ type: 'object', description: "GitHub's event payload" }) },
        responses: {
          '202': answer(HAND_MADE_ANSWERS.webhook, '`accepted`: a task was queued'),
          '200': answer(HAND_MADE_ANSWERS.webhook, '`existing`, `ignored` or `handled`: nothing was queued'),
          '401': { $ref: '#/components/responses/Unauthorized' },
          '404': { $ref: '#/components/responses/NotFound' },
          default: { $ref: '#/components/responses/Error' },
        },
      },
    },
    {
      method: 'post',
      path: '/rpc',
      operation: {
        operationId: 'rpc',
        summary: 'JSON-RPC 2.0: one call, notification or batch (`initialize` first); the methods are in docs/rpc.md',
        parameters: [
          {
            name: 'Harness-Session',
            in: 'header',
            required: false,
            description: "The `session_id` `initialize` answered; without it, the caller's shared session",
            schema: { type: 'string' },
          },
        ],
        requestBody: {
          required: true,
          content: json({ type: ['object', 'array'], description: 'A JSON-RPC 2.0 request, notification or batch' }),
        },
        responses: {
          '200': {
            description: 'The JSON-RPC response (a JSON-RPC error is in the body, still 200)',
            content: json({ type: ['object', 'array'] }),
          },
          '204': { description: 'The message held only notifications' },
          ...errorsOf([], true),
        },
      },
    },
  ];
}

// ---- The document -------------------------------------------------------------------------------

/** Builds the whole document (the server builds it once). */
export function buildOpenApiDocument(): Record<string, unknown> {
  const inputs = inputSchemas(Object.keys(OPERATION_ROUTES).map((name) => OPERATIONS[name as RestOperationName].input));
  const contract = contractSchemas.schemas as Record<string, JsonSchema>;
  const clash = Object.keys(inputs).filter((name) => name in contract);
  if (clash.length > 0) throw new Error(`input classes named like contract types: ${clash.join(', ')}`);

  const paths: Record<string, Record<string, unknown>> = {};
  const add = (method: Method, path: string, operation: Operation): void => {
    const at = (paths[openApiPath(path)] ??= {});
    if (method in at) throw new Error(`${method.toUpperCase()} ${path} is described twice`);
    at[method] = operation;
  };
  for (const [name, route] of Object.entries(OPERATION_ROUTES) as [RestOperationName, OperationRoute][])
    [route.path, ...(route.aliases ?? [])].forEach((path, alias) => {
      add(route.method.toLowerCase() as Method, path, operationOf(name, route, path, inputs, alias));
    });
  for (const { method, path, operation } of handMadeRoutes())
    add(method, path, isOpen(path) ? { ...operation, security: [] } : operation);

  return {
    openapi: '3.1.0',
    info: {
      title: 'Harness',
      version: HARNESS_VERSION,
      description:
        'The Harness REST API: tasks run by AI coding agents, their streams, projects, usage. Request schemas come from the ' +
        "operations' input rules, response schemas from the TypeScript contract (@agent-harness/core). See docs/api.md.",
    },
    // No `servers`: a client resolves the paths against the URL it read this document from.
    security: [{ bearerAuth: [] }],
    paths,
    components: {
      schemas: { ...contract, ...inputs },
      responses: errorResponses(),
      securitySchemes: {
        bearerAuth: {
          type: 'http',
          scheme: 'bearer',
          description:
            "The server's `[server] api_token` (or HARNESS_API_TOKEN). A server without one listens on loopback only and asks for none.",
        },
      },
    },
  };
}

import type { CreateTaskResponse, TaskDetail } from '@agent-harness/core';
import type { Harness } from '@agent-harness/runtime';
import { createTempGitRepo, type TempGitRepo } from '@agent-harness/testing';
import { RequestMethod, type DynamicModule, type Type } from '@nestjs/common';
import { METHOD_METADATA, MODULE_METADATA, PATH_METADATA } from '@nestjs/common/constants.js';
import { Validator } from '@seriousme/openapi-schema-validator';
import { Ajv2020, type ValidateFunction } from 'ajv/dist/2020.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AppModule } from '../src/app.module.js';
import { UNDESCRIBED_ROUTES } from '../src/openapi/openapi-document.js';
import { send, startTestServer, type ReadResponse, type TestServer } from './support/test-server.js';

// GET /openapi.json against a real validator, against the routes Nest registers, and against real answers.

const TOKEN = 'openapi-token-0123456789';
const auth = { authorization: `Bearer ${TOKEN}` };
const jsonAuth = { ...auth, 'content-type': 'application/json' };

interface Document {
  readonly openapi: string;
  readonly paths: Record<string, Record<string, OperationObject>>;
  readonly components: { readonly schemas: Record<string, unknown>; readonly responses: Record<string, unknown> };
}
interface OperationObject {
  readonly security?: unknown[];
  readonly requestBody?: { content: Record<string, unknown> };
  readonly responses: Record<string, { $ref?: string; content?: Record<string, unknown> }>;
}

/** Every route of every controller of the app's module graph, as `METHOD /path` with `:params`. */
function registeredRoutes(): string[] {
  // Only the module metadata is read: nothing is instantiated.
  const root = AppModule.forRoot({ harness: {} as Harness, startedAt: 0, sseHeartbeatMs: 1000, schedulers: false });
  const routes = new Set<string>();
  const seen = new Set<unknown>();
  const visit = (module: Type | DynamicModule): void => {
    if (seen.has(module)) return;
    seen.add(module);
    const dynamic = 'module' in module ? module : undefined;
    const type = dynamic?.module ?? (module as Type);
    const read = <T>(key: string): T[] => (Reflect.getMetadata(key, type) as T[] | undefined) ?? [];
    const imports = [...read<Type>(MODULE_METADATA.IMPORTS), ...(dynamic?.imports ?? [])];
    const controllers = [...read<Type>(MODULE_METADATA.CONTROLLERS), ...(dynamic?.controllers ?? [])];
    for (const controller of controllers) {
      const base = [Reflect.getMetadata(PATH_METADATA, controller) as string | string[]].flat();
      const prototype = controller.prototype as Record<string, unknown>;
      for (const key of Object.getOwnPropertyNames(prototype)) {
        const handler = prototype[key];
        if (typeof handler !== 'function') continue;
        const method = Reflect.getMetadata(METHOD_METADATA, handler) as RequestMethod | undefined;
        if (method === undefined) continue;
        for (const prefix of base)
          for (const path of [Reflect.getMetadata(PATH_METADATA, handler) as string | string[]].flat())
            routes.add(`${RequestMethod[method]} ${`/${prefix}/${path}`.replace(/\/+/g, '/').replace(/(.)\/$/, '$1')}`);
      }
    }
    for (const imported of imports) visit(imported as Type | DynamicModule);
  };
  visit(root);
  return [...routes].sort();
}

/** `/tasks/{id}/stream` → `/tasks/:id/stream`. */
const nestPath = (path: string): string => path.replace(/\{([^}]+)\}/g, ':$1');

describe('GET /openapi.json', () => {
  let server: TestServer;
  let other: TempGitRepo;
  let document: Document;
  let ajv: Ajv2020;

  beforeAll(async () => {
    other = await createTempGitRepo();
    server = await startTestServer({
      token: TOKEN,
      scenario: { edits: [{ path: 'greeting.txt', content: 'hello\n' }], text: 'Wrote greeting.txt.' },
    });
    const res = await send(`${server.url}/openapi.json`, { headers: auth });
    expect(res.status, res.text).toBe(200);
    document = res.json as Document;
    // OpenAPI 3.1's schemas are JSON Schema 2020-12. Strict: a keyword Ajv does not know is an error.
    ajv = new Ajv2020({ strict: true, allowUnionTypes: true, allErrors: true });
    // The document's own fields are no schema keywords; the schemas inside are reached by pointer.
    ajv.addVocabulary(['openapi', 'info', 'paths', 'components', 'security', 'servers', 'tags', 'webhooks']);
    ajv.addSchema(document, 'openapi.json');
  });

  afterAll(async () => {
    await server.close();
    await other.cleanup();
  });

  it('is a valid OpenAPI 3.1 document (a real validator), with schemas valid JSON Schema 2020-12', async () => {
    expect(document.openapi).toBe('3.1.0');
    const validator = new Validator();
    const result = await validator.validate(document as unknown as Record<string, unknown>);
    expect(result.errors, JSON.stringify(result.errors, null, 2)).toBeUndefined();
    expect(result.valid).toBe(true);
    expect(validator.version).toBe('3.1');
    // The validator checks the document's shape; each schema compiles under Ajv's 2020-12 meta-schema.
    for (const name of Object.keys(document.components.schemas))
      expect(() => ajv.compile({ $ref: `openapi.json#/components/schemas/${name}` }), name).not.toThrow();
  });

  it('needs the token like every API route; /health and /webhook are described as open', async () => {
    expect((await send(`${server.url}/openapi.json`)).status).toBe(401);
    expect(document.paths['/openapi.json']?.['get']?.security).toBeUndefined();
    expect(document.paths['/health']?.['get']?.security).toEqual([]);
    expect(document.paths['/webhook']?.['post']?.security).toEqual([]);
    expect((await send(`${server.url}/health`)).status).toBe(200);
  });

  it('describes every route Nest registers, and no other', () => {
    const described = Object.entries(document.paths).flatMap(([path, item]) =>
      Object.keys(item).map((method) => `${method.toUpperCase()} ${nestPath(path)}`),
    );
    expect([...described, ...UNDESCRIBED_ROUTES].sort()).toEqual(registeredRoutes());
  });

  describe('real answers validate against the schema of their route and status', () => {
    let taskId: string;

    /** The JSON Schema validator of a described answer: the route's entry for the status (or a `$ref`'d response). */
    function answerSchema(method: string, path: string, status: number): ValidateFunction {
      const responses = document.paths[path]?.[method]?.responses;
      expect(responses, `${method} ${path} is described`).toBeDefined();
      const response = responses?.[String(status)];
      expect(response, `${method} ${path} describes a ${String(status)}`).toBeDefined();
      const base =
        response?.$ref?.replace(/^#/, '') ??
        `/paths/${path.replaceAll('~', '~0').replaceAll('/', '~1')}/${method}/responses/${String(status)}`;
      return ajv.compile({ $ref: `openapi.json#${base}/content/application~1json/schema` });
    }

    /** Checks one answer: a described status, JSON, and a body valid against its schema. */
    function conforms(method: string, path: string, res: ReadResponse): void {
      const where = `${method.toUpperCase()} ${path} → ${String(res.status)}`;
      expect(res.headers.get('content-type'), where).toMatch(/^application\/json/);
      const validate = answerSchema(method, path, res.status);
      expect(
        validate(res.json),
        `${where}: ${JSON.stringify(validate.errors).slice(0, 2000)}\n${res.text.slice(0, 2000)}`,
      ).toBe(true);
    }

    const call = (method: string, path: string, body?: unknown): Promise<ReadResponse> =>
      send(`${server.url}${path}`, {
        method,
        headers: body === undefined ? auth : jsonAuth,
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      });

    /** A request body valid against the route's request schema (what a client would check before sending). */
    function validRequest(method: string, path: string, body: unknown): boolean {
      const pointer = `/paths/${path.replaceAll('/', '~1')}/${method}/requestBody/content/application~1json/schema`;
      return ajv.compile({ $ref: `openapi.json#${pointer}` })(body);
    }

    beforeAll(async () => {
      const body = { project: 'app', prompt: 'write greeting.txt' };
      expect(validRequest('post', '/tasks', body)).toBe(true);
      const res = await call('POST', '/tasks', body);
      expect(res.status, res.text).toBe(202);
      conforms('post', '/tasks', res);
      taskId = (res.json as CreateTaskResponse).task_id;
      for (let i = 0; i < 1200; i++) {
        const task = (await call('GET', `/tasks/${taskId}`)).json as TaskDetail;
        if (['done', 'failed', 'cancelled'].includes(task.status)) break;
        await new Promise((r) => setTimeout(r, 25));
      }
    });

    it('every GET route, after a task ran to done', async () => {
      const detail = await call('GET', `/tasks/${taskId}`);
      expect((detail.json as TaskDetail).status, detail.text).toBe('done');
      const gets: [template: string, path: string][] = [
        ['/tasks/{task_id}', `/tasks/${taskId}`],
        ['/tasks', '/tasks?project=app&limit=1'],
        ['/tasks/{task_id}/artifacts', `/tasks/${taskId.slice(0, 8)}/artifacts`],
        ['/api/queue-stats', '/api/queue-stats'],
        ['/projects/queue-stats', '/projects/queue-stats'],
        ['/api/usage', '/api/usage'],
        ['/api/token-usage', '/api/token-usage?since=today'],
        ['/api/projects', '/api/projects'],
        ['/api/reviews', '/api/reviews'],
        ['/api/fleet', '/api/fleet'],
        ['/api/agents', '/api/agents'],
        ['/api/dashboard', '/api/dashboard'],
        ['/health', '/health'],
        ['/openapi.json', '/openapi.json'],
      ];
      for (const [template, path] of gets) {
        const res = await call('GET', path);
        expect(res.status, `${path}: ${res.text}`).toBe(200);
        conforms('get', template, res);
      }
      // Every GET route that answers JSON is called above.
      const jsonGets = Object.entries(document.paths)
        .filter(([, item]) => item['get']?.responses['200']?.content?.['application/json'] !== undefined)
        .map(([path]) => path);
      expect(gets.map(([template]) => template).sort()).toEqual(jsonGets.sort());
    });

    it("the task's stream: each event's data is a TaskStreamEvent", async () => {
      const res = await fetch(`${server.url}/tasks/${taskId}/stream`, {
        headers: auth,
        signal: AbortSignal.timeout(15_000),
      });
      expect(res.status).toBe(200);
      expect(document.paths['/tasks/{id}/stream']?.['get']?.responses['200']?.content).toHaveProperty(
        'text/event-stream',
      );
      const events = [...(await res.text()).matchAll(/^data: (.*)$/gm)].map((match): unknown =>
        JSON.parse(match[1] ?? ''),
      );
      expect(events.at(-1)).toMatchObject({ kind: 'end' });
      const validate = ajv.compile({ $ref: 'openapi.json#/components/schemas/TaskStreamEvent' });
      for (const event of events)
        expect(validate(event), JSON.stringify([event, validate.errors]).slice(0, 3000)).toBe(true);
    });

    it('POST routes: a batch, a cancel, a project registered, changed and removed', async () => {
      const batch = await call('POST', '/tasks/batch', { tasks: [{ project: 'app', prompt: 'another' }] });
      expect(batch.status, batch.text).toBe(202);
      conforms('post', '/tasks/batch', batch);
      const queued = (batch.json as CreateTaskResponse[])[0]?.task_id ?? '';
      // Cancelled while queued or running (200), or already ended (409): either is described.
      const cancel = await call('POST', `/tasks/${queued}/cancel`);
      expect([200, 409]).toContain(cancel.status);
      conforms('post', '/tasks/{task_id}/cancel', cancel);

      const register = { name: 'second', root: other.path, max_concurrent: 1 };
      expect(validRequest('post', '/api/projects', register)).toBe(true);
      const created = await call('POST', '/api/projects', register);
      expect(created.status, created.text).toBe(201);
      conforms('post', '/api/projects', created);
      const changed = await call('PATCH', '/api/projects/second', { active: false });
      expect(changed.status, changed.text).toBe(200);
      conforms('patch', '/api/projects/{name}', changed);
      const removed = await call('DELETE', '/api/projects/second');
      expect(removed.status, removed.text).toBe(200);
      conforms('delete', '/api/projects/{name}', removed);
    });

    it('errors: 400, 401, 404, 409 in the ErrorBody shape each route describes', async () => {
      const bad = { project: 'app', prompt: 5 };
      expect(validRequest('post', '/tasks', bad)).toBe(false);
      const invalid = await call('POST', '/tasks', bad);
      expect(invalid.status).toBe(400);
      conforms('post', '/tasks', invalid);

      const unknown = await call('GET', '/tasks/0123456789abcdef0123456789abcdef');
      expect(unknown.status).toBe(404);
      conforms('get', '/tasks/{task_id}', unknown);

      const finished = await call('POST', `/tasks/${taskId}/cancel`);
      expect(finished.status).toBe(409);
      conforms('post', '/tasks/{task_id}/cancel', finished);

      const unauthorized = await send(`${server.url}/api/agents`);
      expect(unauthorized.status).toBe(401);
      conforms('get', '/api/agents', unauthorized);

      // No webhook secret is configured: 404, in the shape the webhook's description gives.
      const webhook = await send(`${server.url}/webhook`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-github-event': 'ping', 'x-github-delivery': 'd-1' },
        body: '{}',
      });
      expect(webhook.status).toBe(404);
      conforms('post', '/webhook', webhook);
    });
  });
});

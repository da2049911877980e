import { afterEach, describe, expect, it } from 'vitest';
import { isErrorBody, rawRequest, startTestServer, type ReadResponse, type TestServer } from './support/test-server.js';

const TOKEN = 'a-long-enough-token-0123456789';

describe('Host and Origin checks (DNS rebinding, cross-site requests)', () => {
  let server: TestServer | undefined;
  afterEach(async () => {
    await server?.close();
    server = undefined;
  });

  const get = (s: TestServer, headers: Record<string, string>, path = '/api/projects'): Promise<ReadResponse> =>
    rawRequest(s.url, { path, headers });
  const postTask = (s: TestServer, headers: Record<string, string>): Promise<ReadResponse> =>
    rawRequest(s.url, {
      method: 'POST',
      path: '/tasks',
      headers: { 'content-type': 'application/json', ...headers },
      body: JSON.stringify({ project: 'nope', prompt: 'x' }),
    });
  const expectForbidden = (res: ReadResponse, message: RegExp): void => {
    expect(res.status, res.text).toBe(403);
    expect(isErrorBody(res.json)).toBe(true);
    expect(res.json).toMatchObject({ error: { code: 'FORBIDDEN', message: expect.stringMatching(message) as string } });
  };

  it('without a token, answers only requests whose Host names this machine', async () => {
    server = await startTestServer();
    const port = new URL(server.url).port;
    for (const host of [
      `127.0.0.1:${port}`,
      `localhost:${port}`,
      `LOCALHOST:${port}`,
      `[::1]:${port}`,
      `harness.localhost:${port}`,
      'localhost',
    ]) {
      expect((await get(server, { host })).status, host).toBe(200);
    }
    for (const host of [
      `attacker.example:${port}`,
      'attacker.example',
      `localhost.attacker.example:${port}`,
      `10.0.0.1:${port}`,
      '',
      '[::2]',
    ]) {
      expectForbidden(await get(server, { host }), /Host header must name this machine/);
      expectForbidden(await get(server, { host }, '/health'), /Host header/);
    }
  });

  it('with a token, serves any Host name (the token is what keeps a web page out)', async () => {
    server = await startTestServer({ token: TOKEN });
    const res = await get(server, { host: 'harness.internal.example:9800', authorization: `Bearer ${TOKEN}` });
    expect(res.status).toBe(200);
    expect(res.json).toEqual([expect.objectContaining({ name: 'app', id: 'app' })]);
    const denied = await get(server, { host: 'harness.internal.example:9800' });
    expect(denied.status).toBe(401);
    expect(denied.headers.get('www-authenticate')).toBe('Bearer');
    expect(denied.json).toEqual({ error: { code: 'UNAUTHORIZED', message: 'missing or invalid bearer token' } });
  });

  it("refuses state-changing requests another site's page makes, and allows the server's own origin", async () => {
    server = await startTestServer();
    expectForbidden(await postTask(server, { origin: 'http://attacker.example' }), /cross-origin/);
    expectForbidden(await postTask(server, { origin: 'null' }), /cross-origin/);
    expectForbidden(await postTask(server, { origin: `http://localhost:${new URL(server.url).port}` }), /cross-origin/);
    expectForbidden(await postTask(server, { 'sec-fetch-site': 'cross-site' }), /cross-site/);
    expectForbidden(await postTask(server, { 'sec-fetch-site': 'same-site' }), /cross-site/);
    const own = await postTask(server, { origin: server.url, 'sec-fetch-site': 'same-origin' });
    expect(own.status).toBe(400);
    expect(own.json).toMatchObject({
      error: { code: 'INVALID_ARGUMENT', message: expect.stringContaining('unknown project') as string },
    });
    // Reading is not state-changing: a GET with a foreign Origin gets its answer (CORS keeps it from the page).
    expect((await get(server, { origin: 'http://attacker.example' })).status).toBe(200);
    expectForbidden(
      await rawRequest(server.url, {
        method: 'DELETE',
        path: '/api/projects/app',
        headers: { origin: 'http://attacker.example' },
      }),
      /cross-origin/,
    );
  });

  it('turns away the form posts a web page can send without a preflight', async () => {
    server = await startTestServer();
    const form = await rawRequest(server.url, {
      method: 'POST',
      path: '/tasks',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'project=app&prompt=x',
    });
    expect(form.status).toBe(415);
    expect(form.json).toMatchObject({ error: { code: 'UNSUPPORTED_MEDIA_TYPE' } });
    const text = await rawRequest(server.url, {
      method: 'POST',
      path: '/tasks',
      headers: { 'content-type': 'text/plain' },
      body: '{"project":"app","prompt":"x"}',
    });
    expect(text.status).toBe(415);
    expect((await rawRequest(server.url, { path: '/tasks' })).json).toMatchObject({ total: 0 });
  });
});

import { mkdirSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { createTempGitRepo, type TempGitRepo } from '@agent-harness/testing';
import type { ErrorBody } from '@agent-harness/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isErrorBody, send, startTestServer, type ReadResponse, type TestServer } from './support/test-server.js';

describe('POST /api/projects', () => {
  let server: TestServer;
  let other: TempGitRepo;
  beforeAll(async () => {
    other = await createTempGitRepo();
    // The server user's home holds `other`: `~/<its folder>` names it.
    server = await startTestServer({ home: dirname(other.path) });
  });
  afterAll(async () => {
    await server.close();
    await other.cleanup();
  });

  const register = (body: Record<string, unknown>): Promise<ReadResponse> =>
    send(`${server.url}/api/projects`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
  const expect400 = (res: ReadResponse, message: RegExp): void => {
    expect(res.status, res.text).toBe(400);
    expect(isErrorBody(res.json)).toBe(true);
    expect((res.json as ErrorBody).error.message).toMatch(message);
  };

  it('takes `name` (as the config file does), and `id` as its older spelling', async () => {
    const created = await register({ name: 'second', root: other.path });
    expect(created.status, created.text).toBe(201);
    expect(created.json).toMatchObject({ name: 'second', id: 'second', root: other.path, origin: 'api' });
    expect((await send(`${server.url}/api/projects/second`, { method: 'DELETE' })).json).toEqual({ removed: 'second' });
    expect((await register({ id: 'second', root: other.path })).status).toBe(201);
    await send(`${server.url}/api/projects/second`, { method: 'DELETE' });
    expect((await register({ name: 'second', id: 'second', root: other.path })).status).toBe(201);
    await send(`${server.url}/api/projects/second`, { method: 'DELETE' });
  });

  it('refuses a name and an id that differ, and a missing name', async () => {
    expect400(await register({ name: 'one', id: 'two', root: other.path }), /name \("one"\) and id \("two"\) differ/);
    expect400(await register({ root: other.path }), /^name is required$/);
    expect400(await register({ name: 'has space', root: other.path }), /^name must start with a letter or digit/);
  });

  it("refuses relative roots: they would mean the server's working directory", async () => {
    for (const root of ['.', './', '..', 'repo', '~root/repo', '~repo'])
      expect400(await register({ name: 'rel', root }), /is not an absolute path/);
  });

  it('PATCH /api/projects/:name changes a registered project, checked as at registration; config projects change in the file', async () => {
    const patch = (name: string, body: unknown): Promise<ReadResponse> =>
      send(`${server.url}/api/projects/${name}`, {
        method: 'PATCH',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
    expect((await register({ name: 'edit', root: other.path, max_concurrent: 1 })).status).toBe(201);
    const changed = await patch('edit', { max_concurrent: 3, base_branch: 'develop', active: false });
    expect(changed.status, changed.text).toBe(200);
    expect(changed.json).toMatchObject({ name: 'edit', max_concurrent: 3, base_branch: 'develop', active: false });
    // Kept: read back from the catalog, and a field left out keeps its value.
    const listed = (await send(`${server.url}/api/projects`)).json as { name: string; max_concurrent: number }[];
    expect(listed.find((p) => p.name === 'edit')?.max_concurrent).toBe(3);
    expect((await patch('edit', { active: true })).json).toMatchObject({ max_concurrent: 3, active: true });
    // Refused before anything changes, each naming what is wrong.
    expect400(await patch('edit', { max_concurrent: 0 }), /max_concurrent must be a positive integer/);
    expect400(await patch('edit', { root: '/elsewhere' }), /property root should not exist/);
    expect400(await patch('edit', { name: 'other' }), /^name is in the path; leave it out of the body$/);
    expect400(await patch('edit', [{ active: false }]), /^request body must be a JSON object$/);
    expect400(await patch('edit', { base_branch: '-x' }), /^base_branch: /);
    expect((await patch('nope', { active: false })).status).toBe(404);
    const config = await patch('app', { max_concurrent: 2 });
    expect(config.status).toBe(409);
    expect((config.json as ErrorBody).error.message).toMatch(/defined in the config file; change it there/);
    expect((await send(`${server.url}/api/projects/edit`, { method: 'DELETE' })).status).toBe(200);
  });

  it("takes `~/…` as the server user's home, as the config file and --project do", async () => {
    const created = await register({ name: 'tilde', root: `~/${basename(other.path)}` });
    expect(created.status, created.text).toBe(201);
    expect(created.json).toMatchObject({ name: 'tilde', root: other.path });
    await send(`${server.url}/api/projects/tilde`, { method: 'DELETE' });
    // The home itself is no repository: said as for any other path.
    expect400(await register({ name: 'home', root: '~' }), /^root: ~ is not a git repository's top directory$/);
  });

  it('says the same about a missing path, a file, a plain directory and a subdirectory: nothing about the disk leaks', async () => {
    const plain = join(server.dataDir.path, 'plain');
    mkdirSync(plain);
    const file = join(server.dataDir.path, 'file.txt');
    writeFileSync(file, 'x');
    const sub = join(other.path, 'sub');
    mkdirSync(sub);
    const fake = join(server.dataDir.path, 'fake');
    mkdirSync(join(fake, '.git'), { recursive: true });
    const messages: string[] = [];
    for (const root of ['/no/such/dir', file, plain, sub, fake, '/etc/passwd', '/root']) {
      const res = await register({ name: 'x', root });
      expect400(res, /is not a git repository's top directory$/);
      messages.push((res.json as ErrorBody).error.message.replace(root, '<root>'));
    }
    expect(new Set(messages)).toEqual(new Set([`root: <root> is not a git repository's top directory`]));
  });
});

import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { createTempDir, createTempGitRepo, type TempDir, type TempGitRepo } from '@agent-harness/testing';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { GitWorktreeManager, resolveRemoteCredential } from './git-worktree-manager.js';

// A push over HTTPS asks the token provider for the remote's repository, and git's credential
// helper hands that token to the server: a local HTTPS server (self-signed) stands in for GitHub.

let repo: TempGitRepo;
let data: TempDir;
let server: Server;
let port: number;
/** The `Authorization` headers the server was sent. */
let seen: string[];

beforeEach(async () => {
  repo = await createTempGitRepo({ withOrigin: true });
  data = await createTempDir('harness-cred-');
  const key = join(data.path, 'key.pem');
  const cert = join(data.path, 'cert.pem');
  execFileSync(
    'openssl',
    [
      'req',
      '-x509',
      '-newkey',
      'rsa:2048',
      '-nodes',
      '-keyout',
      key,
      '-out',
      cert,
      '-days',
      '1',
      '-subj',
      '/CN=127.0.0.1',
    ],
    { stdio: 'ignore' },
  );
  seen = [];
  server = createServer({ key: readFileSync(key), cert: readFileSync(cert) }, (req, res) => {
    const authorization = req.headers.authorization;
    if (authorization === undefined) {
      res.writeHead(401, { 'www-authenticate': 'Basic realm="GitHub"' }).end();
      return;
    }
    seen.push(authorization);
    res.writeHead(403).end('denied');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = (server.address() as AddressInfo).port;
  // The test's own git config trusts the self-signed certificate; nothing else changes.
  const global = repo.gitEnv['GIT_CONFIG_GLOBAL'] ?? '';
  writeFileSync(global, `${readFileSync(global, 'utf8')}\n[http]\n\tsslVerify = false\n`);
});

afterEach(async () => {
  await new Promise<void>((resolve) => {
    server.close(() => {
      resolve();
    });
  });
  await repo.cleanup();
  await data.cleanup();
});

describe('git credentials from a token provider', () => {
  it("pushes with the provider's token of the remote's repository, asked afresh at each push", async () => {
    const asked: { owner: string; repo: string }[] = [];
    const manager = new GitWorktreeManager({
      worktreesDir: join(data.path, 'worktrees'),
      env: { PATH: process.env['PATH'], HOME: data.path, ...repo.gitEnv },
      credentials: {
        token: (target) => {
          asked.push({ ...target });
          return Promise.resolve(`ghs_fresh_${String(asked.length)}`);
        },
        hosts: ['127.0.0.1'],
      },
    });
    // Fetches come from the local origin (no credential, the provider is not asked); pushes go over HTTPS.
    repo.git('remote', 'set-url', '--push', 'origin', `https://127.0.0.1:${String(port)}/octo/app.git`);
    const tree = await manager.create(repo.path, '0123abcd-task', 'Push');
    expect(asked).toEqual([]);
    writeFileSync(join(tree.path, 'new.txt'), 'hello\n');
    await manager.commitAll(repo.path, tree.path, 'Add new.txt');
    await expect(manager.push(repo.path, tree.path, tree.branch, true)).rejects.toThrow();
    await expect(manager.push(repo.path, tree.path, tree.branch, true)).rejects.toThrow();
    expect(asked).toEqual([
      { owner: 'octo', repo: 'app' },
      { owner: 'octo', repo: 'app' },
    ]);
    const basic = (token: string) => `Basic ${Buffer.from(`x-access-token:${token}`).toString('base64')}`;
    expect(seen).toContain(basic('ghs_fresh_1'));
    expect(seen).toContain(basic('ghs_fresh_2'));
    expect(seen.every((h) => h === basic('ghs_fresh_1') || h === basic('ghs_fresh_2'))).toBe(true);
  });

  it('asks the provider only for an HTTPS remote on its hosts that names a repository', async () => {
    const asked: string[] = [];
    const credentials = {
      token: (target: { owner: string; repo: string }) => {
        asked.push(`${target.owner}/${target.repo}`);
        return Promise.resolve('ghs_x');
      },
      hosts: ['github.com'],
    };
    expect((await resolveRemoteCredential('https://github.com/o/r.git', credentials))?.extraEnv).toEqual({
      HARNESS_GIT_TOKEN: 'ghs_x',
    });
    expect((await resolveRemoteCredential('https://github.com/o/r', credentials))?.config[0]).toBe(
      'credential.helper=',
    );
    for (const url of [
      'https://github.com/o',
      'https://github.com/o/r/extra',
      'http://github.com/o/r',
      'https://evil.example/o/r',
      'git@github.com:o/r.git',
      undefined,
    ])
      expect(await resolveRemoteCredential(url, credentials), String(url)).toBeUndefined();
    expect(asked).toEqual(['o/r', 'o/r']);
    // A fixed token goes as before.
    expect(
      (await resolveRemoteCredential('https://github.com/o/r', { token: 't0ken', hosts: ['github.com'] }))?.extraEnv,
    ).toEqual({ HARNESS_GIT_TOKEN: 't0ken' });
  });
});

import { generateKeyPairSync } from 'node:crypto';
import { AppError } from '@agent-harness/core';
import { startFakeGitHub, type FakeGitHub } from '@agent-harness/testing';
import { afterEach, describe, expect, it } from 'vitest';
import { GitHubClient } from './github-client.js';
import {
  createGitHubCredentials,
  GitHubAppCredentials,
  StaticTokenCredentials,
  repositoryOfRequest,
} from './github-credentials.js';

// A key pair made for these tests only (never a file in the repository).
const { privateKey: PRIVATE_PEM, publicKey: PUBLIC_PEM } = generateKeyPairSync('rsa', {
  modulusLength: 2048,
  privateKeyEncoding: { type: 'pkcs1', format: 'pem' },
  publicKeyEncoding: { type: 'spki', format: 'pem' },
});
const APP_ID = 4242;
const app = { owner: 'octo', repo: 'app' };
const lib = { owner: 'octo', repo: 'lib' };
const other = { owner: 'acme', repo: 'tool' };

describe('GitHub credentials', () => {
  let github: FakeGitHub | undefined;
  afterEach(async () => {
    await github?.close();
    github = undefined;
  });

  async function standIn(options: { tokenTtlSecs?: number; token?: string } = {}): Promise<FakeGitHub> {
    github = await startFakeGitHub({
      ...(options.token === undefined ? {} : { token: options.token }),
      app: {
        id: APP_ID,
        publicKeyPem: PUBLIC_PEM,
        installations: { 'octo/app': 7, 'octo/lib': 7, 'acme/tool': 9 },
        ...(options.tokenTtlSecs === undefined ? {} : { tokenTtlSecs: options.tokenTtlSecs }),
      },
    });
    return github;
  }
  const count = (fake: FakeGitHub, pattern: RegExp): number =>
    fake.requests.filter((r) => pattern.test(`${r.method} ${r.path}`)).length;

  it('a fixed token is the token of every repository; the App wins when both are set', async () => {
    const fixed = createGitHubCredentials({ apiUrl: 'http://127.0.0.1:1', token: 'ghp_fixed' });
    expect(fixed).toBeInstanceOf(StaticTokenCredentials);
    expect(await fixed?.tokenFor(app)).toBe('ghp_fixed');
    expect(await fixed?.tokenFor()).toBe('ghp_fixed');
    expect(fixed?.refused('ghp_fixed')).toBe(false);
    const both = createGitHubCredentials({
      apiUrl: 'http://127.0.0.1:1',
      token: 'ghp_fixed',
      app: { appId: APP_ID, privateKey: PRIVATE_PEM },
    });
    expect(both).toBeInstanceOf(GitHubAppCredentials);
    expect(both?.description).toBe(`GitHub App ${String(APP_ID)} (installation per repository)`);
    expect(createGitHubCredentials({ apiUrl: 'http://127.0.0.1:1' })).toBeUndefined();
  });

  it("resolves each repository's installation once, and keeps one token per installation", async () => {
    const fake = await standIn();
    const credentials = new GitHubAppCredentials({ appId: APP_ID, privateKey: PRIVATE_PEM }, { apiUrl: fake.url });
    const [first, again, sameInstallation] = await Promise.all([
      credentials.tokenFor(app),
      credentials.tokenFor(app),
      credentials.tokenFor(lib),
    ]);
    expect(first).toMatch(/^ghs_/);
    expect(again).toBe(first);
    expect(sameInstallation).toBe(first);
    const elsewhere = await credentials.tokenFor(other);
    expect(elsewhere).not.toBe(first);
    expect(await credentials.tokenFor({ owner: 'OCTO', repo: 'App' })).toBe(first);
    expect(count(fake, /^GET \/repos\/octo\/app\/installation$/)).toBe(1);
    expect(count(fake, /^GET \/repos\/octo\/lib\/installation$/)).toBe(1);
    expect(count(fake, /^POST \/app\/installations\/7\/access_tokens$/)).toBe(1);
    expect(count(fake, /^POST \/app\/installations\/9\/access_tokens$/)).toBe(1);
    expect(fake.issuedTokens().map((t) => [t.token, t.installationId])).toEqual([
      [first, 7],
      [elsewhere, 9],
    ]);
    // Every App request was signed with the App's JWT, never a token.
    for (const r of fake.requests) expect(r.authorization).toMatch(/^bearer ey/i);
  });

  it('with installation_id, never looks an installation up, and serves requests not about a repository', async () => {
    const fake = await standIn();
    const credentials = new GitHubAppCredentials(
      { appId: APP_ID, privateKey: PRIVATE_PEM, installationId: 9 },
      { apiUrl: fake.url },
    );
    const token = await credentials.tokenFor(app);
    expect(await credentials.tokenFor()).toBe(token);
    expect(count(fake, /installation$/)).toBe(0);
    expect(fake.issuedTokens()).toEqual([expect.objectContaining({ token, installationId: 9 })]);
    const perRepository = new GitHubAppCredentials({ appId: APP_ID, privateKey: PRIVATE_PEM }, { apiUrl: fake.url });
    await expect(perRepository.tokenFor()).rejects.toThrow(/set \[github\.app\] installation_id/);
  });

  it('replaces a token with less than five minutes left, and not before', async () => {
    const fake = await standIn();
    let offsetMs = 0;
    const credentials = new GitHubAppCredentials(
      { appId: APP_ID, privateKey: PRIVATE_PEM },
      { apiUrl: fake.url, nowMs: () => Date.now() + offsetMs },
    );
    const first = await credentials.tokenFor(app);
    offsetMs = 54 * 60_000;
    expect(await credentials.tokenFor(app)).toBe(first);
    offsetMs = 56 * 60_000;
    const second = await credentials.tokenFor(app);
    expect(second).not.toBe(first);
    // The new token lives an hour from when it was made: kept from then on.
    offsetMs = 0;
    expect(await credentials.tokenFor(app)).toBe(second);
    expect(count(fake, /access_tokens$/)).toBe(2);
    // The installation was looked up once all along.
    expect(count(fake, /installation$/)).toBe(1);
  });

  it("asks again for a token shorter-lived than the margin, and honours the stand-in's expiry", async () => {
    // auth-app's own cache would keep such a token 59 minutes; Harness reads expires_at.
    const fake = await standIn({ tokenTtlSecs: 120 });
    const credentials = new GitHubAppCredentials({ appId: APP_ID, privateKey: PRIVATE_PEM }, { apiUrl: fake.url });
    const first = await credentials.tokenFor(app);
    const second = await credentials.tokenFor(app);
    expect(second).not.toBe(first);
    const expiry = Date.parse(fake.issuedTokens()[1]?.expiresAt ?? '');
    expect(expiry - Date.now()).toBeGreaterThan(100_000);
    expect(expiry - Date.now()).toBeLessThanOrEqual(120_000);
  });

  it('a JWT GitHub refuses is a clear GITHUB_UNAUTHORIZED naming the App and what to check', async () => {
    const fake = await standIn();
    const wrongKey = generateKeyPairSync('rsa', {
      modulusLength: 2048,
      privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
      publicKeyEncoding: { type: 'spki', format: 'pem' },
    }).privateKey;
    const credentials = new GitHubAppCredentials({ appId: APP_ID, privateKey: wrongKey }, { apiUrl: fake.url });
    const error = await credentials.tokenFor(app).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AppError);
    expect(error).toMatchObject({ code: 'GITHUB_UNAUTHORIZED' });
    expect((error as Error).message).toContain(`GitHub App ${String(APP_ID)}`);
    expect((error as Error).message).toContain('A JSON web token could not be decoded');
    expect((error as Error).message).toContain('[github.app] app_id and private_key_path');
    // Another App id, the right key: refused too.
    const otherApp = new GitHubAppCredentials({ appId: 1, privateKey: PRIVATE_PEM }, { apiUrl: fake.url });
    await expect(otherApp.appInfo()).rejects.toMatchObject({ code: 'GITHUB_UNAUTHORIZED' });
    const right = new GitHubAppCredentials({ appId: APP_ID, privateKey: PRIVATE_PEM }, { apiUrl: fake.url });
    expect(await right.appInfo()).toEqual({ slug: 'harness-test-app', name: 'Harness test app' });
  });

  it('an App not installed on the repository is a GITHUB_NOT_FOUND that says so; asked again next time', async () => {
    const fake = await standIn();
    const credentials = new GitHubAppCredentials({ appId: APP_ID, privateKey: PRIVATE_PEM }, { apiUrl: fake.url });
    await expect(credentials.tokenFor({ owner: 'nobody', repo: 'x' })).rejects.toMatchObject({
      code: 'GITHUB_NOT_FOUND',
      message: expect.stringContaining('is not installed on nobody/x') as unknown,
    });
    await credentials.tokenFor({ owner: 'nobody', repo: 'x' }).catch(() => undefined);
    expect(count(fake, /^GET \/repos\/nobody\/x\/installation$/)).toBe(2);
  });

  it('reads the repository of a request from its parameters or its URL', () => {
    expect(repositoryOfRequest({ url: '/repos/{owner}/{repo}/issues', owner: 'o', repo: 'r' })).toEqual({
      owner: 'o',
      repo: 'r',
    });
    expect(repositoryOfRequest({ url: 'http://127.0.0.1:9/api/v3/repos/o/r/issues?page=2' })).toEqual({
      owner: 'o',
      repo: 'r',
    });
    expect(repositoryOfRequest({ url: '/user' })).toBeUndefined();
    expect(repositoryOfRequest({ url: '/graphql' })).toBeUndefined();
  });
});

describe('GitHubClient with GitHub App credentials', () => {
  let github: FakeGitHub;
  afterEach(async () => {
    await github.close();
  });

  it("authenticates each repository's requests with its installation's token, which the stand-in checks", async () => {
    github = await startFakeGitHub({
      app: { id: APP_ID, publicKeyPem: PUBLIC_PEM, installations: { 'octo/app': 7, 'acme/tool': 9 } },
    });
    github.addIssue('octo/app', 1, { title: 'In app' });
    github.addIssue('acme/tool', 2, { title: 'In tool' });
    const credentials = new GitHubAppCredentials({ appId: APP_ID, privateKey: PRIVATE_PEM }, { apiUrl: github.url });
    const client = new GitHubClient({ apiUrl: github.url, credentials, retries: 0, paceWrites: false });
    expect((await client.getIssue(app, 1)).title).toBe('In app');
    expect((await client.getIssue(other, 2)).title).toBe('In tool');
    await client.comment(app, 1, 'hello');
    const issued = new Map(github.issuedTokens().map((t) => [t.token, t.installationId]));
    const repositoryRequests = github.requests.filter((r) => /^\/repos\/[^/]+\/[^/]+\/(?!installation$)/.test(r.path));
    expect(repositoryRequests.length).toBeGreaterThanOrEqual(5);
    for (const r of repositoryRequests) {
      const token = /^token (ghs_\w+)$/.exec(r.authorization ?? '')?.[1] ?? '';
      expect(issued.get(token), `${r.method} ${r.path}`).toBe(r.path.startsWith('/repos/octo/app/') ? 7 : 9);
    }
    // authFor: the header a GraphQL call about a repository takes.
    expect(await client.authFor(other)).toEqual({ authorization: expect.stringMatching(/^token ghs_/) as unknown });
  });

  it("a token of another installation is refused (404, as GitHub hides what a token cannot see); the stand-in's expiry too", async () => {
    let nowMs = Date.now();
    github = await startFakeGitHub({
      app: {
        id: APP_ID,
        publicKeyPem: PUBLIC_PEM,
        installations: { 'octo/app': 7, 'acme/tool': 9 },
        tokenTtlSecs: 3600,
        nowMs: () => nowMs,
      },
    });
    github.addIssue('octo/app', 1, { title: 'In app' });
    const credentials = new GitHubAppCredentials({ appId: APP_ID, privateKey: PRIVATE_PEM }, { apiUrl: github.url });
    const toolToken = await credentials.tokenFor(other);
    const fixed = new GitHubClient({ apiUrl: github.url, token: toolToken, retries: 0, paceWrites: false });
    await expect(fixed.getIssue(app, 1)).rejects.toMatchObject({ code: 'GITHUB_NOT_FOUND' });
    const appToken = await credentials.tokenFor(app);
    const ok = new GitHubClient({ apiUrl: github.url, token: appToken, retries: 0, paceWrites: false });
    expect((await ok.getIssue(app, 1)).title).toBe('In app');
    nowMs += 3601_000;
    await expect(ok.getIssue(app, 1)).rejects.toMatchObject({ code: 'GITHUB_UNAUTHORIZED' });
  });
});

import { startFakeGitHub, type FakeGitHub } from '@agent-harness/testing';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { GitHubClient } from './github-client.js';
import { parseGitHubRemote, parseRepoName } from './github-remote.js';

const repo = { owner: 'octo', repo: 'app' };

describe('parseGitHubRemote', () => {
  it('reads owner and name from https, ssh and scp-like remotes', () => {
    for (const url of [
      'https://github.com/octo/app.git',
      'https://github.com/octo/app',
      'https://x-token@ghe.example/octo/app.git',
      'git@github.com:octo/app.git',
      'ssh://git@github.com:22/octo/app.git',
      'ssh://git@ghe.example/octo/app',
    ]) {
      expect(parseGitHubRemote(url)).toEqual(repo);
    }
    expect(parseGitHubRemote('/srv/git/app.git')).toBeUndefined();
    expect(parseRepoName('octo/app')).toEqual(repo);
    expect(parseRepoName('octo')).toBeUndefined();
  });
});

describe('GitHubClient against the GitHub stand-in', () => {
  let github: FakeGitHub;
  let client: GitHubClient;
  beforeEach(async () => {
    github = await startFakeGitHub({ token: 'ghp_test' });
    client = new GitHubClient({ apiUrl: github.url, token: 'ghp_test', retries: 1, paceWrites: false });
  });
  afterEach(async () => {
    await github.close();
  });

  it('reads an issue with its labels and comments', async () => {
    github.addIssue('octo/app', 42, {
      title: 'Parser crashes',
      body: 'Steps…',
      labels: ['bug'],
      comments: [{ author: 'ann', body: 'Also on 1.2' }],
    });
    expect(await client.getIssue(repo, 42)).toEqual({
      number: 42,
      title: 'Parser crashes',
      body: 'Steps…',
      labels: ['bug'],
      comments: [{ author: 'ann', body: 'Also on 1.2' }],
      url: 'https://github.example/octo/app/issues/42',
    });
    expect(github.requests[0]?.authorization).toBe('token ghp_test');
  });

  it('opens a pull request once: a second call for the same branch returns the first', async () => {
    const first = await client.openPullRequest(repo, {
      title: 'Fix parser',
      body: 'Closes #42',
      head: 'harness/x',
      base: 'main',
    });
    expect(first).toMatchObject({ created: true, url: expect.stringContaining('/pull/') as string });
    const second = await client.openPullRequest(repo, {
      title: 'Fix parser',
      body: 'Closes #42',
      head: 'harness/x',
      base: 'main',
    });
    expect(second).toEqual({ ...first, created: false });
    expect(github.pullRequests('octo/app')).toHaveLength(1);
  });

  it('finds the open PR of a branch among many (owner:branch, state=open); a closed one is not reused', async () => {
    github.addPullRequest('octo/app', { number: 3, head: 'harness/z', base: 'main', state: 'closed' });
    github.addPullRequest('octo/app', { number: 5, head: 'harness/z', base: 'main' });
    for (let n = 10; n < 50; n++)
      github.addPullRequest('octo/app', { number: n, head: `other-${String(n)}`, base: 'main' });
    // Newest first and ten per page: only the owner:branch filter finds #5 behind forty newer PRs.
    expect(await client.findOpenPullRequest(repo, 'harness/z')).toEqual({
      number: 5,
      url: 'https://github.example/octo/app/pull/5',
    });
    expect(await client.findOpenPullRequest(repo, 'harness/none')).toBeUndefined();
    const reused = await client.openPullRequest(repo, { title: 't', body: 'b', head: 'harness/z', base: 'main' });
    expect(reused).toMatchObject({ number: 5, created: false });
    github.addPullRequest('octo/app', { number: 5, head: 'harness/z', base: 'main', state: 'closed' });
    const reopened = await client.openPullRequest(repo, { title: 't', body: 'b', head: 'harness/z', base: 'main' });
    expect(reopened.created).toBe(true);
    expect(github.pullRequests('octo/app').filter((p) => p.head === 'harness/z' && p.state === 'open')).toHaveLength(1);
  });

  it('recovers from a 422 "already exists" race by using the open PR', async () => {
    github.addPullRequest('octo/app', { number: 7, head: 'harness/y', base: 'main' });
    // The first look finds nothing (as if the PR were opened just after); creating answers 422.
    github.fail({ method: 'GET', path: /\/pulls$/, status: 200, body: [] });
    const pr = await client.openPullRequest(repo, { title: 't', body: 'b', head: 'harness/y', base: 'main' });
    expect(pr).toMatchObject({ number: 7, created: false });
    expect(github.requests.filter((r) => r.method === 'POST')).toHaveLength(1);
  });

  it('reads a PR with its review comments and checks; comments and reviews it', async () => {
    const pr = github.addPullRequest('octo/app', {
      number: 9,
      head: 'feature',
      base: 'main',
      reviewComments: [{ path: 'a.ts', line: 3, author: 'rev', body: 'rename this' }],
      checks: [{ name: 'ci', status: 'completed', conclusion: 'failure' }],
    });
    const details = await client.getPullRequest(repo, 9);
    expect(details).toMatchObject({
      headRef: 'feature',
      baseRef: 'main',
      reviewComments: [{ path: 'a.ts', line: 3, body: 'rename this' }],
      checks: [{ name: 'ci', conclusion: 'failure' }],
    });
    await client.comment(repo, 9, 'Addressed.');
    await client.review(repo, 9, 'Round 1: changes requested', [{ path: 'a.ts', line: 3, body: 'still wrong' }]);
    expect(pr.comments).toEqual(['Addressed.']);
    expect(pr.reviews).toEqual([
      {
        body: 'Round 1: changes requested',
        event: 'COMMENT',
        comments: [{ path: 'a.ts', line: 3, body: 'still wrong' }],
      },
    ]);
  });

  it('reads a collaborator role (maintain and triage by their role names; read for anyone else)', async () => {
    github.setPermission('octo/app', 'ann', 'maintain');
    github.setPermission('octo/app', 'tri', 'triage');
    expect(await client.collaboratorPermission(repo, 'ann')).toBe('maintain');
    expect(await client.collaboratorPermission(repo, 'tri')).toBe('triage');
    expect(await client.collaboratorPermission(repo, 'stranger')).toBe('read');
    github.fail({ method: 'GET', path: /\/collaborators\/ghost\/permission$/, status: 404 });
    expect(await client.collaboratorPermission(repo, 'ghost')).toBe('none');
    expect(github.requests.at(-1)?.path).toBe('/repos/octo/app/collaborators/ghost/permission');
  });

  it('lists open issues with a label across pages, at most max, and who labelled one', async () => {
    for (let n = 1; n <= 250; n++)
      github.addIssue('octo/app', n, { title: `issue ${String(n)}`, labels: n % 2 === 0 ? ['harness'] : ['bug'] });
    github.addIssue('octo/app', 300, { title: 'closed', labels: ['harness'], state: 'closed' });
    github.addIssue('octo/app', 301, { title: 'labelled by a maintainer', labels: ['harness'], labeledBy: 'mai' });
    const all = await client.listOpenIssues(repo, 'harness');
    expect(all.map((i) => i.number)).toEqual([...Array.from({ length: 125 }, (_, i) => 2 * (i + 1)), 301]);
    expect(all[0]).toMatchObject({ title: 'issue 2', labels: ['harness'], updatedAt: expect.any(String) as string });
    expect(github.requests.filter((r) => r.path === '/repos/octo/app/issues')).toHaveLength(2);
    expect((await client.listOpenIssues(repo, 'harness', 3)).map((i) => i.number)).toEqual([2, 4, 6]);
    expect(await client.labeledBy(repo, 301, 'harness')).toEqual({ login: 'mai', isBot: false });
    expect(await client.labeledBy(repo, 301, 'other')).toBeUndefined();
  });

  it('opens an issue with labels, numbered after the issues and PRs; lists it with its body', async () => {
    github.addIssue('octo/app', 5, { title: 'old' });
    github.addPullRequest('octo/app', { number: 1200, head: 'feature', base: 'main' });
    const created = await client.createIssue(repo, {
      title: 'Found',
      body: 'marker\ntext',
      labels: ['harness-review'],
    });
    expect(created).toEqual({
      number: 1201,
      url: expect.stringMatching(/\/issues\/1201$/) as unknown,
      labels: ['harness-review'],
    });
    expect(github.issue('octo/app', 1201)).toMatchObject({
      title: 'Found',
      body: 'marker\ntext',
      author: 'harness-bot',
    });
    expect(github.requests.at(-1)?.body).toEqual({ title: 'Found', body: 'marker\ntext', labels: ['harness-review'] });
    expect(await client.listOpenIssues(repo, 'harness-review')).toMatchObject([{ number: 1201, body: 'marker\ntext' }]);
    // GitHub's limits: a title of at most 256 characters.
    await expect(client.createIssue(repo, { title: 'x'.repeat(257), body: '', labels: [] })).rejects.toMatchObject({
      code: 'GITHUB_FAILED',
      message: expect.stringContaining('422') as unknown,
    });
  });

  it('says clearly what failed: 404, 401 and a rate limit with its reset time', async () => {
    await expect(client.getIssue(repo, 404)).rejects.toMatchObject({
      code: 'GITHUB_NOT_FOUND',
      message: 'GitHub: issue #404 of octo/app was not found (404), or the token cannot see it',
    });
    const anonymous = new GitHubClient({ apiUrl: github.url, token: 'wrong' });
    await expect(anonymous.getIssue(repo, 1)).rejects.toMatchObject({ code: 'GITHUB_UNAUTHORIZED' });
    const reset = Math.floor(Date.now() / 1000) + 3600;
    github.fail({
      method: 'POST',
      path: /\/issues\/\d+\/comments$/,
      status: 403,
      message: 'API rate limit exceeded',
      headers: { 'x-ratelimit-remaining': '0', 'x-ratelimit-reset': String(reset) },
    });
    github.addIssue('octo/app', 5, { title: 't' });
    const limited = client.comment(repo, 5, 'hi');
    await expect(limited).rejects.toThrow(
      /GitHub refused commenting on #5 of octo\/app \(403: API rate limit exceeded\); it resets at/,
    );
    await expect(limited).rejects.toMatchObject({ code: 'GITHUB_RATE_LIMITED' });
    github.fail({
      method: 'POST',
      path: /\/issues\/\d+\/comments$/,
      status: 429,
      message: 'secondary rate limit',
      headers: { 'retry-after': '1' },
      times: 1,
    });
    await client.comment(repo, 5, 'after a short wait');
    expect(github.requests.filter((r) => r.method === 'POST').length).toBeGreaterThanOrEqual(3);
  });

  it('gives up a request GitHub never answers when the signal aborts, without retrying it', async () => {
    github.addPullRequest('octo/app', { number: 5, head: 'feature', base: 'main' });
    github.fail({ method: 'POST', path: /\/issues\/5\/comments$/, status: 0, hang: true, times: 5 });
    const controller = new AbortController();
    const commenting = client.comment(repo, 5, 'never answered', { signal: controller.signal });
    for (let i = 0; i < 400 && github.hangingRequests() === 0; i++) await new Promise((r) => setTimeout(r, 25));
    expect(github.hangingRequests()).toBe(1);
    controller.abort();
    await expect(commenting).rejects.toMatchObject({ code: 'GITHUB_FAILED' });
    for (let i = 0; i < 400 && github.hangingRequests() > 0; i++) await new Promise((r) => setTimeout(r, 25));
    expect(github.hangingRequests()).toBe(0);
    expect(github.requests.filter((r) => r.method === 'POST')).toHaveLength(1);
    const opening = client.openPullRequest(
      repo,
      { title: 't', body: 'b', head: 'other', base: 'main' },
      { signal: controller.signal },
    );
    await expect(opening).rejects.toMatchObject({ code: 'GITHUB_FAILED' });
    expect(github.pullRequests('octo/app')).toHaveLength(1);
  });
});

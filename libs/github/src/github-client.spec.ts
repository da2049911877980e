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
      nodeId: github.pullRequest('octo/app', 5)?.nodeId,
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

describe('GitHubClient closing the PR loop against the GitHub stand-in', () => {
  let github: FakeGitHub;
  let client: GitHubClient;
  /** What `resolveHead` answers: the stand-in's PR heads follow it, as they follow pushes in e2e tests. */
  const heads = new Map<string, string>();
  beforeEach(async () => {
    heads.clear();
    github = await startFakeGitHub({ token: 'ghp_test', resolveHead: (_repo, branch) => heads.get(branch) });
    client = new GitHubClient({ apiUrl: github.url, token: 'ghp_test', retries: 1, paceWrites: false });
  });
  afterEach(async () => {
    await github.close();
  });

  it('sums up check runs and commit statuses: none, pending, failure (with why), success', async () => {
    expect(await client.checksOf(repo, 'c0')).toEqual({ state: 'none', failed: [], pending: [], total: 0 });
    github.setCheckRuns('octo/app', 'c1', [
      { name: 'build', status: 'completed', conclusion: 'success' },
      { name: 'test', status: 'in_progress', conclusion: null },
      { name: 'docs', status: 'completed', conclusion: 'skipped' },
    ]);
    github.setCommitStatus('octo/app', 'c1', { context: 'ci/lint', state: 'pending' });
    expect(await client.checksOf(repo, 'c1')).toEqual({
      state: 'pending',
      failed: [],
      pending: ['test', 'ci/lint'],
      total: 4,
    });
    github.setCheckRuns('octo/app', 'c1', [
      { name: 'build', status: 'completed', conclusion: 'success' },
      { name: 'test', status: 'completed', conclusion: 'failure', output: { title: '2 failed', summary: 'parser' } },
      { name: 'e2e', status: 'queued', conclusion: null },
    ]);
    github.setCommitStatus('octo/app', 'c1', {
      context: 'ci/lint',
      state: 'error',
      description: 'lint crashed',
      targetUrl: 'https://ci.example/9',
    });
    const failing = await client.checksOf(repo, 'c1');
    expect(failing).toMatchObject({ state: 'failure', pending: ['e2e'], total: 4 });
    expect(failing.failed).toEqual([
      {
        name: 'test',
        source: 'check_run',
        url: expect.stringContaining('/runs/') as unknown,
        summary: '2 failed\nparser',
      },
      { name: 'ci/lint', source: 'status', url: 'https://ci.example/9', summary: 'lint crashed' },
    ]);
    // A re-run (a newer run of the same name) and a newer status replace the failures.
    github.setCheckRuns('octo/app', 'c1', [
      { name: 'test', status: 'completed', conclusion: 'failure' },
      { name: 'test', status: 'completed', conclusion: 'success' },
      { name: 'e2e', status: 'completed', conclusion: 'neutral' },
    ]);
    github.setCommitStatus('octo/app', 'c1', { context: 'ci/lint', state: 'success' });
    expect(await client.checksOf(repo, 'c1')).toEqual({ state: 'success', failed: [], pending: [], total: 3 });
  });

  it('reads the check runs of many pages', async () => {
    github.setCheckRuns(
      'octo/app',
      'c2',
      Array.from({ length: 130 }, (_, i) => ({
        name: `job-${String(i)}`,
        status: 'completed' as const,
        conclusion: i === 129 ? 'timed_out' : 'success',
      })),
    );
    const summary = await client.checksOf(repo, 'c2');
    expect(summary).toMatchObject({ state: 'failure', total: 130, failed: [{ name: 'job-129' }] });
    expect(github.requests.filter((r) => r.path.endsWith('/check-runs'))).toHaveLength(2);
  });

  it('fetches the end of failed job logs, without colours or timestamps; an expired log is empty', async () => {
    const lines = Array.from({ length: 2000 }, (_, i) => `2024-05-01T10:00:00.1234567Z step ${String(i)}`);
    github.addWorkflowRun('octo/app', {
      headSha: 'c3',
      name: 'CI',
      conclusion: 'failure',
      jobs: [
        { name: 'lint', conclusion: 'success', log: 'fine' },
        {
          name: 'test',
          conclusion: 'failure',
          log: `\uFEFF${lines.join('\n')}\n2024-05-01T10:00:01.0000000Z \u001b[31mError: expected 1 to be 2\u001b[0m\n`,
        },
        { name: 'old', conclusion: 'failure' },
      ],
    });
    github.addWorkflowRun('octo/app', { headSha: 'c3', name: 'Docs', conclusion: 'success', jobs: [] });
    github.addWorkflowRun('octo/app', { headSha: 'other', name: 'CI', conclusion: 'failure', jobs: [] });
    const logs = await client.failedJobLogs(repo, 'c3', { maxCharsPerJob: 500 });
    expect(logs.map((l) => [l.workflow, l.job])).toEqual([
      ['CI', 'test'],
      ['CI', 'old'],
    ]);
    const test = logs[0]?.log ?? '';
    expect(test.length).toBeLessThanOrEqual(500);
    expect(test).toMatch(/^\[… \d+ earlier characters cut …\]\nstep \d+\n/);
    expect(test.endsWith('step 1999\nError: expected 1 to be 2\n')).toBe(true);
    expect(logs[1]?.log).toBe('');
    // The log answer is GitHub's redirect to a download URL, followed.
    expect(github.requests.some((r) => r.path.startsWith('/_logs/octo/app/jobs/'))).toBe(true);
    expect(await client.failedJobLogs(repo, 'c3', { maxJobs: 1 })).toHaveLength(1);
    expect(await client.failedJobLogs(repo, 'none')).toEqual([]);
  });

  it('opens a draft, reads its state, marks it ready over GraphQL; the head follows resolveHead', async () => {
    heads.set('harness/d', 'aaa111');
    const opened = await client.openPullRequest(repo, {
      title: 'Draft',
      body: 'b',
      head: 'harness/d',
      base: 'main',
      draft: true,
    });
    const nodeId = github.pullRequest('octo/app', opened.number)?.nodeId;
    expect(opened).toMatchObject({ created: true, nodeId });
    expect(await client.pullRequestState(repo, opened.number)).toEqual({
      state: 'open',
      merged: false,
      draft: true,
      headSha: 'aaa111',
      headRef: 'harness/d',
      nodeId,
      mergeableState: 'draft',
    });
    await client.markReadyForReview(repo, nodeId ?? '');
    heads.set('harness/d', 'bbb222');
    expect(await client.pullRequestState(repo, opened.number)).toMatchObject({ draft: false, headSha: 'bbb222' });
    expect(github.requests.at(-2)).toMatchObject({ method: 'POST', path: '/graphql', authorization: 'token ghp_test' });
    await expect(client.markReadyForReview(repo, 'PR_nope')).rejects.toMatchObject({
      code: 'GITHUB_FAILED',
      message: expect.stringContaining("Could not resolve to a node with the global id of 'PR_nope'") as unknown,
    });
  });

  it('reads every review and review comment, and replies in a thread', async () => {
    github.addPullRequest('octo/app', {
      number: 4,
      head: 'feature',
      base: 'main',
      headSha: 'h4',
      reviewComments: [{ path: 'a.ts', line: 1, author: 'rev', body: 'old note' }],
    });
    for (let i = 0; i < 104; i++)
      github.submitReview('octo/app', 4, { author: 'bot', state: 'COMMENTED', body: `r${String(i)}` });
    const { reviewId, commentIds } = github.submitReview('octo/app', 4, {
      author: 'ann',
      state: 'CHANGES_REQUESTED',
      body: 'Please rename',
      comments: [{ path: 'src/x.ts', line: 12, body: 'call it parse' }],
    });
    await client.review(repo, 4, 'Harness: looks right');
    const reviews = await client.reviewsOf(repo, 4);
    expect(reviews).toHaveLength(106);
    expect(reviews.at(-2)).toEqual({
      id: reviewId,
      author: 'ann',
      state: 'CHANGES_REQUESTED',
      body: 'Please rename',
      submittedAt: expect.any(String) as unknown,
      commitId: 'h4',
    });
    expect(reviews.at(-1)).toMatchObject({ author: 'harness-bot', state: 'COMMENTED', body: 'Harness: looks right' });
    const commentId = commentIds[0] ?? 0;
    await client.replyToReviewComment(repo, 4, commentId, 'Renamed to parse.');
    const comments = await client.reviewCommentsOf(repo, 4);
    expect(comments).toEqual([
      {
        id: 1,
        reviewId: undefined,
        author: 'rev',
        path: 'a.ts',
        line: 1,
        body: 'old note',
        inReplyTo: undefined,
        createdAt: expect.any(String) as unknown,
      },
      {
        id: commentId,
        reviewId,
        author: 'ann',
        path: 'src/x.ts',
        line: 12,
        body: 'call it parse',
        inReplyTo: undefined,
        createdAt: expect.any(String) as unknown,
      },
      {
        id: expect.any(Number) as unknown,
        reviewId: expect.any(Number) as unknown,
        author: 'harness-bot',
        path: 'src/x.ts',
        line: 12,
        body: 'Renamed to parse.',
        inReplyTo: commentId,
        createdAt: expect.any(String) as unknown,
      },
    ]);
    await expect(client.replyToReviewComment(repo, 4, 999_999, 'to nothing')).rejects.toMatchObject({
      code: 'GITHUB_NOT_FOUND',
    });
  });

  it('merges only the head it checked: a moved head or an unmergeable PR is an answer, not a throw', async () => {
    heads.set('feature', 'f1');
    github.addPullRequest('octo/app', { number: 6, head: 'feature', base: 'main' });
    expect(await client.mergePullRequest(repo, 6, { method: 'squash', sha: 'f0' })).toEqual({
      merged: false,
      message: 'Head branch was modified. Review and try the merge again.',
    });
    const pr = github.pullRequest('octo/app', 6);
    if (pr !== undefined) pr.mergeable = false;
    expect(await client.mergePullRequest(repo, 6, { method: 'squash', sha: 'f1' })).toEqual({
      merged: false,
      message: 'Pull Request is not mergeable',
    });
    if (pr !== undefined) pr.mergeable = true;
    const merged = await client.mergePullRequest(repo, 6, { method: 'squash', sha: 'f1', title: 'Fix (#6)' });
    expect(merged).toEqual({ merged: true, sha: pr?.mergedSha, message: 'Pull Request successfully merged' });
    expect(pr).toMatchObject({ merged: true, state: 'closed', mergeMethod: 'squash' });
    expect(github.requests.at(-1)?.body).toEqual({ sha: 'f1', merge_method: 'squash', commit_title: 'Fix (#6)' });
    // Refusals are not retried; other failures throw.
    expect(github.requests.filter((r) => r.method === 'PUT')).toHaveLength(3);
    await expect(client.mergePullRequest(repo, 404, { method: 'merge', sha: 'x' })).rejects.toMatchObject({
      code: 'GITHUB_NOT_FOUND',
    });
  });

  it('labels a PR and requests reviewers; asking the author is refused with GitHub’s message', async () => {
    github.addPullRequest('octo/app', { number: 2, head: 'feature', base: 'main', labels: ['harness'] });
    await client.addLabels(repo, 2, ['harness', 'needs-review']);
    await client.requestReviewers(repo, 2, { reviewers: ['ann'], teamReviewers: ['core'] });
    expect(github.pullRequest('octo/app', 2)).toMatchObject({
      labels: ['harness', 'needs-review'],
      requestedReviewers: ['ann'],
      requestedTeams: ['core'],
    });
    await expect(
      client.requestReviewers(repo, 2, { reviewers: ['harness-bot'], teamReviewers: [] }),
    ).rejects.toMatchObject({
      code: 'GITHUB_FAILED',
      message: expect.stringContaining('Review cannot be requested from pull request author.') as unknown,
    });
  });
});

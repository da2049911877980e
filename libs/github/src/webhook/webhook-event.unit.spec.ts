import { describe, expect, it } from 'vitest';
import {
  MAX_INTENT_TEXT_CHARS,
  closedHarnessPullRequest,
  mapWebhookEvent,
  pullRequestSignal,
} from './webhook-event.js';

const repository = { full_name: 'octo/app', name: 'app', owner: { login: 'octo' } };
const ann = { login: 'ann', type: 'User' };

const issueComment = (body: unknown, extra: object = {}) => ({
  action: 'created',
  issue: { number: 7, title: 't', user: { login: 'reporter' }, ...extra },
  comment: { id: 1, body, user: ann },
  repository,
  sender: ann,
});

const review = (state: string, head: object, body: unknown = 'Rename it.') => ({
  action: 'submitted',
  review: { state, body, user: ann },
  pull_request: { number: 9, head, base: { ref: 'main', repo: repository } },
  repository,
  sender: ann,
});
const harnessHead = { ref: 'harness/1a2b3c4d-fix', repo: repository };

describe('mapWebhookEvent', () => {
  it('an issue opened with @harness is an issue task, asked by its author', () => {
    const mapped = mapWebhookEvent('issues', {
      action: 'opened',
      issue: { number: 42, body: 'It crashes.\n@harness please fix', user: { login: 'ann' } },
      repository,
      sender: ann,
    });
    expect(mapped).toEqual({
      ok: true,
      intent: {
        action: 'issue',
        repo: 'octo/app',
        number: 42,
        actor: { login: 'ann', isBot: false },
        text: 'It crashes.\n@harness please fix',
      },
    });
  });

  it('a comment with @harness: an issue task on an issue; on a PR, by its command', () => {
    const action = (body: string, extra: object = {}) => {
      const mapped = mapWebhookEvent('issue_comment', issueComment(body, extra));
      return mapped.ok ? mapped.intent.action : mapped.reason;
    };
    const pr = { pull_request: { url: 'https://api.github.com/repos/octo/app/pulls/7' } };
    expect(action('@harness take this one')).toBe('issue');
    expect(action('@harness take this one', pr)).toBe('pr_mention');
    expect(action('@harness review', pr)).toBe('pr_review');
    expect(action('LGTM but\n@harness fix ci', pr)).toBe('pr_fix_ci');
    expect(action('@harness fix ci')).toBe('issue_comment: @harness fix ci is for pull requests');
    expect(action('@harness review')).toBe('issue_comment: @harness review is for pull requests');
    expect(action('thanks!', pr)).toBe('issue_comment: no @harness mention');
    const mapped = mapWebhookEvent('issue_comment', issueComment('@harness fix ci', pr));
    expect(mapped).toMatchObject({ ok: true, intent: { repo: 'octo/app', number: 7, actor: { login: 'ann' } } });
  });

  it('changes requested on a Harness PR of this repository is a follow-up round', () => {
    expect(mapWebhookEvent('pull_request_review', review('changes_requested', harnessHead))).toEqual({
      ok: true,
      intent: {
        action: 'pr_changes_requested',
        repo: 'octo/app',
        number: 9,
        actor: { login: 'ann', isBot: false },
        text: 'Rename it.',
      },
    });
    const reason = (payload: object) => {
      const mapped = mapWebhookEvent('pull_request_review', payload);
      return mapped.ok ? 'accepted' : mapped.reason;
    };
    expect(reason(review('approved', harnessHead))).toBe('pull_request_review: a approved review asks for nothing');
    expect(reason(review('commented', harnessHead))).toBe('pull_request_review: a commented review asks for nothing');
    expect(reason(review('changes_requested', { ref: 'feature/x', repo: repository }))).toBe(
      'pull_request_review: not a Harness pull request',
    );
    // A fork's branch named like Harness's is not a Harness pull request.
    expect(reason(review('changes_requested', { ref: 'harness/x', repo: { full_name: 'mallory/app' } }))).toBe(
      'pull_request_review: not a Harness pull request',
    );
    expect(reason(review('changes_requested', harnessHead, null))).toBe('accepted');
  });

  it('ignores pings, other events and actions, with a reason', () => {
    expect(mapWebhookEvent('ping', { zen: 'Keep it logically awesome.' })).toEqual({ ok: false, reason: 'ping' });
    expect(mapWebhookEvent('push', { repository })).toEqual({ ok: false, reason: 'event push is not handled' });
    expect(mapWebhookEvent('issues', { action: 'closed', repository })).toEqual({
      ok: false,
      reason: 'issues: action closed is not handled',
    });
    expect(mapWebhookEvent('issue_comment', { ...issueComment('@harness'), action: 'edited' })).toEqual({
      ok: false,
      reason: 'issue_comment: action edited is not handled',
    });
  });

  it('treats the payload as hostile: wrong types, bad names and huge bodies', () => {
    const reason = (event: unknown, payload: unknown) => {
      const mapped = mapWebhookEvent(event, payload);
      return mapped.ok ? 'accepted' : mapped.reason;
    };
    expect(reason(undefined, {})).toBe('missing or malformed X-GitHub-Event');
    expect(reason('Issue-Comment', {})).toBe('missing or malformed X-GitHub-Event');
    expect(reason('issues', [])).toBe('the payload is not a JSON object');
    expect(reason('issues', null)).toBe('the payload is not a JSON object');
    expect(reason('issue_comment', { ...issueComment('@harness'), repository: { full_name: '../../etc' } })).toBe(
      'the payload names no repository',
    );
    expect(reason('issue_comment', { ...issueComment('@harness'), repository: { full_name: ['octo/app'] } })).toBe(
      'the payload names no repository',
    );
    const malformed = 'issue_comment: malformed issue or comment';
    expect(reason('issue_comment', issueComment(42))).toBe(malformed);
    expect(reason('issue_comment', { ...issueComment('@harness'), issue: { number: '7' } })).toBe(malformed);
    expect(reason('issue_comment', { ...issueComment('@harness'), issue: { number: -1 } })).toBe(malformed);
    expect(reason('issue_comment', { ...issueComment('@harness'), issue: { number: 1.5 } })).toBe(malformed);
    expect(
      reason('issue_comment', { ...issueComment('@harness'), comment: { body: '@harness', user: { login: 'a b' } } }),
    ).toBe(malformed);
    expect(reason('issue_comment', { ...issueComment('@harness'), comment: { body: '@harness' } })).toBe(malformed);
    const huge = `@harness do it\n${'x'.repeat(100_000)}`;
    const mapped = mapWebhookEvent('issue_comment', issueComment(huge));
    expect(mapped.ok && mapped.intent.text.length).toBe(MAX_INTENT_TEXT_CHARS);
  });

  it('knows bots by their [bot] login or their Bot type', () => {
    const bot = mapWebhookEvent('issue_comment', {
      ...issueComment('@harness'),
      comment: { body: '@harness', user: { login: 'renovate[bot]', type: 'Bot' } },
    });
    expect(bot.ok && bot.intent.actor).toEqual({ login: 'renovate[bot]', isBot: true });
    const typed = mapWebhookEvent('issue_comment', {
      ...issueComment('@harness'),
      comment: { body: '@harness', user: { login: 'ci-robot', type: 'Bot' } },
    });
    expect(typed.ok && typed.intent.actor).toEqual({ login: 'ci-robot', isBot: true });
  });
});

describe('closedHarnessPullRequest', () => {
  const payload = (overrides: { action?: unknown; ref?: unknown; headRepo?: unknown; merged?: unknown } = {}) => ({
    action: overrides.action ?? 'closed',
    pull_request: {
      number: 7,
      merged: overrides.merged ?? true,
      head: { ref: overrides.ref ?? 'harness/0123abcd-fix', repo: { full_name: overrides.headRepo ?? 'Octo/App' } },
    },
    repository: { full_name: 'octo/app' },
  });

  it('takes a closed pull request on a Harness branch of the same repository, merged or not', () => {
    expect(closedHarnessPullRequest('pull_request', payload())).toEqual({
      repo: 'octo/app',
      number: 7,
      branch: 'harness/0123abcd-fix',
      merged: true,
    });
    expect(closedHarnessPullRequest('pull_request', payload({ merged: false }))?.merged).toBe(false);
  });

  it("leaves everything else: another event or action, a fork's branch, a person's branch, a hostile ref", () => {
    for (const [event, body] of [
      ['issues', payload()],
      ['pull_request', payload({ action: 'opened' })],
      ['pull_request', payload({ headRepo: 'mallory/app' })],
      ['pull_request', payload({ headRepo: 42 })],
      ['pull_request', payload({ ref: 'feature/x' })],
      ['pull_request', payload({ ref: 'harness/../../etc' })],
      ['pull_request', payload({ ref: 'harness/x y' })],
      ['pull_request', payload({ ref: 42 })],
      ['pull_request', 'not an object'],
    ] as const)
      expect(closedHarnessPullRequest(event, body)).toBeUndefined();
  });
});

describe('@harness approve and reject', () => {
  const comment = (body: string, login = 'ann') => ({
    action: 'created',
    issue: { number: 7, pull_request: { url: 'x' } },
    comment: { body, user: { login, type: login.endsWith('[bot]') ? 'Bot' : 'User' } },
    repository: { full_name: 'octo/app' },
  });

  it("decides only as the comment's first words, with the rest as the reason", () => {
    expect(mapWebhookEvent('issue_comment', comment('@harness approve'))).toMatchObject({
      ok: true,
      intent: { action: 'approve', number: 7, text: '' },
    });
    expect(mapWebhookEvent('issue_comment', comment('\n  @Harness reject: not now\nmore'))).toMatchObject({
      ok: true,
      intent: { action: 'reject', text: 'not now' },
    });
    for (const body of ["please don't @harness approve yet", 'LGTM\n@harness approve', '> @harness approve'])
      expect(mapWebhookEvent('issue_comment', comment(body)).ok, body).toBe(false);
  });

  it('never takes a decision from a bot', () => {
    expect(mapWebhookEvent('issue_comment', comment('@harness approve', 'ci[bot]'))).toMatchObject({ ok: false });
  });
});

describe('pullRequestSignal', () => {
  const repository = { full_name: 'octo/app' };
  const sha = 'b'.repeat(40);

  it('names the pull request, branch and commit a CI or review delivery is about', () => {
    expect(
      pullRequestSignal('check_suite', {
        check_suite: { head_sha: sha, head_branch: 'harness/1-x', pull_requests: [{ number: 7 }] },
        repository,
      }),
    ).toEqual({ repo: 'octo/app', pr: 7, branch: 'harness/1-x', sha });
    expect(
      pullRequestSignal('check_run', { check_run: { head_sha: sha, check_suite: { head_branch: 'b' } }, repository }),
    ).toEqual({ repo: 'octo/app', pr: undefined, branch: 'b', sha });
    expect(pullRequestSignal('status', { sha, branches: [{ name: 'main' }], repository })).toEqual({
      repo: 'octo/app',
      pr: undefined,
      branch: 'main',
      sha,
    });
    expect(
      pullRequestSignal('pull_request_review', { pull_request: { number: 3, head: { ref: 'x', sha } }, repository }),
    ).toEqual({ repo: 'octo/app', pr: 3, branch: 'x', sha });
  });

  it('ignores other events and hostile or malformed fields', () => {
    expect(pullRequestSignal('issues', { repository })).toBeUndefined();
    expect(pullRequestSignal('status', { sha, repository: { full_name: 'not a repo' } })).toBeUndefined();
    expect(
      pullRequestSignal('status', { sha: 'not-a-sha', branches: [{ name: '-x --upload-pack' }], repository }),
    ).toBeUndefined();
    expect(
      pullRequestSignal('check_run', { check_run: { pull_requests: [{ number: -1 }] }, repository }),
    ).toBeUndefined();
    expect(pullRequestSignal('check_suite', null)).toBeUndefined();
  });
});

import { isSafeBranchName } from '@agent-harness/core';
import { parseMention } from './mention.js';

/** Who did something on GitHub. @public */
export interface GitHubActor {
  readonly login: string;
  /** An App or bot account: its login ends in `[bot]`, or GitHub says its type is `Bot`. */
  readonly isBot: boolean;
}

/**
 * What a webhook delivery asks Harness to do:
 * - `issue`: work on an issue (opened or commented with `@harness`);
 * - `pr_mention`: do what a `@harness` comment on a pull request asks, on its branch;
 * - `pr_review`: address a pull request's review comments (`@harness review`);
 * - `pr_fix_ci`: make a pull request's failing checks pass (`@harness fix ci`);
 * - `pr_changes_requested`: a follow-up round on a Harness pull request whose review requested changes.
 * @public
 */
export type GitHubIntentAction =
  | 'issue'
  | 'pr_mention'
  | 'pr_review'
  | 'pr_fix_ci'
  | 'pr_changes_requested'
  // `@harness approve` / `@harness reject`: a person decides on a task held for approval.
  | 'approve'
  | 'reject';

/** @public */
export interface GitHubIntent {
  readonly action: GitHubIntentAction;
  /** `owner/name`, as the payload spells it. */
  readonly repo: string;
  /** The issue or pull request. */
  readonly number: number;
  readonly actor: GitHubActor;
  /** The comment, review or issue text that asked (untrusted; at most MAX_INTENT_TEXT_CHARS). */
  readonly text: string;
}

/** A mapping: an intent, or why the delivery asks for nothing. @public */
export type WebhookMapping =
  { readonly ok: true; readonly intent: GitHubIntent } | { readonly ok: false; readonly reason: string };

/** The most of a comment or review kept for a prompt. @public */
export const MAX_INTENT_TEXT_CHARS = 20_000;
/** Event names as GitHub sends them in `X-GitHub-Event`. */
const EVENT_NAME = /^[a-z_]{1,64}$/;
const REPO = /^[A-Za-z0-9_.-]{1,100}\/[A-Za-z0-9_.-]{1,100}$/;
const LOGIN = /^[A-Za-z0-9](?:[A-Za-z0-9-]{0,38})(?:\[bot\])?$/;
/** The branches Harness's own tasks push (`harness/<id8>-<slug>`, `harness/gc-<id>`). */
const HARNESS_BRANCH_PREFIX = 'harness/';

type Fields = Readonly<Record<string, unknown>>;

function fields(value: unknown): Fields | undefined {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Fields) : undefined;
}

function text(value: unknown, max: number): string | undefined {
  return typeof value === 'string' && value.length <= max ? value : undefined;
}

function positiveInt(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isSafeInteger(value) && value > 0 && value < 2 ** 31 ? value : undefined;
}

function actorOf(user: unknown): GitHubActor | undefined {
  const u = fields(user);
  const login = text(u?.['login'], 64);
  if (login === undefined || !LOGIN.test(login)) return undefined;
  return { login, isBot: login.endsWith('[bot]') || u?.['type'] === 'Bot' };
}

function ignored(reason: string): WebhookMapping {
  return { ok: false, reason };
}

/** The body of a comment, review or issue: null is empty; anything else but a string is malformed. */
function bodyOf(value: unknown): string | undefined {
  if (value === null || value === undefined) return '';
  return typeof value === 'string' ? value : undefined;
}

/**
 * What a webhook delivery asks for, from its `X-GitHub-Event` name and parsed payload. Pure: the
 * payload is hostile until checked, so every field used is type-checked and bounded, and anything
 * malformed is ignored with a reason. Mentions are read by `parseMention`. Who may ask is not
 * decided here (see ActorCheck).
 * @public
 */
export function mapWebhookEvent(event: unknown, payload: unknown): WebhookMapping {
  if (typeof event !== 'string' || !EVENT_NAME.test(event)) return ignored('missing or malformed X-GitHub-Event');
  if (event === 'ping') return ignored('ping');
  const body = fields(payload);
  if (body === undefined) return ignored('the payload is not a JSON object');
  const repo = text(fields(body['repository'])?.['full_name'], 201);
  if (repo === undefined || !REPO.test(repo)) return ignored('the payload names no repository');
  const action = text(body['action'], 64);
  switch (event) {
    case 'issues':
      return issueOpened(repo, action, body);
    case 'issue_comment':
      return issueComment(repo, action, body);
    case 'pull_request_review':
      return pullRequestReview(repo, action, body);
    default:
      return ignored(`event ${event} is not handled`);
  }
}

function issueOpened(repo: string, action: string | undefined, body: Fields): WebhookMapping {
  if (action !== 'opened') return ignored(`issues: action ${action ?? '(none)'} is not handled`);
  const issue = fields(body['issue']);
  const number = positiveInt(issue?.['number']);
  const actor = actorOf(issue?.['user']);
  const issueBody = bodyOf(issue?.['body']);
  if (issue === undefined || number === undefined || actor === undefined || issueBody === undefined)
    return ignored('issues: malformed issue');
  const mention = parseMention(issueBody);
  if (mention === undefined) return ignored('issues: no @harness mention');
  if (mention.command !== 'mention')
    return ignored(`issues: @harness ${mention.command === 'review' ? 'review' : 'fix ci'} is for pull requests`);
  return {
    ok: true,
    intent: { action: 'issue', repo, number, actor, text: issueBody.slice(0, MAX_INTENT_TEXT_CHARS) },
  };
}

function issueComment(repo: string, action: string | undefined, body: Fields): WebhookMapping {
  if (action !== 'created') return ignored(`issue_comment: action ${action ?? '(none)'} is not handled`);
  const issue = fields(body['issue']);
  const comment = fields(body['comment']);
  const number = positiveInt(issue?.['number']);
  const actor = actorOf(comment?.['user']);
  const commentBody = bodyOf(comment?.['body']);
  if (number === undefined || actor === undefined || commentBody === undefined)
    return ignored('issue_comment: malformed issue or comment');
  const mention = parseMention(commentBody);
  if (mention === undefined) return ignored('issue_comment: no @harness mention');
  const onPullRequest = issue?.['pull_request'] !== undefined && issue['pull_request'] !== null;
  const request = commentBody.slice(0, MAX_INTENT_TEXT_CHARS);
  // On the issue a held task came from, or on its pull request; a decision only when the comment
  // opens with it ("please don't @harness approve yet" decides nothing), and never a bot's.
  if (mention.command === 'approve' || mention.command === 'reject') {
    if (!opensWithCommand(commentBody, mention.command))
      return ignored(`issue_comment: @harness ${mention.command} decides only as the comment's first words`);
    if (actor.isBot) return ignored(`issue_comment: a bot (${actor.login}) cannot ${mention.command}`);
    return { ok: true, intent: { action: mention.command, repo, number, actor, text: mention.args.slice(0, 2000) } };
  }
  if (!onPullRequest) {
    if (mention.command !== 'mention')
      return ignored(
        `issue_comment: @harness ${mention.command === 'review' ? 'review' : 'fix ci'} is for pull requests`,
      );
    return { ok: true, intent: { action: 'issue', repo, number, actor, text: request } };
  }
  const prAction =
    mention.command === 'review' ? 'pr_review' : mention.command === 'fix_ci' ? 'pr_fix_ci' : 'pr_mention';
  return { ok: true, intent: { action: prAction, repo, number, actor, text: request } };
}

/** Whether the comment's first line with text is `@harness <command>` (then its reason). */
function opensWithCommand(body: string, command: string): boolean {
  const first = body.split(/\r?\n/).find((line) => line.trim() !== '') ?? '';
  return new RegExp(`^\\s*@harness[\\s:,.-]+${command}(?![\\w-])`, 'i').test(first);
}

/** A pull request on one of Harness's own branches (`harness/…`, in the same repository), closed. @public */
export interface ClosedHarnessPullRequest {
  /** `owner/name`, as the payload spells it. */
  readonly repo: string;
  readonly number: number;
  /** Its head branch, Harness's. */
  readonly branch: string;
  readonly merged: boolean;
}

/**
 * A `pull_request` delivery that closed (merged or not) a pull request whose head is a Harness
 * branch of the same repository; undefined for anything else (a fork's branch is never Harness's,
 * whatever its name). Pure and hostile-input-safe like `mapWebhookEvent`.
 * @public
 */
export function closedHarnessPullRequest(event: unknown, payload: unknown): ClosedHarnessPullRequest | undefined {
  if (event !== 'pull_request') return undefined;
  const body = fields(payload);
  if (text(body?.['action'], 64) !== 'closed') return undefined;
  const repo = text(fields(body?.['repository'])?.['full_name'], 201);
  const pr = fields(body?.['pull_request']);
  const number = positiveInt(pr?.['number']);
  const head = fields(pr?.['head']);
  const branch = text(head?.['ref'], 255);
  const headRepo = text(fields(head?.['repo'])?.['full_name'], 201);
  if (repo === undefined || !REPO.test(repo) || number === undefined || branch === undefined) return undefined;
  if (headRepo?.toLowerCase() !== repo.toLowerCase()) return undefined;
  if (!branch.startsWith(HARNESS_BRANCH_PREFIX) || !isSafeBranchName(branch)) return undefined;
  return { repo, number, branch, merged: pr?.['merged'] === true };
}

function pullRequestReview(repo: string, action: string | undefined, body: Fields): WebhookMapping {
  if (action !== 'submitted') return ignored(`pull_request_review: action ${action ?? '(none)'} is not handled`);
  const review = fields(body['review']);
  const pr = fields(body['pull_request']);
  const state = text(review?.['state'], 64)?.toLowerCase();
  const number = positiveInt(pr?.['number']);
  const actor = actorOf(review?.['user']);
  const reviewBody = bodyOf(review?.['body']);
  const head = fields(pr?.['head']);
  const branch = text(head?.['ref'], 255);
  const headRepo = text(fields(head?.['repo'])?.['full_name'], 201);
  if (
    state === undefined ||
    number === undefined ||
    actor === undefined ||
    reviewBody === undefined ||
    branch === undefined
  )
    return ignored('pull_request_review: malformed review or pull request');
  if (state !== 'changes_requested') return ignored(`pull_request_review: a ${state} review asks for nothing`);
  // A Harness pull request: a Harness branch of this repository (never a fork's branch of that name).
  if (!branch.startsWith(HARNESS_BRANCH_PREFIX) || headRepo?.toLowerCase() !== repo.toLowerCase())
    return ignored('pull_request_review: not a Harness pull request');
  return {
    ok: true,
    intent: {
      action: 'pr_changes_requested',
      repo,
      number,
      actor,
      text: reviewBody.slice(0, MAX_INTENT_TEXT_CHARS),
    },
  };
}

/**
 * What a delivery says about a pull request's CI or reviews: its repository, and the pull request,
 * branch or commit it is about, as far as the payload names them. The loop that watches Harness's
 * pull requests looks at the tasks it names at once instead of at its next poll. @public
 */
export interface PullRequestSignal {
  readonly repo: string;
  readonly pr?: number | undefined;
  readonly branch?: string | undefined;
  readonly sha?: string | undefined;
}

const SHA = /^[0-9a-f]{40}$/;
/** The events that can change a waiting pull request's state: CI, reviews, pushes, closing. */
const SIGNAL_EVENTS = new Set([
  'check_suite',
  'check_run',
  'workflow_run',
  'status',
  'pull_request',
  'pull_request_review',
  'pull_request_review_comment',
]);

/** The signal of a delivery, or undefined when it names no repository (or is no such event). Hostile-input-safe. */
export function pullRequestSignal(event: unknown, payload: unknown): PullRequestSignal | undefined {
  if (typeof event !== 'string' || !SIGNAL_EVENTS.has(event)) return undefined;
  const body = fields(payload);
  const repo = text(fields(body?.['repository'])?.['full_name'], 201);
  if (body === undefined || repo === undefined || !REPO.test(repo)) return undefined;
  const source =
    event === 'check_suite' || event === 'check_run' || event === 'workflow_run' ? fields(body[event]) : undefined;
  const pullRequest = fields(body['pull_request']);
  const listed = Array.isArray(source?.['pull_requests']) ? fields(source['pull_requests'][0]) : undefined;
  const pr = positiveInt(pullRequest?.['number']) ?? positiveInt(listed?.['number']);
  const suite = fields(source?.['check_suite']);
  const rawBranch =
    text(fields(pullRequest?.['head'])?.['ref'], 255) ??
    text(source?.['head_branch'], 255) ??
    text(suite?.['head_branch'], 255) ??
    (Array.isArray(body['branches']) ? text(fields(body['branches'][0])?.['name'], 255) : undefined);
  const rawSha =
    text(source?.['head_sha'], 40) ?? text(fields(pullRequest?.['head'])?.['sha'], 40) ?? text(body['sha'], 40);
  const branch = rawBranch !== undefined && isSafeBranchName(rawBranch) ? rawBranch : undefined;
  const sha = rawSha !== undefined && SHA.test(rawSha) ? rawSha : undefined;
  if (pr === undefined && branch === undefined && sha === undefined) return undefined;
  return { repo, pr, branch, sha };
}

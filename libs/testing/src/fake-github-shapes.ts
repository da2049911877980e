// The JSON objects the GitHub stand-in answers, in the shapes GitHub's OpenAPI description requires
// (fake-github-openapi.spec.ts checks them): every required field, with plausible values.

/** Where the stand-in's web pages and API live, for the `*_url` fields. */
export interface FakeGitHubUrls {
  /** The stand-in's API root (http://127.0.0.1:N). */
  readonly api: string;
  /** Web pages (`html_url`), never fetched. */
  readonly web: string;
}

const CREATED_AT = '2024-01-01T00:00:00Z';

/** A stable positive id for a name (users, repositories). */
function idOf(name: string): number {
  let hash = 7;
  for (const char of name) hash = (hash * 31 + char.charCodeAt(0)) % 2_000_000_000;
  return hash + 1;
}

function nodeId(prefix: string, key: string): string {
  return `${prefix}_${Buffer.from(key).toString('base64url')}`;
}

/** GitHub's `simple-user`. */
export function userJson(urls: FakeGitHubUrls, login: string): Record<string, unknown> {
  const api = `${urls.api}/users/${login}`;
  return {
    login,
    id: idOf(login),
    node_id: nodeId('U', login),
    avatar_url: `${urls.web}/avatars/${login}`,
    gravatar_id: '',
    url: api,
    html_url: `${urls.web}/${login}`,
    followers_url: `${api}/followers`,
    following_url: `${api}/following{/other_user}`,
    gists_url: `${api}/gists{/gist_id}`,
    starred_url: `${api}/starred{/owner}{/repo}`,
    subscriptions_url: `${api}/subscriptions`,
    organizations_url: `${api}/orgs`,
    repos_url: `${api}/repos`,
    events_url: `${api}/events{/privacy}`,
    received_events_url: `${api}/received_events`,
    type: login.endsWith('[bot]') ? 'Bot' : 'User',
    site_admin: false,
  };
}

/** GitHub's `public-user`: the authenticated account (`GET /user`). */
export function accountJson(urls: FakeGitHubUrls, login: string): Record<string, unknown> {
  return {
    ...userJson(urls, login),
    name: null,
    company: null,
    blog: null,
    location: null,
    email: null,
    hireable: null,
    bio: null,
    public_repos: 0,
    public_gists: 0,
    followers: 0,
    following: 0,
    created_at: CREATED_AT,
    updated_at: CREATED_AT,
  };
}

/** GitHub's `repository` (a superset of `minimal-repository`). */
export function repositoryJson(urls: FakeGitHubUrls, fullName: string): Record<string, unknown> {
  const [owner = '', name = ''] = fullName.split('/');
  const api = `${urls.api}/repos/${fullName}`;
  return {
    id: idOf(fullName),
    node_id: nodeId('R', fullName),
    name,
    full_name: fullName,
    owner: userJson(urls, owner),
    private: false,
    html_url: `${urls.web}/${fullName}`,
    description: null,
    fork: false,
    url: api,
    archive_url: `${api}/{archive_format}{/ref}`,
    assignees_url: `${api}/assignees{/user}`,
    blobs_url: `${api}/git/blobs{/sha}`,
    branches_url: `${api}/branches{/branch}`,
    collaborators_url: `${api}/collaborators{/collaborator}`,
    comments_url: `${api}/comments{/number}`,
    commits_url: `${api}/commits{/sha}`,
    compare_url: `${api}/compare/{base}...{head}`,
    contents_url: `${api}/contents/{+path}`,
    contributors_url: `${api}/contributors`,
    deployments_url: `${api}/deployments`,
    downloads_url: `${api}/downloads`,
    events_url: `${api}/events`,
    forks_url: `${api}/forks`,
    git_commits_url: `${api}/git/commits{/sha}`,
    git_refs_url: `${api}/git/refs{/sha}`,
    git_tags_url: `${api}/git/tags{/sha}`,
    hooks_url: `${api}/hooks`,
    issue_comment_url: `${api}/issues/comments{/number}`,
    issue_events_url: `${api}/issues/events{/number}`,
    issues_url: `${api}/issues{/number}`,
    keys_url: `${api}/keys{/key_id}`,
    labels_url: `${api}/labels{/name}`,
    languages_url: `${api}/languages`,
    merges_url: `${api}/merges`,
    milestones_url: `${api}/milestones{/number}`,
    notifications_url: `${api}/notifications{?since,all,participating}`,
    pulls_url: `${api}/pulls{/number}`,
    releases_url: `${api}/releases{/id}`,
    stargazers_url: `${api}/stargazers`,
    statuses_url: `${api}/statuses/{sha}`,
    subscribers_url: `${api}/subscribers`,
    subscription_url: `${api}/subscription`,
    tags_url: `${api}/tags`,
    teams_url: `${api}/teams`,
    trees_url: `${api}/git/trees{/sha}`,
    clone_url: `${urls.web}/${fullName}.git`,
    git_url: `git://github.example/${fullName}.git`,
    ssh_url: `git@github.example:${fullName}.git`,
    svn_url: `${urls.web}/${fullName}`,
    mirror_url: null,
    homepage: null,
    language: null,
    default_branch: 'main',
    forks: 0,
    forks_count: 0,
    stargazers_count: 0,
    watchers: 0,
    watchers_count: 0,
    size: 0,
    open_issues: 0,
    open_issues_count: 0,
    has_issues: true,
    has_projects: true,
    has_wiki: true,
    has_pages: false,
    has_downloads: true,
    archived: false,
    disabled: false,
    license: null,
    pushed_at: CREATED_AT,
    created_at: CREATED_AT,
    updated_at: CREATED_AT,
  };
}

/** GitHub's `label`. */
export function labelJson(urls: FakeGitHubUrls, repo: string, name: string): Record<string, unknown> {
  return {
    id: idOf(`${repo}:${name}`),
    node_id: nodeId('LA', `${repo}:${name}`),
    url: `${urls.api}/repos/${repo}/labels/${encodeURIComponent(name)}`,
    name,
    // A string in a pull request's labels, nullable elsewhere: '' fits both.
    description: '',
    color: 'ededed',
    default: false,
  };
}

/** What an issue's JSON is made of. */
export interface IssueShape {
  readonly number: number;
  readonly title: string;
  readonly body: string;
  readonly state: 'open' | 'closed';
  readonly labels: readonly string[];
  readonly author: string;
  readonly comments: number;
  readonly updatedAt: string;
}

/** GitHub's `issue`. */
export function issueJson(urls: FakeGitHubUrls, repo: string, issue: IssueShape): Record<string, unknown> {
  const api = `${urls.api}/repos/${repo}/issues/${String(issue.number)}`;
  return {
    id: idOf(`${repo}#${String(issue.number)}`),
    node_id: nodeId('I', `${repo}#${String(issue.number)}`),
    number: issue.number,
    title: issue.title,
    body: issue.body,
    state: issue.state,
    locked: false,
    labels: issue.labels.map((name) => labelJson(urls, repo, name)),
    assignee: null,
    assignees: [],
    milestone: null,
    comments: issue.comments,
    user: userJson(urls, issue.author),
    author_association: 'NONE',
    url: api,
    html_url: `${urls.web}/${repo}/issues/${String(issue.number)}`,
    repository_url: `${urls.api}/repos/${repo}`,
    labels_url: `${api}/labels{/name}`,
    comments_url: `${api}/comments`,
    events_url: `${api}/events`,
    closed_at: issue.state === 'closed' ? issue.updatedAt : null,
    created_at: CREATED_AT,
    updated_at: issue.updatedAt,
  };
}

/** What a pull request's JSON is made of. */
export interface PullRequestShape {
  readonly number: number;
  readonly nodeId: string;
  readonly title: string;
  readonly body: string;
  readonly state: 'open' | 'closed';
  readonly draft: boolean;
  readonly merged: boolean;
  readonly mergedSha?: string | undefined;
  readonly mergeable?: boolean | undefined;
  readonly head: string;
  readonly headSha: string;
  readonly base: string;
  readonly labels: readonly string[];
  readonly requestedReviewers: readonly string[];
  readonly requestedTeams: readonly string[];
  readonly comments: number;
  readonly reviewComments: number;
}

/** GitHub's `pull-request` (a superset of `pull-request-simple`, what listings answer). */
export function pullRequestJson(urls: FakeGitHubUrls, repo: string, pr: PullRequestShape): Record<string, unknown> {
  const owner = repo.split('/')[0] ?? '';
  const n = String(pr.number);
  const api = `${urls.api}/repos/${repo}`;
  const html = `${urls.web}/${repo}/pull/${n}`;
  const branch = (ref: string, sha: string) => ({
    label: `${owner}:${ref}`,
    ref,
    sha,
    user: userJson(urls, owner),
    repo: repositoryJson(urls, repo),
  });
  // What GitHub computes in the background; `dirty` is a conflict with the base.
  const mergeableState = pr.merged ? 'unknown' : pr.draft ? 'draft' : pr.mergeable === false ? 'dirty' : 'clean';
  return {
    id: idOf(`${repo}!${n}`),
    node_id: pr.nodeId,
    number: pr.number,
    title: pr.title,
    body: pr.body,
    state: pr.state,
    draft: pr.draft,
    locked: false,
    user: userJson(urls, 'harness-bot'),
    author_association: 'CONTRIBUTOR',
    labels: pr.labels.map((name) => labelJson(urls, repo, name)),
    assignee: null,
    assignees: [],
    milestone: null,
    requested_reviewers: pr.requestedReviewers.map((login) => userJson(urls, login)),
    requested_teams: pr.requestedTeams.map((slug) => ({
      id: idOf(`team:${slug}`),
      node_id: nodeId('T', slug),
      url: `${urls.api}/orgs/${owner}/teams/${slug}`,
      members_url: `${urls.api}/orgs/${owner}/teams/${slug}/members{/member}`,
      name: slug,
      slug,
      description: null,
      permission: 'pull',
      html_url: `${urls.web}/orgs/${owner}/teams/${slug}`,
      repositories_url: `${urls.api}/orgs/${owner}/teams/${slug}/repos`,
      parent: null,
      type: 'organization',
    })),
    head: branch(pr.head, pr.headSha),
    base: branch(pr.base, `base-of-${pr.headSha}`),
    merged: pr.merged,
    mergeable: pr.state === 'open' ? (pr.mergeable ?? true) : null,
    mergeable_state: mergeableState,
    rebaseable: pr.mergeable ?? true,
    merged_by: pr.merged ? userJson(urls, 'harness-bot') : null,
    merge_commit_sha: pr.mergedSha ?? null,
    merged_at: pr.merged ? CREATED_AT : null,
    closed_at: pr.state === 'closed' ? CREATED_AT : null,
    auto_merge: null,
    maintainer_can_modify: false,
    comments: pr.comments,
    review_comments: pr.reviewComments,
    commits: 1,
    additions: 1,
    deletions: 0,
    changed_files: 1,
    url: `${api}/pulls/${n}`,
    html_url: html,
    diff_url: `${html}.diff`,
    patch_url: `${html}.patch`,
    issue_url: `${api}/issues/${n}`,
    commits_url: `${api}/pulls/${n}/commits`,
    review_comments_url: `${api}/pulls/${n}/comments`,
    review_comment_url: `${api}/pulls/comments{/number}`,
    comments_url: `${api}/issues/${n}/comments`,
    statuses_url: `${api}/statuses/${pr.headSha}`,
    _links: {
      self: { href: `${api}/pulls/${n}` },
      html: { href: html },
      issue: { href: `${api}/issues/${n}` },
      comments: { href: `${api}/issues/${n}/comments` },
      review_comments: { href: `${api}/pulls/${n}/comments` },
      review_comment: { href: `${api}/pulls/comments{/number}` },
      commits: { href: `${api}/pulls/${n}/commits` },
      statuses: { href: `${api}/statuses/${pr.headSha}` },
    },
    created_at: CREATED_AT,
    updated_at: CREATED_AT,
  };
}

/** GitHub's `issue-comment`. */
export function issueCommentJson(
  urls: FakeGitHubUrls,
  repo: string,
  issueNumber: number,
  comment: { readonly id: number; readonly author: string; readonly body: string },
): Record<string, unknown> {
  const n = String(issueNumber);
  return {
    id: comment.id,
    node_id: nodeId('IC', `${repo}#${n}/${String(comment.id)}`),
    body: comment.body,
    user: userJson(urls, comment.author),
    author_association: 'NONE',
    url: `${urls.api}/repos/${repo}/issues/comments/${String(comment.id)}`,
    html_url: `${urls.web}/${repo}/issues/${n}#issuecomment-${String(comment.id)}`,
    issue_url: `${urls.api}/repos/${repo}/issues/${n}`,
    created_at: CREATED_AT,
    updated_at: CREATED_AT,
  };
}

/** What a review's JSON is made of. */
export interface ReviewShape {
  readonly id: number;
  readonly author: string;
  readonly state: string;
  readonly body: string;
  readonly commitId?: string | undefined;
  readonly submittedAt: string;
}

/** GitHub's `pull-request-review`. */
export function reviewJson(
  urls: FakeGitHubUrls,
  repo: string,
  pullNumber: number,
  review: ReviewShape,
): Record<string, unknown> {
  const html = `${urls.web}/${repo}/pull/${String(pullNumber)}#pullrequestreview-${String(review.id)}`;
  const pullUrl = `${urls.api}/repos/${repo}/pulls/${String(pullNumber)}`;
  return {
    id: review.id,
    node_id: nodeId('PRR', `${repo}!${String(review.id)}`),
    user: userJson(urls, review.author),
    body: review.body,
    state: review.state,
    commit_id: review.commitId ?? null,
    html_url: html,
    pull_request_url: pullUrl,
    author_association: 'COLLABORATOR',
    _links: { html: { href: html }, pull_request: { href: pullUrl } },
    // A pending review has not been submitted.
    ...(review.state === 'PENDING' ? {} : { submitted_at: review.submittedAt }),
  };
}

/** What a review comment's JSON is made of. */
export interface ReviewCommentShape {
  readonly id: number;
  readonly reviewId?: number | undefined;
  readonly inReplyTo?: number | undefined;
  readonly author: string;
  readonly path: string;
  readonly line: number;
  readonly body: string;
  readonly commitId: string;
  readonly createdAt: string;
}

/** GitHub's `pull-request-review-comment`. */
export function reviewCommentJson(
  urls: FakeGitHubUrls,
  repo: string,
  pullNumber: number,
  comment: ReviewCommentShape,
): Record<string, unknown> {
  const url = `${urls.api}/repos/${repo}/pulls/comments/${String(comment.id)}`;
  const html = `${urls.web}/${repo}/pull/${String(pullNumber)}#discussion_r${String(comment.id)}`;
  const pullUrl = `${urls.api}/repos/${repo}/pulls/${String(pullNumber)}`;
  return {
    id: comment.id,
    node_id: nodeId('PRRC', `${repo}!${String(comment.id)}`),
    pull_request_review_id: comment.reviewId ?? null,
    ...(comment.inReplyTo === undefined ? {} : { in_reply_to_id: comment.inReplyTo }),
    diff_hunk: `@@ -${String(comment.line)},1 +${String(comment.line)},1 @@`,
    path: comment.path,
    line: comment.line,
    original_line: comment.line,
    side: 'RIGHT',
    position: comment.line,
    commit_id: comment.commitId,
    original_commit_id: comment.commitId,
    user: userJson(urls, comment.author),
    body: comment.body,
    author_association: 'COLLABORATOR',
    url,
    html_url: html,
    pull_request_url: pullUrl,
    _links: { self: { href: url }, html: { href: html }, pull_request: { href: pullUrl } },
    created_at: comment.createdAt,
    updated_at: comment.createdAt,
  };
}

/** What a check run's JSON is made of. */
export interface CheckRunShape {
  readonly id: number;
  readonly name: string;
  readonly headSha: string;
  readonly status: string;
  readonly conclusion: string | null;
  readonly output?: { readonly title: string; readonly summary: string } | undefined;
}

/** GitHub's `check-run`. */
export function checkRunJson(urls: FakeGitHubUrls, repo: string, run: CheckRunShape): Record<string, unknown> {
  const done = run.status === 'completed';
  return {
    id: run.id,
    node_id: nodeId('CR', `${repo}!${String(run.id)}`),
    head_sha: run.headSha,
    external_id: '',
    name: run.name,
    url: `${urls.api}/repos/${repo}/check-runs/${String(run.id)}`,
    html_url: `${urls.web}/${repo}/runs/${String(run.id)}`,
    details_url: `${urls.web}/${repo}/runs/${String(run.id)}`,
    status: run.status,
    conclusion: run.conclusion,
    started_at: CREATED_AT,
    completed_at: done ? CREATED_AT : null,
    output: {
      title: run.output?.title ?? null,
      summary: run.output?.summary ?? null,
      text: null,
      annotations_count: 0,
      annotations_url: `${urls.api}/repos/${repo}/check-runs/${String(run.id)}/annotations`,
    },
    check_suite: { id: 1 },
    app: null,
    pull_requests: [],
  };
}

/** What a commit status's JSON is made of. */
export interface CommitStatusShape {
  readonly id: number;
  readonly context: string;
  readonly state: string;
  readonly description?: string | undefined;
  readonly targetUrl?: string | undefined;
}

/** GitHub's `simple-commit-status`. */
export function commitStatusJson(
  urls: FakeGitHubUrls,
  repo: string,
  sha: string,
  status: CommitStatusShape,
): Record<string, unknown> {
  return {
    id: status.id,
    node_id: nodeId('SC', `${repo}!${String(status.id)}`),
    context: status.context,
    state: status.state,
    description: status.description ?? null,
    target_url: status.targetUrl ?? null,
    avatar_url: null,
    url: `${urls.api}/repos/${repo}/statuses/${sha}`,
    created_at: CREATED_AT,
    updated_at: CREATED_AT,
  };
}

/** What a workflow run's JSON is made of. */
export interface WorkflowRunShape {
  readonly id: number;
  readonly name: string;
  readonly headSha: string;
  readonly status: string;
  readonly conclusion: string | null;
}

/** GitHub's `workflow-run`. */
/** A workflow of the repository (GitHub's `workflow` schema), named as its runs are. */
export function workflowJson(urls: FakeGitHubUrls, repo: string, name: string): Record<string, unknown> {
  const id = idOf(`${repo}:${name}`);
  const path = `.github/workflows/${name.toLowerCase().replace(/[^a-z0-9]+/g, '-')}.yml`;
  return {
    id,
    node_id: nodeId('W', `${repo}!${name}`),
    name,
    path,
    state: 'active',
    created_at: CREATED_AT,
    updated_at: CREATED_AT,
    url: `${urls.api}/repos/${repo}/actions/workflows/${String(id)}`,
    html_url: `${urls.web}/${repo}/blob/main/${path}`,
    badge_url: `${urls.web}/${repo}/workflows/${encodeURIComponent(name)}/badge.svg`,
  };
}

export function workflowRunJson(urls: FakeGitHubUrls, repo: string, run: WorkflowRunShape): Record<string, unknown> {
  const api = `${urls.api}/repos/${repo}/actions/runs/${String(run.id)}`;
  const workflowId = idOf(`${repo}:${run.name}`);
  return {
    id: run.id,
    node_id: nodeId('WFR', `${repo}!${String(run.id)}`),
    name: run.name,
    display_title: run.name,
    run_number: run.id,
    run_attempt: 1,
    event: 'push',
    status: run.status,
    conclusion: run.conclusion,
    head_branch: null,
    head_sha: run.headSha,
    path: `.github/workflows/${run.name.toLowerCase().replace(/[^a-z0-9]+/g, '-')}.yml`,
    workflow_id: workflowId,
    url: api,
    html_url: `${urls.web}/${repo}/actions/runs/${String(run.id)}`,
    jobs_url: `${api}/jobs`,
    logs_url: `${api}/logs`,
    check_suite_url: `${urls.api}/repos/${repo}/check-suites/1`,
    artifacts_url: `${api}/artifacts`,
    cancel_url: `${api}/cancel`,
    rerun_url: `${api}/rerun`,
    workflow_url: `${urls.api}/repos/${repo}/actions/workflows/${String(workflowId)}`,
    head_commit: null,
    head_repository: repositoryJson(urls, repo),
    repository: repositoryJson(urls, repo),
    pull_requests: [],
    created_at: CREATED_AT,
    updated_at: CREATED_AT,
  };
}

/** What a job's JSON is made of. */
export interface JobShape {
  readonly id: number;
  readonly runId: number;
  readonly workflowName: string;
  readonly name: string;
  readonly headSha: string;
  readonly status: string;
  readonly conclusion: string | null;
}

/** GitHub's `job`. */
export function jobJson(urls: FakeGitHubUrls, repo: string, job: JobShape): Record<string, unknown> {
  return {
    id: job.id,
    node_id: nodeId('CR', `${repo}!job${String(job.id)}`),
    run_id: job.runId,
    run_url: `${urls.api}/repos/${repo}/actions/runs/${String(job.runId)}`,
    run_attempt: 1,
    head_sha: job.headSha,
    head_branch: null,
    workflow_name: job.workflowName,
    name: job.name,
    url: `${urls.api}/repos/${repo}/actions/jobs/${String(job.id)}`,
    html_url: `${urls.web}/${repo}/actions/runs/${String(job.runId)}/job/${String(job.id)}`,
    check_run_url: `${urls.api}/repos/${repo}/check-runs/${String(job.id)}`,
    status: job.status,
    conclusion: job.conclusion,
    labels: ['ubuntu-latest'],
    steps: [],
    runner_id: null,
    runner_name: null,
    runner_group_id: null,
    runner_group_name: null,
    created_at: CREATED_AT,
    started_at: CREATED_AT,
    completed_at: job.status === 'completed' ? CREATED_AT : null,
  };
}

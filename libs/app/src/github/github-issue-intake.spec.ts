import { join } from 'node:path';
import { AppError } from '@agent-harness/core';
import { ActorCheck, GitHubClient } from '@agent-harness/github';
import { openDatabase, TypeOrmGitHubIntakeStore, type Database } from '@agent-harness/persistence';
import type { Admission, SubmitTaskInput } from '@agent-harness/pipeline';
import {
  InMemoryProjectCatalog,
  createTempDir,
  startFakeGitHub,
  taskFixture,
  type FakeGitHub,
  type TempDir,
} from '@agent-harness/testing';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { GitHubIssueIntake } from './github-issue-intake.js';

describe('GitHubIssueIntake', () => {
  let dir: TempDir;
  let database: Database;
  let github: FakeGitHub;
  let submitted: SubmitTaskInput[];
  let queueFull: boolean;

  beforeEach(async () => {
    dir = await createTempDir('harness-intake-');
    database = await openDatabase({ file: join(dir.path, 'harness.db') });
    github = await startFakeGitHub({ token: 'ghp_t' });
    github.setPermission('octo/app', 'mai', 'maintain');
    submitted = [];
    queueFull = false;
  });
  afterEach(async () => {
    await github.close();
    await database.close();
    await dir.cleanup();
  });

  async function intake(repos = ['octo/app']): Promise<GitHubIssueIntake> {
    const projects = new InMemoryProjectCatalog();
    await projects.add({
      name: 'app',
      root: '/r/app',
      isDefault: true,
      origin: 'config',
      active: true,
      repo: 'Octo/App',
    });
    const client = new GitHubClient({ apiUrl: github.url, token: 'ghp_t', paceWrites: false, retries: 0 });
    return new GitHubIssueIntake({
      repos,
      label: 'harness',
      github: client,
      store: new TypeOrmGitHubIntakeStore(database.dataSource),
      engine: {
        admit: (input: SubmitTaskInput): Promise<Admission> => {
          if (queueFull) return Promise.reject(new AppError('QUEUE_FULL', 'the queue is full'));
          submitted.push(input);
          return Promise.resolve({
            task: taskFixture(`task-${String(submitted.length)}`, { kind: 'issue', issue: input.issue }),
            existing: false,
          });
        },
      },
      projects,
      originUrl: () => Promise.resolve(undefined),
      actors: new ActorCheck({
        allowedActors: [],
        allowBots: false,
        permissionOf: (repo, login) => client.collaboratorPermission(repo, login),
        now: () => 0,
      }),
      replies: { track: () => Promise.resolve() },
      now: () => new Date(),
    });
  }

  it('queues each labelled issue once, labelled by an allowed account; never a closed or unlabelled one', async () => {
    github.addIssue('octo/app', 1, { title: 'a', labels: ['harness'], labeledBy: 'mai' });
    github.addIssue('octo/app', 2, { title: 'b', labels: ['bug'], labeledBy: 'mai' });
    github.addIssue('octo/app', 3, { title: 'c', labels: ['harness'], labeledBy: 'mai', state: 'closed' });
    github.addIssue('octo/app', 4, { title: 'd', labels: ['harness'], labeledBy: 'eve', updatedAt: 't1' });
    const poller = await intake();
    expect((await poller.poll()).summary).toBe('octo/app: 1 queued, 1 ignored of 2 open');
    expect(submitted).toEqual([
      {
        kind: 'issue',
        issue: 1,
        project: 'app',
        origin: { source: 'github', via: 'intake', repo: 'octo/app', number: 1, actor: 'mai' },
      },
    ]);
    // Nothing new: nothing is asked of GitHub but the listing.
    const before = github.requests.length;
    expect((await poller.poll()).summary).toBe('octo/app: 0 queued, 0 ignored of 2 open');
    expect(github.requests.slice(before).map((r) => r.path)).toEqual(['/repos/octo/app/issues']);
    // A refused issue is looked at again once it changes: a maintainer labels it now.
    github.addIssue('octo/app', 4, { title: 'd', labels: ['harness'], labeledBy: 'mai', updatedAt: 't2' });
    expect((await (await intake()).poll()).summary).toBe('octo/app: 1 queued, 0 ignored of 2 open');
    expect(submitted.map((s) => s.issue)).toEqual([1, 4]);
  });

  it('leaves issues for the next poll when the queue is full, and reports an unknown repository', async () => {
    github.addIssue('octo/app', 1, { title: 'a', labels: ['harness'], labeledBy: 'mai' });
    github.addIssue('octo/app', 2, { title: 'b', labels: ['harness'], labeledBy: 'mai' });
    queueFull = true;
    const poller = await intake(['octo/app', 'octo/other']);
    const outcome = await poller.poll();
    expect(outcome.summary).toBe(
      'octo/app: 0 queued, 0 ignored of 2 open; the queue is full, the rest wait for the next poll',
    );
    expect(outcome.problems).toEqual([
      'octo/other: no active project has repository octo/other (set [[projects]] repo)',
    ]);
    queueFull = false;
    expect((await poller.poll()).summary).toBe('octo/app: 2 queued, 0 ignored of 2 open');
  });
});

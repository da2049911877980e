import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import type { AgentRunner } from '@agent-harness/agents';
import { AppError } from '@agent-harness/core';
import type { TaskRound } from '@agent-harness/queue';
import { validationCommands } from '@agent-harness/validation';
import { issuePrompt, pullRequestPrompt } from './prompts.js';
import { projectRepository } from './project-repository.js';
import type { RunContext } from './run-context.js';
import { next, type PhaseResult } from './run-outcome.js';
import { classifyTask } from './task-classifier.js';
import { cutText } from './task-title.js';
import { setUpWorkspace } from './workspace-setup.js';

/** What prepare hands to the phases after it. */
export interface Prepared {
  /** What the implementer is asked. */
  readonly prompt: string;
  /** The ref the review diffs against. */
  readonly reviewBase: string;
  /** The change was published before a restart (the stored checkpoint): at most the review remains. */
  readonly resumed: boolean;
  /** The round queued on the task, if any: its agent work, or the approved rest of its publication. */
  readonly round?: TaskRound | undefined;
  readonly implementer: AgentRunner;
}

/**
 * Prepare: the project and its GitHub repository, the shared git state guarded, the worktree
 * (a new task branch, the PR's head, or the branch a restart left published) made ready by the
 * workspace setup, the prompt, the complexity and the implementer. Ends in `running` (or, when resumed, ready for the review).
 */
export async function prepare(ctx: RunContext, title: string): Promise<PhaseResult<Prepared>> {
  const { deps } = ctx;
  const project = await deps.projects.get(ctx.task.project);
  if (project === undefined) throw new AppError('NOT_FOUND', `project "${ctx.task.project}" no longer exists`);
  if (!project.active) throw new AppError('CONFLICT', `project "${ctx.task.project}" is inactive`);
  ctx.project = project;
  if (deps.sandboxWarning !== undefined) await ctx.log(deps.sandboxWarning);
  const repo = await projectRepository(project, (root) => deps.worktrees.originUrl(root));
  ctx.repo = repo;
  const github = deps.github;
  if (ctx.task.kind !== 'prompt') {
    if (github === undefined)
      throw new AppError('UNSUPPORTED', `${ctx.task.kind} tasks need a GitHub token: set GITHUB_TOKEN`);
    if (repo === undefined)
      throw new AppError(
        'INVALID_ARGUMENT',
        `project "${project.name}" has no GitHub repository: set repo = "owner/name" or an origin remote on GitHub`,
      );
  }

  await deps.worktrees.guardSharedState(project.root);
  ctx.guardedRoot = project.root;
  const resumed = ctx.task.checkpoint !== undefined && ctx.task.branch !== undefined;
  const round = ctx.task.loop?.round;
  // A person approved the push (the change is on the kept local branch) or the pull request (pushed).
  const approved = round?.kind === 'approved' && ctx.task.branch !== undefined ? round.stage : undefined;
  let prompt = ctx.task.prompt ?? '';
  let reviewBase: string;
  // What the classifier reads: the work as asked (never the built prompt with project instructions).
  let asked: { title: string; text: string; labels?: readonly string[] } = { title, text: ctx.task.prompt ?? '' };
  if (ctx.task.kind === 'pr' && github !== undefined && repo !== undefined) {
    const pr = await github.getPullRequest(repo, ctx.task.pr ?? 0, { signal: ctx.signal });
    asked = { title: pr.title, text: [pr.body, ...pr.reviewComments.map((c) => `${c.path} ${c.body}`)].join('\n') };
    ctx.worktree = await deps.worktrees.checkoutRemoteBranch(project.root, ctx.task.id, pr.headRef, ctx.signal);
    reviewBase = `origin/${pr.baseRef}`;
    await ctx.set({ prNumber: pr.number, prUrl: pr.url });
    // A PR task's own prompt is a request Harness wrote (GitHub intake): API clients cannot set one.
    prompt = pullRequestPrompt(`${repo.owner}/${repo.repo}`, pr, instructions(ctx), checks(ctx), ctx.task.prompt);
  } else if (approved === 'push' && ctx.task.branch !== undefined) {
    ctx.worktree = await deps.worktrees.checkoutLocalBranch(project.root, ctx.task.id, ctx.task.branch, ctx.signal);
    reviewBase = `origin/${project.baseBranch ?? (await deps.worktrees.defaultBranch(project.root))}`;
  } else if ((resumed || approved !== undefined) && ctx.task.branch !== undefined) {
    // The branch was pushed and its PR opened before a restart: continue from there, never redo.
    ctx.worktree = await deps.worktrees.checkoutRemoteBranch(project.root, ctx.task.id, ctx.task.branch, ctx.signal);
    reviewBase = `origin/${project.baseBranch ?? (await deps.worktrees.defaultBranch(project.root))}`;
  } else {
    ctx.worktree = await deps.worktrees.create(
      project.root,
      ctx.task.id,
      title,
      project.baseBranch,
      ctx.task.headBranch,
      ctx.signal,
    );
    reviewBase = ctx.worktree.base;
    const seed = ctx.task.seed;
    if (seed !== undefined) {
      await deps.worktrees.seed(ctx.worktree.path, seed);
      const files = seed.files.map((f) => f.path).join(', ');
      await ctx.log(
        `seeded the worktree: ${String(seed.files.length)} files${files === '' ? '' : ` (${files})`}, ${String(seed.patches.length)} patches`,
      );
    }
  }
  // The issue as asked: a new task's prompt, and what the review of an approved publication reads.
  if (!resumed && ctx.task.kind === 'issue' && github !== undefined && repo !== undefined) {
    const issue = await github.getIssue(repo, ctx.task.issue ?? 0, { signal: ctx.signal });
    prompt = issuePrompt(`${repo.owner}/${repo.repo}`, issue, instructions(ctx), checks(ctx));
    asked = {
      title: issue.title,
      text: [issue.body, ...issue.comments.map((c) => c.body)].join('\n'),
      labels: issue.labels,
    };
    if (ctx.task.description === undefined) await ctx.set({ description: cutText(issue.title, 500) });
  }
  const worktree = ctx.worktree;
  // A new branch from the base: what an earlier attempt committed is not on it.
  const fresh = !resumed && approved === undefined && ctx.task.kind !== 'pr';
  await ctx.set(
    {
      worktree: worktree.path,
      branch: worktree.branch,
      ...(fresh ? { commit: undefined, checkpoint: undefined } : {}),
    },
    { kind: 'log', data: { message: `worktree ${worktree.path} on branch ${worktree.branch} from ${worktree.base}` } },
  );
  const setUp = await setUpWorkspace(ctx);
  if (setUp.kind !== 'next') return setUp;
  const classified = classifyTask(asked);
  const why = classified.reasons.length > 0 ? ` (${classified.reasons.join('; ')})` : '';
  await ctx.set(
    { complexity: classified.complexity },
    { kind: 'log', data: { message: `complexity: ${classified.complexity}${why}` } },
  );
  const implementer = deps.agents.select({
    // A round continues the session of the agent that made the change.
    agent: round === undefined ? ctx.task.agent : (ctx.task.agentUsed ?? ctx.task.agent),
    projectDefault: project.defaultAgent,
    complex: classified.complexity === 'complex',
  });
  await ctx.set({ agentUsed: implementer.name });
  const agentRound = resumed && round !== undefined && round.kind !== 'approved';
  if (agentRound) {
    // A round on the published branch: the implementer is asked what the round asks, nothing else.
    prompt = round.prompt ?? '';
    await ctx.apply('prepared', `${round.kind.replace('_', ' ')} round, agent ${implementer.name}`);
  } else if (!resumed && approved === undefined) {
    prompt = await withSkills(ctx, prompt, `${asked.title}\n${asked.text}`);
    await ctx.apply('prepared', `agent ${implementer.name}`);
  }
  // A published change goes straight to its review (preparing → reviewing, the table's `resume`),
  // or, approved already or with no review to run, to its end (preparing → done); an approved
  // publication goes on with its push or pull request (preparing → committing).
  return next({ prompt, reviewBase, resumed, implementer, round });
}

/** The prompt with its "Relevant skills" section; skills that fail to load never fail the task. */
async function withSkills(ctx: RunContext, prompt: string, asked: string): Promise<string> {
  const { skills } = ctx.deps;
  if (skills === undefined || ctx.project === undefined) return prompt;
  try {
    const found = await skills.forTask({
      taskId: ctx.task.id,
      project: ctx.project.name,
      projectRoot: ctx.project.root,
      text: asked,
    });
    if (found.used.length === 0) return prompt;
    await ctx.log(`skills: ${found.used.join(', ')}`);
    return `${prompt}\n\n${found.section}`;
  } catch (error) {
    await ctx.log(`skills left out: ${error instanceof Error ? error.message : String(error)}`);
    return prompt;
  }
}

/** Project instructions for agents (AGENTS.md, else CLAUDE.md), cut at 20,000 characters. */
function instructions(ctx: RunContext): string | undefined {
  const dir = ctx.worktree?.path ?? ctx.project?.root;
  if (dir === undefined) return undefined;
  for (const name of ['AGENTS.md', 'CLAUDE.md']) {
    const file = join(dir, name);
    if (existsSync(file)) return readFileSync(file, 'utf8').slice(0, 20_000);
  }
  return undefined;
}

/** The checks the agent is told will run. */
function checks(ctx: RunContext): string[] {
  return ctx.worktree === undefined
    ? [...ctx.deps.validation.preCommit]
    : validationCommands(ctx.deps.validation.preCommit, readdirSync(ctx.worktree.path)).commands;
}
